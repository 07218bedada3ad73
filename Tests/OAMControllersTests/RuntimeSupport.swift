import APIServer
// Not among the target's declared dependencies (Package.swift): built and linked for
// ClusterControllersTests and the mizzen executable, so it is found.
import ClusterControllers
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// Where a controller test runs: a fresh embedded plane, or a namespace of the real
/// kube-apiserver kit named by `MIZZEN_REAL_K8S` (see ``RealCluster``).
enum Substrate: String, Sendable, CaseIterable, CustomStringConvertible {
    case embedded
    case realCluster

    /// The substrates this run can use: the embedded plane always, the kit when configured.
    static var available: [Substrate] { RealCluster.isConfigured ? [.embedded, .realCluster] : [.embedded] }

    var description: String { rawValue }

    /// Whether Pods run here when a test asks for its workloads to run: on the embedded plane
    /// its own controllers and simulated node do (``WorkloadRunner``); the kit has no kubelet.
    var runsPods: Bool { self == .embedded }
}

/// What makes a test's workloads run when it asks for it (`options.nodeSimulator`,
/// `withWorkloadControllers(nodeSimulator: true)`), as `mizzen serve` does by default:
///
/// - `.embedded`: the plane's own controllers, all areas (``ClusterControllerService``: Deployment →
///   ReplicaSet → Pod, StatefulSets, DaemonSets, Jobs, the scheduler and the simulated kubelet
///   of the Node `mizzen`), watching every namespace of the test's plane;
/// - `.realCluster`: the kit runs kube-controller-manager without its deployment controller and
///   has no kubelet, so the Deployment-level ``NodeSimulator`` reports Deployments available
///   (its StatefulSet controller owns StatefulSet status, which stays unready with no node).
enum WorkloadRunner {
    /// The kinds the Deployment-level simulator reports on, on the kit.
    static let simulatedKindsOnRealCluster = NodeSimulator.kinds.filter { $0.kind == "Deployment" }

    /// Adds the Deployment-level simulator to the test's manager where it is the runner.
    static func register(on manager: Manager, substrate: Substrate, logger: Logger) {
        guard !substrate.runsPods else { return }
        for controller in WorkloadControllers.nodeSimulatorControllers(
            manager: manager, kinds: simulatedKindsOnRealCluster, workers: 2, logger: logger)
        {
            manager.add(controller)
        }
    }

    /// The plane's controllers where they are the runner (run them next to the test's manager).
    static func clusterControllers(on substrate: Substrate, client: KubernetesClient, logger: Logger)
        -> ClusterControllerService?
    {
        guard substrate.runsPods else { return nil }
        var options = ClusterControllers.Options()
        options.node = .fast
        return ClusterControllerService(client: client, options: options, logger: logger)
    }
}

/// A substrate with the OAM kinds, a client and a running manager with the OAM controllers, for
/// one test; everything is stopped at the end, also when the test fails.
///
/// - `.embedded`: a fresh embedded plane; the test's namespace is `default`.
/// - `.realCluster`: the kit of `MIZZEN_REAL_K8S` (started if need be, the OAM CRDs and built-in
///   definitions installed once per process as `mizzen install` does), a fresh namespace
///   `mizzen-test-xxxxxxxx` and a manager scoped to it; at the end the namespace is deleted
///   (not waited for).
///
/// Neither substrate runs workloads unless the test asks (`options.nodeSimulator`): nobody
/// writes a Deployment's status then, so a workload is unready unless the test says otherwise —
/// the same on both. When asked, ``WorkloadRunner`` makes them run: Pods on the embedded plane,
/// the Deployment-level simulator on the kit.
struct Runtime {
    let substrate: Substrate
    /// The embedded plane, on `.embedded`.
    let plane: EmbeddedPlane?
    let client: KubernetesClient
    let manager: Manager
    /// The namespace the test's namespaced objects live in.
    let namespace: String
    /// The plane's own controllers, when they run the test's workloads (``WorkloadRunner``).
    let clusterControllers: ClusterControllerService?

    static func with(
        on substrate: Substrate = .embedded, options: OAMControllers.Options = OAMControllers.Options(),
        _ body: (Runtime) async throws -> Void
    ) async throws {
        var options = options
        // What runs workloads is the substrate's (WorkloadRunner), not the OAM controllers' own simulator.
        let runWorkloads = options.nodeSimulator
        options.nodeSimulator = false
        try await with(on: substrate, runningWorkloads: runWorkloads, registering: { manager, logger in
            OAMControllers.register(on: manager, options: options, logger: logger)
        }, body)
    }

    /// A substrate, a client and a manager running the controllers `register` adds, and — with
    /// `runningWorkloads` — what makes workloads run there (``WorkloadRunner``).
    static func with(
        on substrate: Substrate = .embedded, runningWorkloads: Bool = false,
        registering register: (Manager, Logger) -> Void, _ body: (Runtime) async throws -> Void
    ) async throws {
        let place = try await TestPlace.open(on: substrate)
        var logger = Logger(label: "mizzen.test.controllers")
        logger.logLevel = .critical
        let manager = Manager(client: place.client, namespace: place.scope, logger: logger)
        register(manager, logger)
        if runningWorkloads { WorkloadRunner.register(on: manager, substrate: substrate, logger: logger) }
        let running = Task { try await manager.run() }
        let cluster = runningWorkloads
            ? WorkloadRunner.clusterControllers(on: substrate, client: place.client, logger: logger) : nil
        let workloads = cluster.map { cluster in Task { try await cluster.run() } }
        var failure: (any Error)?
        do {
            try await body(Runtime(
                substrate: substrate, plane: place.plane, client: place.client, manager: manager,
                namespace: place.namespace, clusterControllers: cluster))
        } catch {
            failure = error
        }
        workloads?.cancel()
        running.cancel()
        _ = await workloads?.result
        _ = await running.result
        await place.close()
        if let failure { throw failure }
    }

    /// Creates `yaml`'s objects (one or more documents). A namespaced object without a namespace
    /// goes to the test's ``namespace``. A cluster-scoped one (a CRD, a definition) is applied
    /// instead, server-side: other tests on the same real cluster create the very same object,
    /// and applying what is already there changes nothing.
    @discardableResult
    func create(_ yaml: String) async throws -> [Resource] {
        var created: [Resource] = []
        for document in try DocumentDecoder.decode(yaml, file: "test.yaml") {
            var object = try Resource(document.value)
            if try await client.mapper.mapping(for: object.groupVersionKind).namespaced {
                if object.namespace == nil { object.namespace = namespace }
                created.append(try await client.create(object))
            } else {
                created.append(try await client.apply(object, fieldManager: "mizzen-tests", force: true))
            }
        }
        return created
    }

    /// The object, or `nil` when there is none; in the test's namespace unless told otherwise.
    func get(_ kind: GroupVersionKind, _ name: String, namespace: String? = nil) async throws -> Resource? {
        do {
            return try await client.get(kind, name: name, namespace: namespace ?? self.namespace)
        } catch let error as APIError where error.reason == .notFound {
            return nil
        }
    }

    /// The resourceVersions of `objects` once the test's controllers are idle and those objects
    /// have kept them for `quiet`: the event of a write just made (by the plane's own controllers,
    /// say) may still be on its way to an informer, and the catch-up it queues is not what a
    /// resync check means to catch. Gives up after `timeout` and returns what it read last.
    func settled(
        _ objects: [(GroupVersionKind, String)], quiet: Duration = .milliseconds(500), timeout: Duration = .seconds(30)
    ) async throws -> [String?] {
        let managers = [manager] + (clusterControllers.map { [$0.manager] } ?? [])
        func read() async throws -> [String?] {
            for manager in managers { await manager.waitUntilIdle() }
            var versions: [String?] = []
            for (kind, name) in objects { versions.append(try await get(kind, name)?.resourceVersion) }
            return versions
        }
        let deadline = ContinuousClock.now + timeout
        var last = try await read()
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: quiet)
            let now = try await read()
            if now == last { return now }
            last = now
        }
        return last
    }

    /// Expects a full resync of the test's controllers (the OAM ones and, where the test runs
    /// them, the plane's), once worked through, to write none of `objects`: they settle first,
    /// then every controller looks at everything again.
    func expectResyncWritesNothing(
        _ objects: [(GroupVersionKind, String)], sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws {
        let managers = [manager] + (clusterControllers.map { [$0.manager] } ?? [])
        let before = try await settled(objects)
        for manager in managers { await manager.resync() }
        for manager in managers { await manager.waitUntilIdle() }
        var after: [String?] = []
        for (kind, name) in objects { after.append(try await get(kind, name)?.resourceVersion) }
        #expect(after == before, "a resync wrote \(objects.map { "\($0.0.kind)/\($0.1)" }): \(before) → \(after)",
                sourceLocation: sourceLocation)
    }

    /// How long a wait gives a controller: generous, since only a failing test waits that long
    /// and a loaded 2-core machine (or the real kit) can take many seconds to converge.
    static let patience: Duration = .seconds(60)

    /// Waits until `condition` holds on the object (which must come to exist), and returns it.
    @discardableResult
    func waitFor(
        _ kind: GroupVersionKind, _ name: String, namespace: String? = nil, timeout: Duration = Runtime.patience,
        _ condition: @escaping (Resource) -> Bool = { _ in true }
    ) async throws -> Resource {
        var last: Resource?
        let ok = try await eventually(timeout: timeout) {
            last = try await get(kind, name, namespace: namespace)
            return last.map(condition) ?? false
        }
        guard ok, let last else {
            Issue.record("\(kind.kind)/\(name) did not reach the expected state; last seen: \(last.map { $0.value.jsonString(pretty: true) } ?? "absent")")
            throw RuntimeTestError.timeout
        }
        return last
    }

    /// Reads the object, changes it with `change` and writes it back, again from a fresh read
    /// when a controller wrote it in between (409), as `kubectl edit` users and client-go's
    /// RetryOnConflict do.
    @discardableResult
    func edit(
        _ kind: GroupVersionKind, _ name: String, namespace: String? = nil, _ change: (inout Resource) throws -> Void
    ) async throws -> Resource {
        for attempt in 1...10 {
            var object = try await client.get(kind, name: name, namespace: namespace ?? self.namespace)
            try change(&object)
            do {
                return try await client.update(object)
            } catch let error as APIError where error.reason == .conflict && attempt < 10 {
                continue
            }
        }
        throw RuntimeTestError.timeout
    }

    /// Waits until the object is gone.
    func waitForAbsence(_ kind: GroupVersionKind, _ name: String, namespace: String? = nil) async throws {
        let gone = try await eventually(timeout: Runtime.patience) { try await get(kind, name, namespace: namespace) == nil }
        #expect(gone, "\(kind.kind)/\(name) should be gone")
    }
}

enum RuntimeTestError: Error {
    case timeout
}

enum Kinds {
    static let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let configMap = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")
    static let revision = OAMKinds.controllerRevision
    static let appConfig = OAMKinds.applicationConfiguration
    static let component = OAMKinds.component
    static let healthScope = GroupVersionKind(group: OAM.group, version: OAM.version, kind: "HealthScope")
    static let manualScaler = GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ManualScalerTrait")
}

/// Objects several controller tests start from.
enum Fixtures {
    /// A `db` Component whose ConfigMap holds a database URL and an `api` Component whose
    /// ConfigMap can take it through a data input; a document separator follows, for the
    /// AppConfig the test writes after it.
    static let databaseAndAPIComponents = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: db}
        spec:
          workload: {apiVersion: v1, kind: ConfigMap, data: {url: "postgres://db:5432"}}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: api}
        spec:
          workload: {apiVersion: v1, kind: ConfigMap, data: {mode: serve}}
        ---

        """
}
