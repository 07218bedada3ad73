import OrderedCollections
import Resources
import Testing
@testable import Store

/// The store's memory of objects it parsed lately: only an exact key and resourceVersion match
/// is served, and a full memory starts again empty.
@Suite("Recent objects")
struct RecentObjectsTests {
    static func object(_ name: String, _ value: String) -> Resource {
        Resource(object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["v": .string(value)]])
    }

    @Test("an entry is served only for the resourceVersion it was remembered at, and forgotten on request")
    func exactVersionOnly() {
        let recent = RecentObjects(capacity: 4)
        let key = ObjectKey(type: "configmaps", namespace: "default", name: "a")
        recent.remember(Self.object("a", "1"), at: key, resourceVersion: 10, bytes: 100)
        #expect(recent.object(at: key, resourceVersion: 10)?.object["data"]?["v"] == "1")
        #expect(recent.object(at: key, resourceVersion: 11) == nil)
        recent.remember(Self.object("a", "2"), at: key, resourceVersion: 11, bytes: 100)
        #expect(recent.object(at: key, resourceVersion: 10) == nil)
        #expect(recent.object(at: key, resourceVersion: 11)?.object["data"]?["v"] == "2")
        recent.forget(key)
        #expect(recent.object(at: key, resourceVersion: 11) == nil)
    }

    @Test("a full memory starts again empty rather than growing")
    func boundedByCapacity() {
        let recent = RecentObjects(capacity: 2)
        let keys = ["a", "b", "c"].map { ObjectKey(type: "configmaps", namespace: "default", name: $0) }
        for (index, key) in keys.enumerated() {
            recent.remember(Self.object(key.name, "\(index)"), at: key, resourceVersion: Int64(index + 1), bytes: 100)
        }
        #expect(recent.object(at: keys[0], resourceVersion: 1) == nil)
        #expect(recent.object(at: keys[2], resourceVersion: 3) != nil)
    }

    @Test("a large object is not kept, and the bytes kept are bounded: a flood of large objects holds little")
    func boundedByBytes() {
        let recent = RecentObjects(capacity: 100, byteCapacity: 250)
        let keys = ["a", "b", "c", "d"].map { ObjectKey(type: "configmaps", namespace: "default", name: $0) }
        recent.remember(Self.object("a", "0"), at: keys[0], resourceVersion: 1, bytes: RecentObjects.maximumObjectBytes + 1)
        #expect(recent.object(at: keys[0], resourceVersion: 1) == nil)
        recent.remember(Self.object("b", "1"), at: keys[1], resourceVersion: 2, bytes: 100)
        recent.remember(Self.object("c", "2"), at: keys[2], resourceVersion: 3, bytes: 100)
        #expect(recent.object(at: keys[1], resourceVersion: 2) != nil)
        // A newer state replaces the old one's bytes rather than adding to them.
        recent.remember(Self.object("c", "3"), at: keys[2], resourceVersion: 4, bytes: 100)
        #expect(recent.object(at: keys[1], resourceVersion: 2) != nil)
        // Past 250 bytes it starts again with the newest.
        recent.remember(Self.object("d", "4"), at: keys[3], resourceVersion: 5, bytes: 100)
        #expect(recent.object(at: keys[1], resourceVersion: 2) == nil)
        #expect(recent.object(at: keys[3], resourceVersion: 5) != nil)
    }

    @Test("reads after writes see every write: the memory never serves a state the store moved past")
    func readsFollowWrites() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var current = try await store.create(configMap("a", data: ["v": "0"]), as: configMaps, dryRun: false)
        for round in 1...5 {
            var next = current
            next.object["data"] = ["v": .string("\(round)")]
            current = try await store.update(next, as: configMaps, subresource: .main, dryRun: false)
            let read = try await store.get(configMaps, namespace: "default", name: "a")
            #expect(read.object["data"]?["v"] == .string("\(round)"))
            #expect(read.resourceVersion == current.resourceVersion)
        }
    }
}
