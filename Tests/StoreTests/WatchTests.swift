import OrderedCollections
import Resources
import Store
import Testing

@Suite("Watches: order, resumption, selectors, history limits")
struct WatchTests {
    @Test("concurrent writers: a watch sees every event once, in resourceVersion order")
    func orderingWithConcurrentWriters() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let start = try await store.currentResourceVersion()
        let events = try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: nil)
        let writers = 4
        let perWriter = 50
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
        let seen = try await collect(writers * perWriter * 2, from: events)
        let versions = seen.map(\.resourceVersion)
        #expect(versions == Array((start + 1)...(start + Int64(writers * perWriter * 2))))
    }

    @Test("a watch resumed from a resourceVersion replays what followed it, then goes live")
    func resumeFromResourceVersion() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let a = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        _ = try await store.create(configMap("b"), as: configMaps, dryRun: false)
        _ = try await store.create(deployment("ignored"), as: deployments, dryRun: false)
        _ = try await store.delete(configMaps, namespace: "default", name: "a", options: DeleteOptions())
        let events = try await store.watch(configMaps, namespace: "default", options: ListOptions(), from: rv(a))
        _ = try await store.create(configMap("c"), as: configMaps, dryRun: false)
        let seen = try await collect(3, from: events)
        #expect(seen.map(\.type) == ["ADDED", "DELETED", "ADDED"])
        #expect(seen.map { $0.object?.name ?? "" } == ["b", "a", "c"])
        #expect(seen[1].resourceVersion > rv(a))
    }

    @Test("a watch from a resourceVersion older than the history kept is Expired (410)")
    func tooOldResourceVersion() async throws {
        let store = try SQLiteStore.inMemory(configuration: .init(historyRevisions: 10))
        defer { try? store.close() }
        let first = try await store.create(configMap("first"), as: configMaps, dryRun: false)
        for index in 0..<30 { _ = try await store.create(configMap("cm\(index)"), as: configMaps, dryRun: false) }
        let error = await expectAPIError(code: 410, reason: .expired) {
            _ = try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: rv(first))
        }
        #expect(error?.message.hasPrefix("too old resource version: \(rv(first)) (") == true)
        // The recent past is still there.
        let current = try await store.currentResourceVersion()
        _ = try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: current - 5)
    }

    @Test("objects that start or stop matching the label selector are ADDED or DELETED, live and replayed")
    func selectorTransitions() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let start = try await store.currentResourceVersion()
        let options = ListOptions(labelSelector: try LabelSelector(parsing: "app=web"))
        let live = try await store.watch(configMaps, namespace: "default", options: options, from: nil)

        var object = try await store.create(configMap("x", labels: ["app": "db"]), as: configMaps, dryRun: false)
        object.labels = ["app": "web"]
        object = try await store.update(object, as: configMaps, subresource: .main, dryRun: false)
        object.object["data"] = ["k": "v"]
        object = try await store.update(object, as: configMaps, subresource: .main, dryRun: false)
        object.labels = ["app": "db"]
        object = try await store.update(object, as: configMaps, subresource: .main, dryRun: false)
        _ = try await store.delete(configMaps, namespace: "default", name: "x", options: DeleteOptions())
        var matching = try await store.create(configMap("y", labels: ["app": "web"]), as: configMaps, dryRun: false)
        matching = try await store.get(configMaps, namespace: "default", name: "y")
        _ = try await store.delete(configMaps, namespace: "default", name: "y", options: DeleteOptions())

        let expected = ["ADDED", "MODIFIED", "DELETED", "ADDED", "DELETED"]
        let seen = try await collect(5, from: live)
        #expect(seen.map(\.type) == expected)
        #expect(seen[2].object?.labels == ["app": "web"])   // the previous state of the object that left
        #expect(seen[2].resourceVersion == rv(object))
        #expect(seen[3].object == matching)

        let replayed = try await collect(5, from: try await store.watch(configMaps, namespace: "default", options: options, from: start))
        #expect(replayed == seen)
    }

    @Test("sendInitialEvents starts with the current objects and a bookmark")
    func initialEvents() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        _ = try await store.create(configMap("b"), as: configMaps, dryRun: false)
        _ = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        let current = try await store.currentResourceVersion()
        let events = try await store.watch(
            configMaps, namespace: "default", options: ListOptions(allowWatchBookmarks: true, sendInitialEvents: true),
            from: nil)
        _ = try await store.create(configMap("c"), as: configMaps, dryRun: false)
        store.emitBookmarks()
        let seen = try await collect(5, from: events)
        #expect(seen.prefix(2).map { $0.object?.name ?? "" } == ["a", "b"])
        #expect(seen[2] == .bookmark(resourceVersion: current, initialEventsEnd: true))
        #expect(seen[3].object?.name == "c")
        #expect(seen[4] == .bookmark(resourceVersion: current + 1, initialEventsEnd: false))
    }

    @Test("initial events of more than a page are read as the consumer takes them, all at the first page's resourceVersion")
    func pagedInitialEvents() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let count = 250
        func name(_ index: Int) -> String { "cm-" + String(1_000 + index).dropFirst() }
        for index in 0..<count {
            _ = try await store.create(configMap(name(index)), as: configMaps, dryRun: false)
        }
        let current = try await store.currentResourceVersion()
        let options = ListOptions(allowWatchBookmarks: true, sendInitialEvents: true)
        let events = try await store.watch(configMaps, namespace: "default", options: options, from: nil)
        // Written after the watch started, before it read its later pages: they come after the
        // initial events, once each, and the initial events show the objects as they were.
        var changed = try #require(try await store.get(configMaps, namespace: "default", name: "cm-200"))
        changed.object["data"] = ["changed": "yes"]
        _ = try await store.update(changed, as: configMaps, subresource: .main, dryRun: false)
        _ = try await store.create(configMap("zz-new"), as: configMaps, dryRun: false)
        _ = try await store.delete(configMaps, namespace: "default", name: "cm-100", options: DeleteOptions())

        let seen = try await collect(count + 4, from: events)
        #expect(seen.prefix(count).map { $0.object?.name ?? "" } == (0..<count).map(name))
        #expect(seen.prefix(count).allSatisfy { if case .added = $0 { true } else { false } })
        #expect(seen[200].object?.object["data"] != ["changed": "yes"])
        #expect(seen[count] == .bookmark(resourceVersion: current, initialEventsEnd: true))
        #expect(seen.suffix(3).map { "\($0.type) \($0.object?.name ?? "")" } == ["MODIFIED cm-200", "ADDED zz-new", "DELETED cm-100"])
        #expect(seen.suffix(3).map(\.resourceVersion) == [current + 1, current + 2, current + 3])

        // A paged watch dropped before it went live is forgotten like any other.
        do {
            let dropped = try await store.watch(configMaps, namespace: "default", options: options, from: nil)
            #expect(store.watchCount == 2)
            _ = dropped
        }
        #expect(store.watchCount == 1)
    }

    @Test("watches end when the consumer stops or the store closes")
    func watchesEnd() async throws {
        let store = try SQLiteStore.inMemory()
        let first = try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: nil)
        do {
            let second = try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: nil)
            #expect(store.watchCount == 2)
            _ = second
        }
        // The dropped stream is gone once its last reference is released.
        #expect(store.watchCount == 1)
        try store.close()
        var count = 0
        for try await _ in first { count += 1 }
        #expect(count == 0)
        #expect(store.watchCount == 0)
        await expectAPIError(code: 503, reason: .serviceUnavailable) {
            _ = try await store.get(configMaps, namespace: "default", name: "a")
        }
    }
}

@Suite("Compaction keeps the store's resourceVersion")
struct CompactionResourceVersionTests {
    @Test("a compaction by age in a batch that writes nothing keeps a deletion at the top of the history: the next write gets a new resourceVersion")
    func deletionAtTheTopSurvivesCompaction() async throws {
        let store = try SQLiteStore.inMemory(configuration: .init(historyRetention: .milliseconds(100)))
        defer { try? store.close() }
        let created = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        // Checkpoints are a tenth of the retention apart: the deletion gets one of its own.
        try await Task.sleep(for: .milliseconds(30))
        _ = try await store.delete(configMaps, namespace: "default", name: "a", options: DeleteOptions())
        let deletion = try await store.currentResourceVersion()
        #expect(deletion == rv(created) + 1)
        // Once the retention has passed, writes that fail (nothing written) run the compaction,
        // which may now reach the deletion's checkpoint.
        try await Task.sleep(for: .milliseconds(150))
        for _ in 0..<3 {
            _ = try? await store.delete(configMaps, namespace: "default", name: "missing", options: DeleteOptions())
            try await Task.sleep(for: .milliseconds(20))
        }
        // It compacted (the history before the deletion is gone)…
        await expectAPIError(code: 410, reason: .expired) {
            _ = try await store.changes(configMaps, after: deletion - 2)
        }
        // …and kept the deletion, the store's latest revision.
        #expect(try await store.currentResourceVersion() == deletion)
        let next = try await store.create(configMap("b"), as: configMaps, dryRun: false)
        #expect(rv(next) == deletion + 1)
    }
}
