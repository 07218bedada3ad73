import APIServer
import ArgumentParser
import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OAM
import OAMControllers
import Resources

struct CLIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cli",
        abstract: "Time `mizzen get appconfigs` and `mizzen status APP` against a plane holding N applications.",
        discussion: """
            Starts the embedded control plane in a temporary directory, creates N copies of the \
            load-test application of `bench reconcile` (two components, five traits each) and \
            lets the controllers converge them; then stops the controllers, so that nothing but \
            the commands works the plane, and runs each command --runs times as a user would: a \
            new `mizzen` process (this executable) with --kubeconfig pointing at the plane. It \
            prints the p50 and p99 wall time of each, from the process's start to its exit \
            (connection, discovery, reads and printing included).

            The commands timed: `get appconfigs` (the table, with each application's HEALTH), \
            `get appconfigs -o wide`, `get appconfigs -o json`, and `status app-K` for \
            applications spread over the N.

            --node-simulation deployments (the default here) makes every Deployment available by \
            writing its status, which converges 10,000 applications in minutes; pods runs them \
            as Pods on the simulated node, as `mizzen serve` does, and adds a ReplicaSet and \
            Pods per workload to the store.

            --executable times another build's commands against the same plane, for a \
            before/after.

            Examples:
              swift build -c release && .build/release/mizzen bench cli --apps 10000
              .build/release/mizzen bench cli --apps 1000 --executable /tmp/old/mizzen
            """)

    @Option(help: "How many applications to create.")
    var apps = 1_000

    @Option(help: "How many times to run each command.")
    var runs = 10

    @Option(help: "Reconciles run at once per controller while converging.")
    var workers = 8

    @Option(help: "How long to wait for convergence, in seconds, before giving up.")
    var timeout = 900

    @Option(help: "What runs workloads: deployments (the old Deployment-level simulator, no Pods) or pods (the plane's controllers and simulated node).")
    var nodeSimulation: NodeSimulation = .deployments

    @Option(help: ArgumentHelp("Time this mizzen executable instead of this one (an older build, for a before/after on the same plane).", valueName: "path"))
    var executable: String?

    @Flag(help: "After the measurement, keep the plane running (its kubeconfig is printed) until interrupted, to time or profile a command by hand.")
    var hold = false

    func validate() throws {
        guard nodeSimulation != .none else {
            throw ValidationError("--node-simulation none: nothing would make the Deployments available; use deployments or pods")
        }
        guard apps >= 1, runs >= 1 else { throw ValidationError("--apps and --runs must be at least 1") }
    }

    func run() async throws {
        BenchCommand.printLineByLine()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mizzen-bench-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "mizzen.bench")
        logger.logLevel = .critical
        var configuration = APIServerConfiguration()
        configuration.port = 0
        configuration.maxWatches = 10_000
        configuration.seedObjects = OAMCustomResourceDefinitions.all + BuiltinDefinitions.all
        let server = try await APIServer.open(dataDirectory: directory, configuration: configuration, logger: logger)
        let (ready, announce) = AsyncStream<APIServer.Endpoint>.makeStream()
        // The server runs for the whole benchmark; cancelling its task at the end stops it.
        let serverTask = Task { try await server.run { announce.yield($0); announce.finish() } }
        defer { serverTask.cancel() }
        var iterator = ready.makeAsyncIterator()
        guard let endpoint = await iterator.next() else { throw ValidationError("the server did not start") }

        var clientOptions = KubernetesClient.Options()
        clientOptions.qps = 0
        let client = try KubernetesClient(kubeconfig: endpoint.kubeconfig.path, options: clientOptions, logger: logger)
        do {
            try await converge(client: client, logger: logger)
            try await measure(kubeconfig: endpoint.kubeconfig.path)
            if hold {
                print("cli: the plane keeps running until interrupted: --kubeconfig \(endpoint.kubeconfig.path)")
                while true { try await Task.sleep(for: .seconds(3600)) }
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// Creates the applications and waits until the controllers have converged them, then stops
    /// the controllers.
    private func converge(client: KubernetesClient, logger: Logger) async throws {
        try await LoadTestApplication.installDefinitions(client)
        let manager = Manager(client: client, logger: logger)
        var options = OAMControllers.Options()
        options.workers = workers
        options.nodeSimulator = nodeSimulation == .deployments
        OAMControllers.register(on: manager, options: options, logger: logger)
        let cluster: ClusterControllerService? = if nodeSimulation == .pods {
            ClusterControllerService(client: client, options: clusterOptions, logger: logger)
        } else {
            nil
        }
        let running = Task { try await manager.run() }
        let clusterRunning = cluster.map { cluster in Task { try await cluster.run() } }
        defer {
            running.cancel()
            clusterRunning?.cancel()
        }
        let convergence = Convergence()
        convergence.watch(
            appConfigs: manager.informer(for: OAMKinds.applicationConfiguration),
            deployments: manager.informer(for: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")))

        print("cli: \(apps) applications (2 components, 5 traits each); node simulation: \(nodeSimulation.rawValue)")
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            let creators = 8
            for creator in 0..<creators {
                group.addTask {
                    for index in stride(from: creator, to: apps, by: creators) {
                        for object in LoadTestApplication.objects(index: index) { _ = try await client.create(object) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let deadline = clock.now + .seconds(timeout)
        while !convergence.converged(apps: apps) {
            guard clock.now < deadline else { throw ValidationError("not converged after \(timeout) s") }
            try await Task.sleep(for: .milliseconds(200))
        }
        await manager.waitUntilIdle()
        await cluster?.manager.waitUntilIdle()
        print("cli: converged in \(String(format: "%.1f s", Self.seconds(clock.now - start))); controllers stopped for the measurement")
        running.cancel()
        clusterRunning?.cancel()
        _ = await running.result
        _ = await clusterRunning?.result
    }

    /// A command timed, with what its output must show to count.
    private struct Case {
        var label: String
        var arguments: (Int) -> [String]
        /// Checks the output of one run; a message when it is wrong.
        var check: (String) -> String?
    }

    private func measure(kubeconfig: String) async throws {
        let apps = apps
        let rows: (String) -> String? = { output in
            let count = output.split(separator: "\n").count - 1
            return count == apps ? nil : "\(count) rows, not \(apps)"
        }
        let cases = [
            Case(label: "get appconfigs", arguments: { _ in ["get", "appconfigs"] }) { output in
                rows(output) ?? (output.contains("\tprogressing\t") || output.contains("\tunhealthy\t")
                    ? "an application is not healthy" : nil)
            },
            Case(label: "get appconfigs -o wide", arguments: { _ in ["get", "appconfigs", "-o", "wide"] }, check: rows),
            Case(label: "get appconfigs -o json", arguments: { _ in ["get", "appconfigs", "-o", "json"] }) { output in
                let items = (try? JSONValue(parsingJSON: output))?["items"]?.arrayValue?.count
                return items == apps ? nil : "\(items ?? 0) items, not \(apps)"
            },
            Case(label: "status APP", arguments: { run in ["status", "app-\(run * apps / runs)"] }) { output in
                output.hasPrefix("ApplicationConfiguration app-") && output.contains("  healthy  ") ? nil : "not a healthy tree"
            },
        ]
        let executable = executable.map { URL(fileURLWithPath: $0) } ?? Self.executable()
        var results: [(String, [Double])] = []
        for benchCase in cases {
            var times: [Double] = []
            // One run first, not counted: the page cache and the server's first reads.
            for run in -1..<runs {
                let arguments = benchCase.arguments(max(run, 0)) + ["--kubeconfig", kubeconfig]
                let (seconds, status, output, errors) = try Self.time(executable, arguments)
                guard status == 0 else {
                    throw ValidationError("`mizzen \(arguments.joined(separator: " "))` exited \(status): \(errors)")
                }
                if let problem = benchCase.check(output) {
                    throw ValidationError("`mizzen \(arguments.joined(separator: " "))`: \(problem)")
                }
                if run >= 0 { times.append(seconds) }
            }
            results.append((benchCase.label, times))
        }
        let table = Table(
            ["APPS", "COMMAND", "RUNS", "P50", "P99"],
            rows: results.map { label, times in
                ["\(apps)", label, "\(times.count)", Self.milliseconds(Self.percentile(times, 0.5)),
                 Self.milliseconds(Self.percentile(times, 0.99))]
            })
        // Aligned even when piped: it is read by people, not by scripts.
        print(table.render(on: Terminal(isTTY: true, colors: false, width: 80)), terminator: "")
    }

    /// Runs `executable` with `arguments` to its end: its wall time, exit status, stdout and stderr.
    private static func time(_ executable: URL, _ arguments: [String]) throws -> (Double, Int32, String, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = seconds(clock.now - start)
        return (elapsed, process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    /// This executable, so the commands timed are the build being benchmarked.
    private static func executable() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// The plane's controllers for pods mode, sized for every application's Pods.
    private var clusterOptions: ClusterControllers.Options {
        var options = ClusterControllers.Options()
        options.workers = workers
        options.node.maxPods = max(110, apps * 10)
        options.node.podCIDR = "10.240.0.0/12"
        return options
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    private static func milliseconds(_ seconds: Double) -> String {
        String(format: "%.0f ms", seconds * 1000)
    }
}
