public import KubeClient
public import Logging
import ServiceLifecycle
import ControllerRuntime

/// Everything a Mizzen controller process runs, wired once for `mizzen serve` (in-process, next
/// to the embedded plane) and `mizzen controller` (against any cluster): the manager with the OAM
/// controllers, Kubernetes Events, optional leader election, and the probe and metrics server.
public struct ControllerService: Service {
    /// How the process runs its controllers.
    public struct Options: Sendable {
        public var controllers = OAMControllers.Options()
        /// The only namespace whose applications are reconciled; `nil` for every namespace.
        public var namespace: String?
        /// Run the controllers only while holding this Lease.
        public var leaderElection: LeaderElectionConfiguration?
        /// Where `/healthz`, `/readyz` and `/metrics` are served (`host:port`); none when `nil`.
        public var probeAddress: String?
        /// Served on `/metrics`; bootstrap it as the process's metrics backend first.
        public var metrics: PrometheusMetrics?
        /// Own only a shard's namespaces; in hash mode, act only while the shards agree.
        public var sharding: ControllerSharding?

        public init() {}
    }

    public let manager: Manager
    let events: EventRecorder
    let options: Options
    let logger: Logger

    /// Registers the controllers on a new manager for `client`.
    public init(client: KubernetesClient, options: Options, logger: Logger) {
        var eventOptions = EventRecorder.Options()
        eventOptions.host = options.leaderElection?.identity
        self.events = EventRecorder(client: client, options: eventOptions, logger: logger)
        self.manager = Manager(
            client: client, namespace: options.namespace,
            namespaceFilter: options.sharding.map { ShardFilter(shard: $0.shard, selector: $0.selector, client: client, logger: logger).namespaceFilter },
            logger: logger)
        self.options = options
        self.logger = logger
        OAMControllers.register(on: manager, options: options.controllers, events: events, logger: logger)
    }

    /// Runs until cancelled, a graceful shutdown, or — with leader election — the lease is lost
    /// (then it throws, and the process should exit so that another replica leads).
    public func run() async throws {
        let elector = try options.leaderElection.map {
            try LeaderElector(client: manager.client, configuration: $0, logger: logger)
        }
        let coordinator = options.leaderElection.flatMap { election in
            options.sharding?.coordinator(manager: manager, election: election, metrics: options.metrics, logger: logger)
        }
        let probes = try options.probeAddress.map { address in
            try ProbeServer(address: address, metrics: options.metrics, logger: logger) { [manager] in manager.isReady }
        }
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await events.run() }
                if let probes { group.addTask { try await probes.run() } }
                group.addTask {
                    if let elector {
                        try await manager.run { lead in
                            try await elector.runWhileLeader {
                                if let coordinator { try await coordinator.runWhenAgreed(lead) } else { try await lead() }
                            }
                        }
                    } else {
                        try await manager.run()
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
