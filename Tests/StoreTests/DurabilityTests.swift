import Foundation
import GRDB
import OrderedCollections
import Resources
import Store
import Testing

@Suite("Durability: files, reopening, the lock")
struct DurabilityTests {
    @Test("objects, the counter and the history survive close and reopen")
    func reopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        var store = try SQLiteStore(directory: directory.path)
        let created = try await store.create(configMap("a", data: ["k": "v"]), as: configMaps, dryRun: false)
        _ = try await store.create(namespaceObject("shop"), as: .namespace, dryRun: false)
        let last = try await store.currentResourceVersion()
        try store.close()

        store = try SQLiteStore(directory: directory.path)
        defer { try? store.close() }
        #expect(try await store.get(configMaps, namespace: "default", name: "a") == created)
        #expect(try await store.currentResourceVersion() == last)
        let next = try await store.create(configMap("b"), as: configMaps, dryRun: false)
        #expect(rv(next) == last + 1)
        let replay = try await collect(2, from: try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: rv(created) - 1))
        #expect(replay.map { $0.object?.name ?? "" } == ["a", "b"])
        // `default` is created once, not again on reopen.
        #expect(try await store.list(.namespace, namespace: nil, options: ListOptions()).items.map(\.name) == ["default", "shop"])
    }

    @Test("a second open of the same directory fails while the first holds the lock")
    func lockRefusesSecondOpen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try SQLiteStore(directory: directory.path)
        #expect {
            _ = try SQLiteStore(directory: directory.path)
        } throws: { error in
            (error as? StoreError)?.message.hasPrefix(
                "another mizzen is using \(directory.path) (lock held on \(directory.path)/store.lock)") == true
        }
        try store.close()
        let again = try SQLiteStore(directory: directory.path)
        try again.close()
    }

    @Test("the database is in WAL mode with synchronous = FULL")
    func synchronousFull() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try SQLiteStore(directory: directory.path)
        defer { try? store.close() }
        #expect(try store.pragma("journal_mode") == "wal")
        #expect(try store.pragma("synchronous") == "2")
    }

    @Test("on open, dependents of owners that disappeared are collected")
    func collectsAfterRestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        var store = try SQLiteStore(directory: directory.path)
        let owner = try await store.create(deployment("owner"), as: deployments, dryRun: false)
        var child = configMap("child")
        child.ownerReferences = [ownerReference(to: owner)]
        _ = try await store.create(child, as: configMaps, dryRun: false)
        var held = deployment("held")
        held.finalizers = ["example.com/hold"]
        let heldOwner = try await store.create(held, as: deployments, dryRun: false)
        var heldChild = configMap("held-child")
        heldChild.ownerReferences = [ownerReference(to: heldOwner, block: true)]
        _ = try await store.create(heldChild, as: configMaps, dryRun: false)
        try store.close()

        // Simulate a crash between an owner's removal and its cascade, as an older version or a
        // torn shutdown could leave it: remove the owner row behind the store's back.
        let queue = try DatabaseQueue(path: directory.path + "/store.db")
        try await queue.write { db in
            try db.execute(sql: "DELETE FROM objects WHERE name = 'owner'")
        }
        try queue.close()

        store = try SQLiteStore(directory: directory.path)
        defer { try? store.close() }
        #expect(try await store.exists(configMaps, namespace: "default", name: "child") == false)
        #expect(try await store.exists(configMaps, namespace: "default", name: "held-child"))
    }
}
