import APIServer
import ArgumentParser
import ClusterControllers
import OAMControllers
import ControllerRuntime
import CoreMetrics
import Foundation
import KubeClient
import Logging
import OAM
import Resources
import Synchronization

struct ReconcileBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Time the controllers converging N applications on the embedded plane, then a no-op resync.",
        discussion: """
            Starts the embedded control plane in a temporary directory with the OAM controllers \
            and what runs workloads in the same process, as `mizzen serve` runs them, and creates \
            N copies of a load-test application shaped like KubeVela's: two components (a \
            ContainerizedWorkload with a ManualScalerTrait and a route-like trait, and a worker \
            Deployment) and five traits in all. It prints the time until every application is \
            converged (synced, every workload scaled and reported available), the p50/p99 of \
            reconcile durations, the writes the controllers made and the peak RSS; then a full \
            resync with nothing changed: its time and its writes (which must be 0).

            --node-simulation says what runs the workloads: pods (the default, as `mizzen \
            serve`): the plane's own controllers — Deployment → ReplicaSet → Pod, the scheduler \
            and the simulated kubelet — so every replica is a Pod; deployments: the old \
            Deployment-level node simulator, which writes Deployment status directly and creates \
            no ReplicaSet or Pod (the figures measured before the plane had Pods).

            Example:
              swift build -c release && .build/release/mizzen bench reconcile --apps 1000
            """)

    @Option(help: "How many applications to create.")
    var apps = 1_000

    @Option(help: "Reconciles run at once per controller.")
    var workers = 8

    @Option(help: "How long to wait for convergence, in seconds, before giving up.")
    var timeout = 900

    @Option(help: "What runs workloads: pods (the plane's controllers and simulated node) or deployments (the old Deployment-level simulator, no Pods).")
    var nodeSimulation: NodeSimulation = .pods

    @Option(help: "How the controllers reach the embedded plane: in-process (the default, as `mizzen serve`: calls to the server, no socket) or https (over the network, as from another process).")
    var client: EmbeddedClientPath = .inProcess

    @Option(help: "Run against the cluster of this kubeconfig instead of an embedded plane, in a namespace of its own deleted after, and count the controllers' requests by verb and resource.")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context (with --kubeconfig; default: its current-context).")
    var context: String?

    @Option(help: "Requests per second the controllers' client may send (with --kubeconfig; 0: no limit).")
    var qps: Double = 0

    @Option(help: "Where to write the SVG chart of applications converged and RSS over time (default: bench-reconcile-N-MODE.svg in the current directory; \"\" for none).")
    var chart: String?

    /// Where the chart goes, or `nil` for none.
    var chartPath: String? {
        if let chart { return chart.isEmpty ? nil : chart }
        return "bench-reconcile-\(apps)-\(kubeconfig == nil ? nodeSimulation.rawValue : "cluster").svg"
    }

    func validate() throws {
        guard nodeSimulation != .none else {
            throw ValidationError("--node-simulation none: nothing would make the Deployments available; use pods or deployments")
        }
    }

    func run() async throws {
        BenchCommand.printLineByLine()
        let recorder = DurationRecorder()
        MetricsSystem.bootstrap(recorder)
        if let kubeconfig {
            try await ClusterReconcileBench(bench: self, kubeconfig: kubeconfig, recorder: recorder).run()
            return
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mizzen-bench-reconcile-\(UUID().uuidString)")
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
        // Every request of the controllers (and of the benchmark's creates) counted by resource
        // and verb, so a run says what the convergence and the resync asked of the server.
        let counter = RequestCounter()
        clientOptions.requestCounter = counter
        let client = try KubernetesClient(
            kubeconfig: endpoint.kubeconfig.path, options: clientOptions, logger: logger,
            through: self.client == .inProcess ? EmbeddedServerLink(server: server) : nil)
        do {
            try await measure(client: client, counter: counter, recorder: recorder, logger: logger)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    private func measure(
        client: KubernetesClient, counter: RequestCounter, recorder: DurationRecorder, logger: Logger
    ) async throws {
        try await LoadTestApplication.installDefinitions(client)
        let manager = Manager(client: client, logger: logger)
        var options = OAMControllers.Options()
        options.workers = workers
        // The old mode runs the simulator on the OAM controllers' manager, as it was measured.
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

        print("reconcile: \(apps) applications (2 components, 5 traits each), \(workers) workers per controller")
        print("reconcile: node simulation: \(nodeSimulation.summary)")
        print("reconcile: the controllers reach the API server \(self.client.summary)")
        if nodeSimulation == .pods {
            // Simulated time, not work: every Pod waits this long per step of its start.
            print("reconcile: the simulated kubelet takes \(clusterOptions.node.stepDuration) per step of a Pod's start (sandbox, pull, create, start)")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let sampler = RunSampler(start: start)
        let sampling = Task { await sampler.run { convergence.convergedCount() } }
        defer { sampling.cancel() }
        let before = try await currentResourceVersion(client)
        counter.reset()
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
        let created = clock.now - start
        sampler.mark("created")
        print("reconcile: created \(apps * 3) objects (components and AppConfigs) in \(format(created))")

        let deadline = clock.now + .seconds(timeout)
        while !convergence.converged(apps: apps) {
            guard clock.now < deadline else {
                throw ValidationError("not converged after \(timeout) s")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let converged = clock.now - start
        sampler.mark("converged")
        await manager.waitUntilIdle()
        await cluster?.manager.waitUntilIdle()
        // The Events of what happened are written behind it; they belong to the convergence.
        await cluster?.events.waitUntilIdle()
        let convergeCounts = counter.reset()
        let after = try await currentResourceVersion(client)
        let writes = after - before - Int64(apps * 3)
        print("reconcile: converged in \(format(converged)) (\(Int(Double(apps) / seconds(converged))) apps/s)")
        for (controller, durations) in recorder.durations().sorted(by: { $0.key < $1.key }) {
            print("reconcile: \(controller): \(durations.count) reconciles, p50 \(percentile(durations, 0.5)), p99 \(percentile(durations, 0.99))")
        }
        print("reconcile: \(writes) writes by the controllers (\(String(format: "%.1f", Double(writes) / Double(apps))) per app)")
        if let cluster {
            let counts = [("Pod", ""), ("ReplicaSet", "apps")].map { kind, group in
                let count = cluster.manager.existingInformer(for: GroupVersionKind(group: group, version: "v1", kind: kind))?
                    .cache.count ?? 0
                return "\(count) \(kind)s"
            }
            print("reconcile: \(counts.joined(separator: ", ")) (the writes include them, their status and their Events; \(cluster.events.droppedCount) Events dropped by full buffers)")
        }
        print("reconcile: RSS \(memory("VmRSS")) MiB, peak \(memory("VmHWM")) MiB (API server, store and controllers in one process)")

        let tally = WriteTally()
        await tally.attach(to: [manager] + (cluster.map { [$0.manager] } ?? []))
        recorder.reset()
        tally.start()
        sampler.mark("resync")
        let resyncStart = clock.now
        await manager.resync()
        await manager.waitUntilIdle()
        await cluster?.events.waitUntilIdle()
        let resync = clock.now - resyncStart
        let resyncCounts = counter.reset()
        let resynced = try await currentResourceVersion(client)
        let reconciles = recorder.durations().values.map(\.count).reduce(0, +)
        print("reconcile: no-op resync of \(reconciles) objects in \(format(resync)), \(resynced - after) writes")
        report(tally.stop())
        print("reconcile: requests to the API server by resource and verb (the benchmark's \(apps * 3) creates included):")
        for line in RequestTable(phases: [
            RequestTable.Phase(name: "converge", counts: convergeCounts),
            RequestTable.Phase(name: "resync", counts: resyncCounts),
        ]).lines() {
            print("reconcile:   \(line)")
        }
        if let cluster {
            recorder.reset()
            tally.start()
            let start = clock.now
            await cluster.manager.resync()
            await cluster.manager.waitUntilIdle()
            await cluster.events.waitUntilIdle()
            let time = clock.now - start
            let written = try await currentResourceVersion(client) - resynced
            let count = recorder.durations().values.map(\.count).reduce(0, +)
            print("reconcile: no-op resync of the plane's controllers: \(count) objects in \(format(time)), \(written) writes")
            report(tally.stop())
        }
        sampler.mark("end")
        sampling.cancel()
        _ = await sampling.value
        sampler.sample(converged: convergence.convergedCount())
        if let chartPath {
            let path = try sampler.writeChart(
                to: chartPath, title: "mizzen bench reconcile: \(apps) applications, embedded plane",
                notes: [
                    "node simulation: \(nodeSimulation.summary)",
                    "converged in \(format(converged)), \(workers) workers per controller; \(writes) writes by the controllers; "
                        + "peak RSS \(memory("VmHWM")) MiB; \(ProcessInfo.processInfo.activeProcessorCount) cores",
                ],
                apps: apps)
            print("reconcile: chart written to \(path)")
        }
        running.cancel()
        clusterRunning?.cancel()
        _ = await running.result
        _ = await clusterRunning?.result
    }

    /// Prints what a resync changed, when it changed anything.
    private func report(_ tally: (counts: [(kind: String, count: Int)], examples: [String])) {
        guard !tally.counts.isEmpty else { return }
        print("reconcile:   changed, as the informers saw it: "
            + tally.counts.map { "\($0.count) \($0.kind)" }.joined(separator: ", "))
        for example in tally.examples { print("reconcile:     \(example)") }
        if tally.counts.allSatisfy({ $0.kind == "Lease" }) {
            print("reconcile:   (the simulated node's heartbeat: kubelet renews its Lease every 10 s whether or not anything changed)")
        }
    }

    /// The plane's controllers with as many workers as the OAM ones.
    private var clusterOptions: ClusterControllers.Options {
        var options = ClusterControllers.Options()
        options.workers = workers
        // One simulated node holds every application's Pods: a kubelet's 110 Pods and a /24 of
        // Pod IPs would leave all but the first few dozen applications Pending for ever.
        options.node.maxPods = max(110, apps * 10)
        options.node.podCIDR = "10.240.0.0/12"
        return options
    }

    /// The newest resourceVersion of the store: every write moves it by one.
    private func currentResourceVersion(_ client: KubernetesClient) async throws -> Int64 {
        let list = try await client.list(
            GroupVersionKind(group: "", version: "v1", kind: "Namespace"), options: ListOptions(limit: 1))
        return Int64(list.resourceVersion) ?? 0
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func format(_ duration: Duration) -> String {
        String(format: "%.2f s", seconds(duration))
    }

    private func percentile(_ values: [Int64], _ fraction: Double) -> String {
        guard !values.isEmpty else { return "-" }
        let sorted = values.sorted()
        let nanoseconds = sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
        return String(format: "%.2f ms", Double(nanoseconds) / 1e6)
    }

    private func memory(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes / 1024
    }
}

/// The application the benchmark creates N times, after KubeVela's load-test template.
enum LoadTestApplication {
    static let routeKind = GroupVersionKind(group: "bench.mizzen.dev", version: "v1", kind: "Route")
    static let monitorKind = GroupVersionKind(group: "bench.mizzen.dev", version: "v1", kind: "Monitor")

    /// CRDs and TraitDefinitions of the route-like and the monitoring trait.
    static func installDefinitions(_ client: KubernetesClient) async throws {
        for object in definitions.crds + definitions.traitDefinitions { _ = try await client.create(object) }
    }

    /// The CRDs of the route-like and the monitoring trait, and their TraitDefinitions.
    static var definitions: (crds: [Resource], traitDefinitions: [Resource]) {
        var crds: [Resource] = []
        var traitDefinitions: [Resource] = []
        for (kind, plural) in [("Route", "routes"), ("Monitor", "monitors")] {
            let crd: JSONValue = [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": .string("\(plural).bench.mizzen.dev")],
                "spec": [
                    "group": "bench.mizzen.dev", "scope": "Namespaced",
                    "names": ["kind": .string(kind), "plural": .string(plural)],
                    "versions": [[
                        "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                        "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                    ]],
                ],
            ]
            crds += [try? Resource(crd)].compactMap { $0 }
            let definition: JSONValue = [
                "apiVersion": "core.oam.dev/v1alpha2", "kind": "TraitDefinition",
                "metadata": ["name": .string("\(plural).bench.mizzen.dev")],
                "spec": ["workloadRefPath": "spec.workloadRef",
                         "definitionRef": ["name": .string("\(plural).bench.mizzen.dev")]],
            ]
            traitDefinitions += [try? Resource(definition)].compactMap { $0 }
        }
        return (crds, traitDefinitions)
    }

    /// The two Components and the AppConfig of application `index`.
    static func objects(index: Int) -> [Resource] {
        let web: JSONValue = [
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "Component",
            "metadata": ["name": .string("web-\(index)")],
            "spec": [
                "workload": [
                    "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
                    "spec": ["containers": [[
                        "name": "web", "image": "nginx:1.25",
                        "ports": [["name": "http", "containerPort": 8080]],
                        "env": [["name": "MODE", "value": "production"]],
                    ]]],
                ],
                "parameters": [["name": "image", "fieldPaths": ["spec.containers[0].image"]]],
            ],
        ]
        let worker: JSONValue = [
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "Component",
            "metadata": ["name": .string("worker-\(index)")],
            "spec": [
                "workload": [
                    "apiVersion": "apps/v1", "kind": "Deployment",
                    "spec": [
                        "selector": ["matchLabels": ["app": .string("worker-\(index)")]],
                        "template": [
                            "metadata": ["labels": ["app": .string("worker-\(index)")]],
                            "spec": ["containers": [["name": "worker", "image": "busybox:1.36", "args": ["sleep", "infinity"]]]],
                        ],
                    ],
                ],
            ],
        ]
        func trait(_ kind: String, _ apiVersion: String, _ spec: JSONValue) -> JSONValue {
            ["trait": ["apiVersion": .string(apiVersion), "kind": .string(kind), "spec": spec]]
        }
        let app: JSONValue = [
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ApplicationConfiguration",
            "metadata": ["name": .string("app-\(index)")],
            "spec": ["components": [
                [
                    "componentName": .string("web-\(index)"),
                    "parameterValues": [["name": "image", "value": "nginx:1.25.3"]],
                    "traits": [
                        trait("ManualScalerTrait", "core.oam.dev/v1alpha2", ["replicaCount": 2]),
                        trait("Route", "bench.mizzen.dev/v1", ["host": .string("app-\(index).example.com"), "path": "/"]),
                        trait("Monitor", "bench.mizzen.dev/v1", ["port": 8080, "interval": "30s"]),
                    ],
                ],
                [
                    "componentName": .string("worker-\(index)"),
                    "traits": [
                        trait("ManualScalerTrait", "core.oam.dev/v1alpha2", ["replicaCount": 1]),
                        trait("Monitor", "bench.mizzen.dev/v1", ["port": 9090, "interval": "60s"]),
                    ],
                ],
            ]],
        ]
        return [web, worker, app].compactMap { try? Resource($0) }
    }

    /// Whether an AppConfig is synced at its generation with both workloads.
    static func isSynced(_ app: Resource) -> Bool {
        app.valueIfPresent(at: "status.conditions[0].status") == "True"
            && app.valueIfPresent(at: "status.observedGeneration")?.intValue == app.generation
            && app.valueIfPresent(at: "status.workloads")?.arrayValue?.count == 2
    }

    /// Whether a Deployment is scaled as its trait says and reported available.
    static func isReady(_ deployment: Resource) -> Bool {
        let wanted = deployment.valueIfPresent(at: "spec.replicas")?.intValue
        return wanted != nil && deployment.valueIfPresent(at: "status.readyReplicas")?.intValue == wanted
            && (deployment.name.hasPrefix("web-") ? wanted == 2 : wanted == 1)
    }
}

/// Which AppConfigs are synced and which Deployments ready, kept up to date from the informers'
/// events, so that polling for convergence reads no cache.
final class Convergence: Sendable {
    private let state = Mutex<(synced: Set<ObjectKey>, ready: Set<ObjectKey>)>(([], []))

    /// Follows the two informers; call before they start.
    func watch(appConfigs: Informer, deployments: Informer) {
        appConfigs.addHandler { [self] event in
            let key = ObjectKey(event.object)
            let synced = if case .deleted = event { false } else { LoadTestApplication.isSynced(event.object) }
            state.withLock { if synced { $0.synced.insert(key) } else { $0.synced.remove(key) } }
        }
        deployments.addHandler { [self] event in
            let key = ObjectKey(event.object)
            let ready = if case .deleted = event { false } else { LoadTestApplication.isReady(event.object) }
            state.withLock { if ready { $0.ready.insert(key) } else { $0.ready.remove(key) } }
        }
    }

    /// Whether every AppConfig is synced at its generation and every Deployment is scaled and
    /// available.
    func converged(apps: Int) -> Bool {
        state.withLock { $0.synced.count >= apps && $0.ready.count >= apps * 2 }
    }

    /// How many applications are converged: their AppConfig (`app-K`) synced, and both their
    /// Deployments (`web-K`, `worker-K`) scaled and available.
    func convergedCount() -> Int {
        state.withLock { state in
            state.synced.count { key in
                guard key.name.hasPrefix("app-") else { return false }
                let index = key.name.dropFirst(4)
                return state.ready.contains(ObjectKey(namespace: key.namespace, name: "web-\(index)"))
                    && state.ready.contains(ObjectKey(namespace: key.namespace, name: "worker-\(index)"))
            }
        }
    }
}

/// Keeps every reconcile duration in memory, by controller, for percentiles.
final class DurationRecorder: MetricsFactory, Sendable {
    private let values = Mutex<[String: [Int64]]>([:])

    func durations() -> [String: [Int64]] { values.withLock { $0 } }
    func reset() { values.withLock { $0 = [:] } }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { NOOPMetricsHandler.instance }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        NOOPMetricsHandler.instance
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard label == "mizzen_reconcile_duration_seconds",
            let controller = dimensions.first(where: { $0.0 == "controller" })?.1
        else { return NOOPMetricsHandler.instance }
        return Handler(controller: controller, recorder: self)
    }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    fileprivate func record(_ controller: String, _ nanoseconds: Int64) {
        values.withLock { $0[controller, default: []].append(nanoseconds) }
    }

    private final class Handler: TimerHandler, Sendable {
        let controller: String
        let recorder: DurationRecorder
        init(controller: String, recorder: DurationRecorder) {
            self.controller = controller
            self.recorder = recorder
        }
        func recordNanoseconds(_ duration: Int64) { recorder.record(controller, duration) }
    }
}

/// How the benchmark's controllers reach the embedded plane.
enum EmbeddedClientPath: String, ExpressibleByArgument, CaseIterable, Sendable {
    case inProcess = "in-process"
    case https

    var summary: String {
        switch self {
        case .inProcess: "in-process (calls to the server, as `mizzen serve`)"
        case .https: "over HTTPS on the loopback (as a client in another process)"
        }
    }
}
