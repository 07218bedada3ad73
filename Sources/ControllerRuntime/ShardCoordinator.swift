import Foundation
public import KubeClient
public import Logging
import Metrics
import OrderedCollections
import Resources
import Synchronization

/// Runs a shard's controllers only while the shards agree on their count (``ShardAgreement``),
/// and reports which shard this process is and how many namespaces it owns, in its log and its
/// metrics.
///
/// It runs inside leader election on the shard's own Lease (whose holder records `I/N` on it,
/// ``LeaderElectionConfiguration/annotations``): the shard's leader reads its peers' Leases,
/// waits while any live one records another shard count, then leads. Once acting it keeps
/// acting (and warns) if a Lease of another count appears: that shard waits for it instead, so
/// the applications stay managed until the old shards stop.
///
/// ```swift
/// let coordinator = ShardCoordinator(client: client, configuration: .init(
///     shard: shard, leasePrefix: "mizzen-controller", leaseNamespace: "mizzen-system"))
/// try await manager.run { lead in try await elector.runWhileLeader { try await coordinator.runWhenAgreed(lead) } }
/// ```
public final class ShardCoordinator: Sendable {
    /// Where the shards' Leases are and how often they are read.
    public struct Configuration: Sendable, Hashable {
        public var shard: Shard
        /// Shard `I` holds the Lease `<leasePrefix>-shard-<I>`.
        public var leasePrefix: String
        public var leaseNamespace: String
        /// The pause between two readings of the peers' Leases (and of the namespaces owned).
        public var checkInterval: Duration = .seconds(2)

        public init(shard: Shard, leasePrefix: String, leaseNamespace: String) {
            self.shard = shard
            self.leasePrefix = leasePrefix
            self.leaseNamespace = leaseNamespace
        }

        /// This shard's Lease.
        public var leaseName: String { ShardAgreement.leaseName(prefix: leasePrefix, index: shard.index) }
    }

    public let configuration: Configuration
    let client: KubernetesClient
    let logger: Logger
    let ownedNamespaces: @Sendable () -> Set<String>
    let gauges: Gauges
    private let state = Mutex(State())

    private struct State {
        var acting = false
        var lastReport: String?
        var namespaces: Int?
    }

    /// The shard's metrics: `mizzen_shard_info{shard,shards}` (1), `mizzen_shard_namespaces`
    /// (namespaces with applications it owns), `mizzen_shard_acting` (1 while its controllers
    /// run, 0 while it waits for the shards to agree).
    struct Gauges: Sendable {
        let info: Gauge
        let namespaces: Gauge
        let acting: Gauge

        init(shard: Shard, factory: (any MetricsFactory)?) {
            func gauge(_ label: String, _ dimensions: [(String, String)]) -> Gauge {
                factory.map { Gauge(label: label, dimensions: dimensions, factory: $0) } ?? Gauge(label: label, dimensions: dimensions)
            }
            let dimensions = [("shard", "\(shard.index)"), ("shards", "\(shard.count)")]
            info = gauge("mizzen_shard_info", dimensions)
            namespaces = gauge("mizzen_shard_namespaces", dimensions)
            acting = gauge("mizzen_shard_acting", dimensions)
        }
    }

    static let leaseKind = GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease")

    /// - Parameters:
    ///   - ownedNamespaces: the namespaces of the applications in this shard's caches.
    ///   - metrics: where the gauges go; the process's metrics backend when `nil`.
    public init(
        client: KubernetesClient, configuration: Configuration,
        ownedNamespaces: @escaping @Sendable () -> Set<String> = { [] },
        metrics: PrometheusMetrics? = nil, logger: Logger = Logger(label: "mizzen.shard")
    ) {
        self.client = client
        self.configuration = configuration
        self.ownedNamespaces = ownedNamespaces
        var logger = logger
        logger[metadataKey: "shard"] = "\(configuration.shard)"
        self.logger = logger
        self.gauges = Gauges(shard: configuration.shard, factory: metrics?.factory)
        gauges.info.record(1)
        gauges.acting.record(0)
    }

    /// Whether this shard's controllers run now.
    public var isActing: Bool { state.withLock { $0.acting } }

    /// How many namespaces with applications this shard owns, as last counted.
    public var namespaceCount: Int? { state.withLock { $0.namespaces } }

    /// Waits until the shards agree, then runs `lead` (the controllers) until it returns or
    /// the task is cancelled, reporting the namespaces owned and any disagreement meanwhile.
    public func runWhenAgreed(_ lead: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    self.countNamespaces()
                    try await Task.sleep(for: self.configuration.checkInterval)
                }
            }
            group.addTask {
                while true {
                    if case .agreed(let missing)? = await self.check() {
                        self.logger.notice("shard.acting", metadata: [
                            "shards": "\(self.configuration.shard.count)",
                            "unheld": "\(missing.map(String.init).joined(separator: ","))",
                        ])
                        break
                    }
                    try await Task.sleep(for: self.configuration.checkInterval)
                }
                self.state.withLock { $0.acting = true }
                self.gauges.acting.record(1)
                defer {
                    self.state.withLock { $0.acting = false }
                    self.gauges.acting.record(0)
                }
                try await withThrowingTaskGroup(of: Void.self) { acting in
                    acting.addTask { try await lead() }
                    acting.addTask {
                        while true {
                            try await Task.sleep(for: self.configuration.checkInterval * 5)
                            _ = await self.check()
                        }
                    }
                    try await acting.next()
                    acting.cancelAll()
                }
            }
            // The controllers ending (or failing) ends it all.
            try await group.next()
            group.cancelAll()
        }
    }

    /// Reads the peers' Leases and judges them; logs a changed verdict. `nil` when the Leases
    /// cannot be read (then it does not start acting).
    func check() async -> ShardAgreement? {
        let verdict: ShardAgreement
        do {
            verdict = ShardAgreement.evaluate(shard: configuration.shard, peers: try await peers(), now: Date())
        } catch {
            logger.warning("shard.leases.unreadable", metadata: ["error": "\(error)"])
            return nil
        }
        let report: String
        switch verdict {
        case .agreed(let missing): report = "agreed:\(missing)"
        case .disagreed(let reasons): report = reasons.joined(separator: "; ")
        }
        let (changed, acting) = state.withLock { state -> (Bool, Bool) in
            defer { state.lastReport = report }
            return (state.lastReport != report, state.acting)
        }
        if changed, case .disagreed(let reasons) = verdict {
            if acting {
                logger.warning("shard.disagreement", metadata: [
                    "peers": "\(reasons.joined(separator: "; "))",
                    "action": "keeps acting; the other shard count waits until this one stops",
                ])
            } else {
                logger.notice("shard.waiting", metadata: [
                    "peers": "\(reasons.joined(separator: "; "))",
                    "action": "acts once every live shard Lease records \(configuration.shard.count) shards",
                ])
            }
        }
        return verdict
    }

    /// The shard Leases other than ours: indexes `0..<N`, then `N, N+1, …` up to the first
    /// that does not exist (the leftovers of a larger shard count).
    func peers() async throws -> [ShardAgreement.Peer] {
        var peers: [ShardAgreement.Peer] = []
        var index = 0
        while true {
            if index != configuration.shard.index {
                let name = ShardAgreement.leaseName(prefix: configuration.leasePrefix, index: index)
                do {
                    let lease = try await client.get(Self.leaseKind, name: name, namespace: configuration.leaseNamespace)
                    peers.append(ShardAgreement.Peer(
                        index: index, name: name, record: LeaseRecord(spec: lease.spec),
                        recorded: lease.annotations[ShardAgreement.annotation]))
                } catch let error as APIError where error.reason == .notFound {
                    if index >= configuration.shard.count { break }
                }
            }
            index += 1
            if index >= configuration.shard.count + 256 { break }
        }
        return peers
    }

    /// Counts the namespaces owned and logs a changed count.
    func countNamespaces() {
        let count = ownedNamespaces().count
        let previous = state.withLock { state -> Int? in
            defer { state.namespaces = count }
            return state.namespaces
        }
        gauges.namespaces.record(count)
        if previous != count {
            logger.info("shard.namespaces", metadata: ["namespaces": "\(count)"])
        }
    }
}
