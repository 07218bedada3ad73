public import ControllerRuntime
public import KubeClient
public import Logging
import ServiceLifecycle
import Synchronization

/// The embedded plane's own controllers: what kube-controller-manager, kube-scheduler and one
/// kubelet do for the built-in kinds, to the level a user can observe — Deployments roll out
/// through ReplicaSets to Pods, a scheduler binds the Pods to the simulated node, and a simulated
/// kubelet moves them through their lifecycle without running any container.
///
/// They speak only the Kubernetes API through ``KubernetesClient``, like the OAM controllers;
/// `mizzen serve` runs them next to the plane. Never run them against a real cluster: it has its
/// own.
///
/// ```swift
/// let plane = ClusterControllerService(client: client, logger: logger)
/// try await plane.run()   // until cancelled
/// ```
public enum ClusterControllers {
    /// The field manager of the controllers' writes, as kube-controller-manager's.
    public static let fieldManager = "kube-controller-manager"

    /// What runs, and how.
    public struct Options: Sendable {
        /// Workers per controller.
        public var workers = 2
        /// The areas whose controllers run; all by default.
        public var areas = Set(Area.allCases)
        /// The simulated node.
        public var node = NodeOptions()
        /// The horizontal-pod-autoscaler controller.
        public var horizontalPodAutoscaler = HorizontalPodAutoscalerOptions()
        /// The Job, CronJob and TTL controllers' timing (back-off, clock).
        public var jobs = JobOptions()

        public init() {}
    }

    /// A group of controllers that can be left out (tests run only those they need).
    public enum Area: String, CaseIterable, Sendable {
        /// The Node object, the scheduler and the kubelet simulator.
        case node
        /// Deployments and ReplicaSets.
        case deployments
        /// StatefulSets and DaemonSets.
        case statefulSetsAndDaemonSets
        /// Jobs and CronJobs.
        case jobs
        /// Endpoints and EndpointSlices from Services and Pods, and slices mirroring the
        /// Endpoints of Services without a selector.
        case endpoints
        /// PodDisruptionBudget and HorizontalPodAutoscaler status.
        case policy
        /// ClusterRole aggregation.
        case rbac
        /// ResourceQuota status (quota admission is the API server's, and runs without it).
        case quota
    }

    /// Registers the controllers of `options.areas` on `manager`; their Events go through `events`.
    public static func register(
        on manager: Manager, options: Options = Options(), events: ClusterEvents, logger: Logger
    ) {
        let context = ClusterContext(manager: manager, options: options, events: events, logger: logger)
        for area in Area.allCases where options.areas.contains(area) {
            switch area {
            case .node: NodeControllers.register(context)
            case .deployments: DeploymentControllers.register(context)
            case .statefulSetsAndDaemonSets: StatefulSetControllers.register(context)
            case .jobs: JobControllers.register(context)
            case .endpoints: EndpointControllers.register(context)
            case .policy: PolicyControllers.register(context)
            case .rbac: RBACControllers.register(context)
            case .quota: QuotaControllers.register(context)
            }
        }
    }
}

/// What every controller of the plane is built from.
struct ClusterContext: Sendable {
    let manager: Manager
    let options: ClusterControllers.Options
    let events: ClusterEvents
    let logger: Logger

    var client: KubernetesClient { manager.client }
    var workers: Int { options.workers }

    /// The Event sink of one component (`deployment-controller`, `default-scheduler`, `kubelet`…),
    /// as `source.component` of the Events it writes.
    func events(of component: String) -> any EventSink { events.sink(for: component) }
}

/// The Event recorders of the plane's components, one per component name, created on first use
/// and run by ``run()`` (recorders created after it started run from then on).
public final class ClusterEvents: Sendable {
    private let client: KubernetesClient
    private let logger: Logger
    private let state = Mutex<State>(State())

    private struct State {
        var recorders: [String: EventRecorder] = [:]
        var started: (@Sendable (EventRecorder) -> Void)?
    }

    public init(client: KubernetesClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The recorder writing Events as `component`.
    public func sink(for component: String) -> any EventSink {
        let (recorder, start) = state.withLock { state -> (EventRecorder, (@Sendable (EventRecorder) -> Void)?) in
            if let recorder = state.recorders[component] { return (recorder, nil) }
            var options = EventRecorder.Options()
            options.component = component
            let recorder = EventRecorder(client: client, options: options, logger: logger)
            state.recorders[component] = recorder
            return (recorder, state.started)
        }
        start?(recorder)
        return recorder
    }

    /// Events dropped by every recorder because its buffer was full.
    public var droppedCount: Int { state.withLock { $0.recorders.values.map(\.droppedCount).reduce(0, +) } }

    /// Returns once every recorder has written what was queued (benchmarks and tests).
    public func waitUntilIdle() async {
        for recorder in state.withLock({ Array($0.recorders.values) }) { await recorder.waitUntilIdle() }
    }

    /// Runs every recorder until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            let (stream, continuation) = AsyncStream<EventRecorder>.makeStream()
            let existing = state.withLock { state in
                state.started = { continuation.yield($0) }
                return Array(state.recorders.values)
            }
            for recorder in existing { group.addTask { await recorder.run() } }
            for await recorder in stream { group.addTask { await recorder.run() } }
        }
    }
}

/// The plane's controllers as one service: a manager of their own (they watch every namespace)
/// and their Event recorders.
public struct ClusterControllerService: Service {
    public let manager: Manager
    public let events: ClusterEvents

    public init(client: KubernetesClient, options: ClusterControllers.Options = .init(), logger: Logger) {
        self.manager = Manager(client: client, logger: logger)
        self.events = ClusterEvents(client: client, logger: logger)
        ClusterControllers.register(on: manager, options: options, events: events, logger: logger)
    }

    /// Runs until cancelled or a graceful shutdown.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await events.run() }
                group.addTask { try await manager.run() }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
