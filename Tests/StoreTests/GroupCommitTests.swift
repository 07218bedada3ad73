import Foundation
import OrderedCollections
import Resources
@testable import Store
import Testing

@Suite("Group commit: writes that wait share one transaction, each keeps its own outcome")
struct GroupCommitTests {
    /// Holds the writer while `writes` queue up, then lets them commit as one batch.
    ///
    /// - Returns: each write's outcome, in the order of `writes`.
    static func inOneBatch<T: Sendable>(
        _ store: SQLiteStore, _ writes: [@Sendable () async throws -> T],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws -> [Result<T, any Error>] {
        let batchesBefore = store.groupCommits
        let gate = store.holdWriter()
        return try await withThrowingTaskGroup(of: (Int, Result<T, any Error>).self) { group in
            for (index, write) in writes.enumerated() {
                group.addTask {
                    do { return (index, .success(try await write())) } catch { return (index, .failure(error)) }
                }
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while store.waitingWrites < writes.count, ContinuousClock.now < deadline { await Task.yield() }
            #expect(store.waitingWrites == writes.count, "the writes did not queue up", sourceLocation: sourceLocation)
            gate.signal()
            var outcomes = [Result<T, any Error>?](repeating: nil, count: writes.count)
            for try await (index, outcome) in group { outcomes[index] = outcome }
            #expect(store.groupCommits == batchesBefore + 1, "not one batch", sourceLocation: sourceLocation)
            return outcomes.map { $0! }
        }
    }

    static func apiError<T>(_ outcome: Result<T, any Error>) -> APIError? {
        if case .failure(let error) = outcome { return error as? APIError }
        return nil
    }

    @Test("concurrent creates in one batch get consecutive resourceVersions and survive close and reopen")
    func consecutiveAndDurable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        var store = try SQLiteStore(directory: directory.path)
        let start = try await store.currentResourceVersion()
        let count = 40
        let opened = store
        let outcomes = try await Self.inOneBatch(
            store,
            (0..<count).map { index in
                { try await opened.create(configMap("cm-\(index)", data: ["n": .int(Int64(index))]), as: configMaps, dryRun: false) }
            })
        let created = try outcomes.map { try $0.get() }
        #expect(created.map(rv).sorted() == Array((start + 1)...(start + Int64(count))))
        #expect(try await store.currentResourceVersion() == start + Int64(count))
        try store.close()

        store = try SQLiteStore(directory: directory.path)
        defer { try? store.close() }
        for object in created {
            #expect(try await store.get(configMaps, namespace: "default", name: object.name) == object)
        }
        #expect(try await store.currentResourceVersion() == start + Int64(count))
    }

    @Test("a failing write in a batch fails alone; the others succeed with consecutive resourceVersions")
    func failuresStayAlone() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        _ = try await store.create(configMap("taken"), as: configMaps, dryRun: false)
        let stale = try await store.create(configMap("target"), as: configMaps, dryRun: false)
        var current = stale
        current.object["data"] = ["v": "1"]
        current = try await store.update(current, as: configMaps, subresource: .main, dryRun: false)
        let start = try await store.currentResourceVersion()

        var staleUpdate = stale
        staleUpdate.object["data"] = ["v": "stale"]
        var freshUpdate = current
        freshUpdate.object["data"] = ["v": "2"]
        let writes: [@Sendable () async throws -> Resource] = [
            { try await store.create(configMap("a"), as: configMaps, dryRun: false) },
            { try await store.create(configMap("taken"), as: configMaps, dryRun: false) },
            { [staleUpdate] in try await store.update(staleUpdate, as: configMaps, subresource: .main, dryRun: false) },
            { try await store.create(configMap("b"), as: configMaps, dryRun: false) },
            { try await store.delete(configMaps, namespace: "default", name: "missing", options: DeleteOptions()) },
            { try await store.create(configMap(""), as: configMaps, dryRun: false) },
            { try await store.create(configMap("dry"), as: configMaps, dryRun: true) },
            { [freshUpdate] in try await store.update(freshUpdate, as: configMaps, subresource: .main, dryRun: false) },
            { try await store.create(configMap("c", namespace: "nowhere"), as: configMaps, dryRun: false) },
        ]
        let outcomes = try await Self.inOneBatch(store, writes)

        #expect(Self.apiError(outcomes[1])?.reason == .alreadyExists)
        #expect(Self.apiError(outcomes[2])?.reason == .conflict)
        #expect(Self.apiError(outcomes[4])?.reason == .notFound)
        #expect(Self.apiError(outcomes[5])?.reason == .invalid)
        #expect(Self.apiError(outcomes[8])?.reason == .notFound)
        let dry = try outcomes[6].get()
        #expect(dry.resourceVersion == nil)
        let succeeded = try [outcomes[0], outcomes[3], outcomes[7]].map { try $0.get() }
        #expect(succeeded.map(rv).sorted() == [start + 1, start + 2, start + 3])
        #expect(try await store.currentResourceVersion() == start + 3)

        #expect(try await store.exists(configMaps, namespace: "default", name: "a"))
        #expect(try await store.exists(configMaps, namespace: "default", name: "b"))
        #expect(try await !store.exists(configMaps, namespace: "default", name: "dry"))
        let target = try await store.get(configMaps, namespace: "default", name: "target")
        #expect(target.object["data"] == ["v": "2"])
        let taken = try await store.get(configMaps, namespace: "default", name: "taken")
        #expect(rv(taken) < start)
    }

    @Test("a deletion in a batch collects its dependents in the same commit, between the batch's other writes")
    func cascadeInBatch() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let owner = try await store.create(deployment("owner"), as: deployments, dryRun: false)
        var child = configMap("child")
        child.ownerReferences = [ownerReference(to: owner)]
        _ = try await store.create(child, as: configMaps, dryRun: false)
        let start = try await store.currentResourceVersion()
        let events = try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: start)

        let writes: [@Sendable () async throws -> Void] = [
            { _ = try await store.create(configMap("before"), as: configMaps, dryRun: false) },
            { _ = try await store.delete(deployments, namespace: "default", name: "owner", options: DeleteOptions()) },
            { _ = try await store.create(configMap("after"), as: configMaps, dryRun: false) },
        ]
        for outcome in try await Self.inOneBatch(store, writes) { try outcome.get() }
        #expect(try await !store.exists(configMaps, namespace: "default", name: "child"))
        #expect(try await store.currentResourceVersion() == start + 4)
        let seen = try await collect(3, from: events)
        #expect(seen.map(\.resourceVersion) == seen.map(\.resourceVersion).sorted())
        #expect(Set(seen.map { "\($0.type) \($0.object?.name ?? "")" }) == ["ADDED before", "DELETED child", "ADDED after"])
    }

    @Test("watches see batched writes once each, in resourceVersion order, with no gap")
    func watchOrderAcrossBatches() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let start = try await store.currentResourceVersion()
        let live = try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: nil)

        // Batches forced by holding the writer, then batches as they form under concurrency.
        for round in 0..<3 {
            let writes: [@Sendable () async throws -> Resource] = (0..<20).map { index in
                { try await store.create(configMap("held-\(round)-\(index)"), as: configMaps, dryRun: false) }
            }
            for outcome in try await Self.inOneBatch(store, writes) { _ = try outcome.get() }
        }
        let writers = 8
        let perWriter = 30
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<perWriter {
                        var object = try await store.create(configMap("w\(writer)-\(index)"), as: configMaps, dryRun: false)
                        object.object["data"] = ["n": "1"]
                        _ = try await store.update(object, as: configMaps, subresource: .main, dryRun: false)
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = 3 * 20 + writers * perWriter * 2
        let expected = Array((start + 1)...(start + Int64(total)))
        #expect(try await collect(total, from: live).map(\.resourceVersion) == expected)
        let replayed = try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: start)
        #expect(try await collect(total, from: replayed).map(\.resourceVersion) == expected)
    }

    @Test("the write queue takes what waits, up to the batch size, and schedules only when idle")
    func writeQueue() {
        var queue = WriteQueue<Int>(maximumBatch: 3)
        var schedules = [queue.enqueue(1), queue.enqueue(2)]
        #expect(schedules == [true, false])
        var batch = queue.takeBatch()
        #expect(batch == [1, 2])
        schedules = [queue.enqueue(3)]
        #expect(schedules == [false])
        var again = queue.finishBatch()
        #expect(again)
        schedules = (4...8).map { queue.enqueue($0) }
        #expect(schedules == [false, false, false, false, false])
        batch = queue.takeBatch()
        #expect(batch == [3, 4, 5])
        again = queue.finishBatch()
        #expect(again)
        batch = queue.takeBatch()
        #expect(batch == [6, 7, 8])
        again = queue.finishBatch()
        #expect(!again)
        schedules = [queue.enqueue(9)]
        #expect(schedules == [true])
        #expect(queue.batches == 3)
    }
}
