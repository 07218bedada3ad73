import ArgumentParser
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OAM
import OAMControllers
import OrderedCollections
import Resources

/// `mizzen bench reconcile --kubeconfig FILE`: the OAM controllers, as `mizzen controller` runs
/// them (its Event recorder included), converging N load-test applications on a real cluster,
/// then a no-op resync — counting every request their client sends, by verb and resource.
///
/// The applications go in a namespace of their own (`mizzen-bench-XXXXXX`, deleted at the end),
/// created before the controllers start, so that the controllers' CPU time is not mixed with
/// the creating. The controllers are scoped to that namespace; the CRDs and definitions they
/// need are applied cluster-wide as `mizzen install` applies them.
///
/// A cluster without a deployment controller or kubelet (the test kit) never reports a
/// Deployment available; the benchmark stands in for them with the Deployment-level
/// ``NodeSimulator``, on a client of its own whose requests are not counted: once a Deployment
/// exists its status says every replica is available, as kube-controller-manager would write
/// it. An application is converged, as on the embedded plane, when its AppConfig is synced at
/// its generation with both workloads and both Deployments are scaled as their traits say and
/// reported available.
struct ClusterReconcileBench {
    let bench: ReconcileBench
    let kubeconfig: String
    let recorder: DurationRecorder

    /// The kinds whose objects the controllers create for an application (the AppConfig's
    /// workloads and traits, what the ContainerizedWorkload translates to, the Components' revisions).
    static let renderedKinds = [
        GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ContainerizedWorkload"),
        GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
        GroupVersionKind(group: "", version: "v1", kind: "Service"),
        GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ManualScalerTrait"),
        LoadTestApplication.routeKind,
        LoadTestApplication.monitorKind,
        OAMKinds.controllerRevision,
    ]

    /// The kinds whose status the controllers write (Deployments' is the stand-in's).
    static let statusKinds = [
        OAMKinds.applicationConfiguration, OAMKinds.component,
        GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ContainerizedWorkload"),
        GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ManualScalerTrait"),
        LoadTestApplication.routeKind, LoadTestApplication.monitorKind,
    ]

    func run() async throws {
        var logger = Logger(label: "mizzen.bench")
        logger.logLevel = .critical
        // The benchmark's own client: the namespace, definitions, applications, the stand-in
        // for the deployment controller, the counting at the end. Not counted.
        var benchOptions = KubernetesClient.Options()
        benchOptions.qps = 0
        benchOptions.userAgent = "mizzen-bench/\(MizzenVersion.current)"
        let benchClient = try KubernetesClient(kubeconfig: kubeconfig, context: bench.context, options: benchOptions, logger: logger)
        // The controllers' client, counting what they send.
        let counter = RequestCounter()
        var options = KubernetesClient.Options()
        options.qps = bench.qps
        options.userAgent = "mizzen/\(MizzenVersion.current) (bench)"
        options.requestCounter = counter
        let client = try KubernetesClient(kubeconfig: kubeconfig, context: bench.context, options: options, logger: logger)

        let namespace = "mizzen-bench-" + String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
        var failure: (any Error)?
        do {
            try await prepare(namespace: namespace, client: benchClient)
            try await measure(namespace: namespace, client: client, counter: counter, benchClient: benchClient, logger: logger)
        } catch {
            failure = error
        }
        print("reconcile: deleting namespace \(namespace) (the cluster's namespace controller removes its objects in the background)")
        _ = try? await benchClient.delete(GroupVersionKind(group: "", version: "v1", kind: "Namespace"), name: namespace)
        try? await client.shutdown()
        try? await benchClient.shutdown()
        if let failure { throw failure }
    }

    /// The namespace, the CRDs and definitions (applied as `mizzen install` applies them, and the
    /// benchmark's two trait kinds), then every application.
    private func prepare(namespace: String, client: KubernetesClient) async throws {
        print("reconcile: \(bench.apps) applications (2 components, 5 traits each) on \(client.connection.server), namespace \(namespace)")
        _ = try await client.create(try Resource([
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": ["name": .string(namespace), "labels": ["app.kubernetes.io/created-by": "mizzen-bench"]],
        ]))
        let installer = Installer(client: client, timeout: .seconds(60))
        try await installer.install(
            crds: OAMCustomResourceDefinitions.all + LoadTestApplication.definitions.crds,
            definitions: BuiltinDefinitions.all + LoadTestApplication.definitions.traitDefinitions) { _ in }
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            let creators = 8
            for creator in 0..<creators {
                group.addTask {
                    for index in stride(from: creator, to: bench.apps, by: creators) {
                        for var object in LoadTestApplication.objects(index: index) {
                            object.namespace = namespace
                            _ = try await client.create(object)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        print("reconcile: created \(bench.apps * 3) objects (components and AppConfigs) in \(Self.format(clock.now - start)), before the controllers start")
    }

    private func measure(
        namespace: String, client: KubernetesClient, counter: RequestCounter, benchClient: KubernetesClient, logger: Logger
    ) async throws {
        // The controllers, as `mizzen controller --namespace` runs them.
        let manager = Manager(client: client, namespace: namespace, logger: logger)
        let events = EventRecorder(client: client, logger: logger)
        var controllerOptions = OAMControllers.Options()
        controllerOptions.workers = bench.workers
        OAMControllers.register(on: manager, options: controllerOptions, events: events, logger: logger)
        // The stand-in for the deployment controller and the kubelet, on the benchmark's client.
        let standIn = Manager(client: benchClient, namespace: namespace, logger: logger)
        for controller in WorkloadControllers.nodeSimulatorControllers(
            manager: standIn, kinds: [GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")], workers: 2,
            logger: logger)
        {
            standIn.add(controller)
        }
        let convergence = Convergence()
        convergence.watch(
            appConfigs: manager.informer(for: OAMKinds.applicationConfiguration),
            deployments: standIn.informer(for: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")))
        print("reconcile: \(bench.workers) workers per controller, client rate limit \(bench.qps > 0 ? "\(bench.qps) requests/s" : "none")")
        print("reconcile: Deployment status written by the benchmark (a stand-in for the deployment controller and kubelet the cluster may lack; its requests are not counted)")

        let clock = ContinuousClock()
        let start = clock.now
        let sampler = RunSampler(start: start)
        counter.reset()
        let cpuStart = ProcessUsage.cpuSeconds()
        let tasks: [Task<Void, Never>] = [
            Task { await events.run() },
            Task { try? await manager.run() },
            Task { try? await standIn.run() },
            Task { await sampler.run { convergence.convergedCount() } },
        ]
        defer { for task in tasks { task.cancel() } }

        let deadline = clock.now + .seconds(bench.timeout)
        while !convergence.converged(apps: bench.apps) {
            guard clock.now < deadline else {
                throw ValidationError("not converged after \(bench.timeout) s: \(convergence.convergedCount()) of \(bench.apps) applications")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let converged = clock.now - start
        sampler.mark("converged")
        await standIn.waitUntilIdle()
        await manager.waitUntilIdle()
        await events.waitUntilIdle()
        let convergeCPU = ProcessUsage.cpuSeconds() - cpuStart
        let convergeCounts = counter.reset()
        let rss = ProcessUsage.residentMiB()
        let peak = ProcessUsage.peakResidentMiB()
        print("reconcile: converged in \(Self.format(converged)) (\(Int(Double(bench.apps) / Self.seconds(converged))) apps/s), from the controllers' start")
        for (controller, durations) in recorder.durations().sorted(by: { $0.key < $1.key }) {
            print("reconcile: \(controller): \(durations.count) reconciles, p50 \(Self.percentile(durations, 0.5)), p99 \(Self.percentile(durations, 0.99))")
        }

        recorder.reset()
        sampler.mark("resync")
        let resyncStart = clock.now
        let resyncCPUStart = ProcessUsage.cpuSeconds()
        await manager.resync()
        await manager.waitUntilIdle()
        await events.waitUntilIdle()
        let resync = clock.now - resyncStart
        let resyncCPU = ProcessUsage.cpuSeconds() - resyncCPUStart
        let resyncCounts = counter.reset()
        let reconciles = recorder.durations().values.map(\.count).reduce(0, +)
        sampler.mark("end")
        for task in tasks { task.cancel() }
        sampler.sample(converged: convergence.convergedCount())

        print("reconcile: no-op resync of \(reconciles) objects in \(Self.format(resync))")
        print("reconcile: requests by the controllers' client (\(bench.apps) applications):")
        let table = RequestTable(phases: [
            .init(name: "converge", counts: convergeCounts), .init(name: "resync", counts: resyncCounts),
        ])
        for line in table.lines() { print("reconcile:   \(line)") }

        let budget = try await writeBudget(namespace: namespace, client: benchClient)
        let writes = RequestTable.writes(convergeCounts)
        print("reconcile: converge: \(writes) writes for \(budget.rendered) rendered objects, \(budget.withStatus) with status and \(budget.scalings) scalings: target ≤ \(budget.total) — \(writes <= budget.total ? "met" : "NOT met"); \(RequestTable.gets(convergeCounts)) GETs of single objects")
        let resyncWrites = RequestTable.writes(resyncCounts)
        let resyncGets = RequestTable.gets(resyncCounts)
        print("reconcile: resync: \(resyncWrites) writes, \(resyncGets) GETs of single objects: target 0 and none — \(resyncWrites == 0 && resyncGets == 0 ? "met" : "NOT met")")
        print("reconcile: controllers' process: \(String(format: "%.1f", convergeCPU)) CPU-seconds to converge, \(String(format: "%.1f", resyncCPU)) to resync; RSS \(rss) MiB, peak \(peak) MiB (the stand-in's Deployment cache and status writes included)")

        if let chartPath = bench.chartPath {
            let path = try sampler.writeChart(
                to: chartPath, title: "mizzen bench reconcile: \(bench.apps) applications on \(client.connection.server)",
                notes: [
                    "the controllers as mizzen controller runs them, \(bench.workers) workers per controller; Deployment status by the benchmark's stand-in",
                    "converged in \(Self.format(converged)); \(writes) writes; \(String(format: "%.1f", convergeCPU)) CPU-seconds; peak RSS \(peak) MiB",
                ],
                apps: bench.apps)
            print("reconcile: chart written to \(path)")
        }
    }

    /// What the targets allow the convergence: one write per rendered object, one status write
    /// per object whose status the controllers write, and one scaling per ManualScalerTrait.
    private func writeBudget(namespace: String, client: KubernetesClient) async throws
        -> (rendered: Int, withStatus: Int, scalings: Int, total: Int)
    {
        var rendered = 0
        var withStatus = 0
        var scalings = 0
        var listed: [GroupVersionKind: [Resource]] = [:]
        for kind in Set(Self.renderedKinds + Self.statusKinds) {
            listed[kind] = try await client.listAll(kind, namespace: namespace, pageSize: 5_000).items
        }
        for kind in Self.renderedKinds { rendered += listed[kind]?.count ?? 0 }
        for kind in Self.statusKinds {
            withStatus += listed[kind]?.count { !($0.status?.objectValue?.isEmpty ?? true) } ?? 0
            if kind.kind == "ManualScalerTrait" { scalings = listed[kind]?.count ?? 0 }
        }
        return (rendered, withStatus, scalings, rendered + withStatus + scalings)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ duration: Duration) -> String { String(format: "%.2f s", seconds(duration)) }

    static func percentile(_ values: [Int64], _ fraction: Double) -> String {
        guard !values.isEmpty else { return "-" }
        let sorted = values.sorted()
        let nanoseconds = sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
        return String(format: "%.2f ms", Double(nanoseconds) / 1e6)
    }
}
