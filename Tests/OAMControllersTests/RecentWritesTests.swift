import ControllerRuntime
import Resources
import Testing

@testable import OAMControllers

@Suite("the AppConfig reconciler's recent writes")
struct RecentWritesTests {
    static let configMaps = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")

    static func key(_ name: String) -> RecentWrites.Key {
        RecentWrites.Key(Resource(apiVersion: "v1", kind: "ConfigMap", name: name, namespace: "shop"))
    }

    @Test("a write the informer has not handled makes the same content pending, and only that content")
    func pendingUntilHandled() {
        let writes = RecentWrites()
        let informer = Informer(kind: Self.configMaps)  // never run: it has handled nothing
        #expect(!informer.hasSeen(resourceVersion: "12"))
        writes.record(Self.key("a"), .init(hash: "abc", resourceVersion: "12")) { _ in informer }
        #expect(writes.isPending(Self.key("a"), hash: "abc", informer: informer))
        #expect(!writes.isPending(Self.key("a"), hash: "other", informer: informer), "new content is applied")
        #expect(!writes.isPending(Self.key("b"), hash: "abc", informer: informer), "another object")
        #expect(writes.count == 1)
    }

    @Test("a resourceVersion that is not a number counts as handled: the cache is trusted and the write forgotten")
    func opaqueVersions() {
        let writes = RecentWrites()
        let informer = Informer(kind: Self.configMaps)
        #expect(informer.hasSeen(resourceVersion: "not-a-number"))
        writes.record(Self.key("a"), .init(hash: "abc", resourceVersion: "not-a-number")) { _ in informer }
        #expect(!writes.isPending(Self.key("a"), hash: "abc", informer: informer))
        #expect(writes.count == 0)
    }
}
