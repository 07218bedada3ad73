@testable import ControllerRuntime
@testable import OAMControllers
import OrderedCollections
import Resources
import Testing

@Suite struct ObjectCacheTests {
    static func object(_ name: String, owner: String?, labels: [String: String] = [:], version: String = "1") -> Resource {
        var object = Resource(apiVersion: "v1", kind: "ConfigMap", name: name, namespace: "shop")
        object.resourceVersion = version
        for (key, value) in labels { object.setLabel(key, value) }
        if let owner {
            object.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "Owner", name: owner, uid: "uid-\(owner)", controller: true)]
        }
        object.withMetadata { $0["managedFields"] = [["manager": "kubectl"]] }
        return object
    }

    @Test func indexesFollowEveryChange() {
        let cache = ObjectCache(indexes: [
            Indexes.controllerOwner: Indexes.controllerOwnerFunction, "app": Indexes.label("app"),
        ])
        _ = cache.store(Self.object("a", owner: "x", labels: ["app": "web"]))
        _ = cache.store(Self.object("b", owner: "x"))
        #expect(cache.objects(index: Indexes.controllerOwner, value: "uid-x").map(\.name) == ["a", "b"])
        #expect(cache.objects(index: "app", value: "shop/web").map(\.name) == ["a"])

        // A new owner moves the object between index values; a delete removes it.
        _ = cache.store(Self.object("b", owner: "y", version: "2"))
        #expect(cache.objects(index: Indexes.controllerOwner, value: "uid-x").map(\.name) == ["a"])
        #expect(cache.objects(index: Indexes.controllerOwner, value: "uid-y").map(\.name) == ["b"])
        _ = cache.remove(Self.object("a", owner: "x"))
        #expect(cache.objects(index: Indexes.controllerOwner, value: "uid-x").isEmpty)
        #expect(cache.objects(index: "app", value: "shop/web").isEmpty)
    }

    @Test func keysOfAnIndexValueComeSortedWithoutTheObjects() {
        let cache = ObjectCache(indexes: [Indexes.controllerOwner: Indexes.controllerOwnerFunction])
        _ = cache.store(Self.object("b", owner: "x"))
        _ = cache.store(Self.object("a", owner: "x"))
        _ = cache.store(Self.object("c", owner: "y"))
        #expect(cache.keys(index: Indexes.controllerOwner, value: "uid-x")
            == [ObjectKey(namespace: "shop", name: "a"), ObjectKey(namespace: "shop", name: "b")])
        #expect(cache.keys(index: Indexes.controllerOwner, value: "uid-z").isEmpty)
    }

    @Test func anObjectComesBackAsItWasStored() {
        // The cache keeps objects as JSON text: every kind of value, and the order of members,
        // survive the round trip.
        var object = Self.object("a", owner: "x", labels: ["app": "web", "tier": "front"])
        object.object["data"] = [
            "ratio": .double(0.25), "count": .int(3), "flag": .bool(true), "none": .null,
            "list": [.int(1), .string("two"), ["nested": .string("é ✓ \"quoted\"")]],
        ]
        let cache = ObjectCache()
        _ = cache.store(object)
        let stored = cache.get(namespace: "shop", name: "a")
        #expect(stored == ObjectCache.trimmed(object))
        #expect(stored?.object.keys.elementsEqual(ObjectCache.trimmed(object).object.keys) == true)
        if case .updated(let old, let new)? = cache.store(Self.object("a", owner: "x", version: "2")) {
            #expect(old == ObjectCache.trimmed(object))
            #expect(new.resourceVersion == "2")
        } else {
            Issue.record("an update of a stored object is an update event")
        }
    }

    @Test func waitingForTheFirstListEndsWhenCancelled() async {
        let informer = Informer(kind: GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"))
        let waiting = Task { await informer.waitForSync() }
        waiting.cancel()
        // Before the fix this never returned: a manager stopped before its caches synced hung.
        await waiting.value
        #expect(!informer.hasSynced)
    }

    @Test func storedObjectsLeaveManagedFieldsOut() {
        let cache = ObjectCache()
        _ = cache.store(Self.object("a", owner: nil))
        #expect(cache.get(namespace: "shop", name: "a")?.object["metadata"]?["managedFields"] == nil)
    }

    @Test func aRelistReportsTheDifferencesAsEvents() {
        let cache = ObjectCache()
        _ = cache.store(Self.object("kept", owner: nil))
        _ = cache.store(Self.object("changed", owner: nil))
        _ = cache.store(Self.object("gone", owner: nil))
        let events = cache.replace(with: [
            Self.object("kept", owner: nil), Self.object("changed", owner: nil, version: "2"), Self.object("new", owner: nil),
        ])
        var seen: [String] = []
        for event in events {
            switch event {
            case .added(let object): seen.append("added \(object.name)")
            case .updated(_, let object): seen.append("updated \(object.name)")
            case .deleted(let object): seen.append("deleted \(object.name)")
            }
        }
        #expect(seen.sorted() == ["added new", "deleted gone", "updated changed"])
        #expect(cache.isSynced)
        #expect(cache.list(namespace: "shop").map(\.name) == ["changed", "kept", "new"])
    }
}
