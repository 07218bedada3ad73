import ArgumentParser
import Foundation
import OrderedCollections
import Resources
import Store

/// `mizzen bench store`: the speed of the durable object store on this machine.
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Creates, gets, lists and watch events per second of the SQLite object store, and its peak memory.",
        discussion: """
            Works in a temporary directory, removed afterwards. Every write is durable before it is
            acknowledged, as the API promises; writes issued concurrently share a transaction and
            its fsync (group commit). Creates and updates are timed from one task, then from
            --concurrency tasks. Build with -c release:
              swift build -c release && .build/release/mizzen bench store --count 100000
            """)

    @Option(help: "How many objects to create.")
    var count = 100_000

    @Option(help: "How many gets to time.")
    var gets = 20_000

    @Option(help: "How many lists (500 objects, with a label selector) to time.")
    var lists = 100

    @Option(help: "How many tasks issue creates and updates concurrently (timed after one task).")
    var concurrency = 4

    @Option(help: "Directory for the temporary store (default: the system's temporary directory).")
    var directory: String?

    func validate() throws {
        guard count >= 1_000 else { throw ValidationError("--count must be at least 1000") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }

    private static let configMaps = ResourceType(
        group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true, hasStatus: false)

    /// The tasks counts the writes are timed with: one, then `--concurrency`.
    private var concurrencies: [Int] { concurrency == 1 ? [1] : [1, concurrency] }

    /// Runs `body(index)` for every index of `range`, from `tasks` concurrent tasks.
    private static func concurrently(
        _ range: Range<Int>, tasks: Int, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in stride(from: range.lowerBound + task, to: range.upperBound, by: tasks) {
                        try await body(index)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Creates `count` ConfigMaps (`cm-0`…) from `tasks` concurrent tasks.
    private func createObjects(in store: SQLiteStore, tasks: Int) async throws -> Duration {
        try await ContinuousClock().measure {
            try await Self.concurrently(0..<count, tasks: tasks) { index in
                var object = Resource(apiVersion: "v1", kind: "ConfigMap", name: "cm-\(index)", namespace: "default")
                object.setLabel("app", "app\(index % 10)")
                object.setLabel("tier", index % 2 == 0 ? "front" : "back")
                object.object["data"] = [
                    "index": .string(String(index)), "config.yaml": "replicas: 3\nimage: registry.local/app:1.2.3\n",
                ]
                _ = try await store.create(object, as: Self.configMaps, dryRun: false)
            }
        }
    }

    func run() async throws {
        BenchCommand.printLineByLine()
        let base = directory ?? NSTemporaryDirectory()
        let prefix = base + "/mizzen-store-bench-\(UUID().uuidString.lowercased())"
        let configMaps = Self.configMaps
        let clock = ContinuousClock()

        // Creates, each durable before it is acknowledged; each concurrency in a fresh store. The
        // store of the last one is kept for the gets, lists and watches.
        var kept: (store: SQLiteStore, path: String)?
        for tasks in concurrencies {
            let path = prefix + "-\(tasks)"
            let store = try SQLiteStore(directory: path)
            let createTime: Duration
            do {
                createTime = try await createObjects(in: store, tasks: tasks)
            } catch {
                try? store.close()
                try? FileManager.default.removeItem(atPath: path)
                throw error
            }
            report("creates (concurrency \(tasks))", count, createTime)
            if tasks == concurrencies.last {
                kept = (store, path)
            } else {
                try store.close()
                try FileManager.default.removeItem(atPath: path)
            }
        }
        guard let (store, path) = kept else { return }
        defer { try? FileManager.default.removeItem(atPath: path) }
        defer { try? store.close() }

        // Gets.
        var generator = SystemRandomNumberGenerator()
        let getTime = try await clock.measure {
            for _ in 0..<gets {
                let name = "cm-\(Int.random(in: 0..<count, using: &generator))"
                _ = try await store.get(configMaps, namespace: "default", name: name)
            }
        }
        report("gets", gets, getTime)

        // Lists of 500 with a label selector (one object in ten matches).
        let selector = try LabelSelector(parsing: "app=app3")
        var listed = 0
        let listTime = try await clock.measure {
            var token: String?
            for _ in 0..<lists {
                let page = try await store.list(
                    configMaps, namespace: "default",
                    options: ListOptions(labelSelector: selector, limit: 500, continueToken: token))
                listed += page.items.count
                token = page.continueToken
            }
        }
        report("lists (500, app=app3)", lists, listTime, extra: "\(listed) objects")

        // Watch: replay of the history kept, then live events while updates are written.
        let current = try await store.currentResourceVersion()
        let replayCount = Int(min(9_000, current - 1))
        let replayTime = try await clock.measure {
            let stream = try await store.watch(
                configMaps, namespace: nil, options: ListOptions(), from: current - Int64(replayCount))
            var seen = 0
            for try await _ in stream {
                seen += 1
                if seen == replayCount { break }
            }
        }
        report("watch events (replayed)", replayCount, replayTime)

        // Live events while updates are written: get + update + delivery, from one task, then
        // from --concurrency tasks (each on its own range of objects).
        let updates = min(10_000, count / concurrencies.count)
        for (round, tasks) in concurrencies.enumerated() {
            let range = (round * updates)..<((round + 1) * updates)
            let stream = try await store.watch(configMaps, namespace: nil, options: ListOptions(), from: nil)
            let liveTime = try await clock.measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        var seen = 0
                        for try await _ in stream {
                            seen += 1
                            if seen == updates { break }
                        }
                    }
                    group.addTask {
                        try await Self.concurrently(range, tasks: tasks) { index in
                            var object = try await store.get(configMaps, namespace: "default", name: "cm-\(index)")
                            object.setAnnotation("touched", "yes")
                            _ = try await store.update(object, as: configMaps, subresource: .main, dryRun: false)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            report("watch events (live, get+update+deliver, concurrency \(tasks))", updates, liveTime)
        }

        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM") || line.hasPrefix("VmRSS") {
            print("store: \(line.replacingOccurrences(of: "\t", with: " "))")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path + "/store.db")[.size] as? Int) ?? 0
        print("store: database file \(size / 1_048_576) MiB for \(count) objects (+ \(Int(min(current, 10_000))) revisions of history)")
    }

    private func report(_ what: String, _ operations: Int, _ elapsed: Duration, extra: String = "") {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Int(Double(operations) / max(seconds, 1e-9))
        print("store: \(what): \(operations) in \(String(format: "%.2f", seconds)) s = \(rate)/s \(extra)")
    }
}
