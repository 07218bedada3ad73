public import ControllerRuntime
public import KubeClient
public import Logging
public import Resources

/// How a `mizzen controller` process takes part in sharding: which namespaces' applications it
/// owns (by hash, ``Shard``; by namespace label, a selector; or both) and, in hash mode, the
/// Lease prefix its shard Lease and its peers' share.
///
/// ```swift
/// var options = ControllerService.Options()
/// options.sharding = ControllerSharding(shard: try Shard(parsing: "0/2"), leasePrefix: "mizzen-controller")
/// options.leaderElection = LeaderElectionConfiguration(leaseName: "mizzen-controller-shard-0", leaseNamespace: "mizzen-system")
/// ```
public struct ControllerSharding: Sendable {
    /// The hash shard; `nil` in label mode alone.
    public var shard: Shard?
    /// Namespaces whose labels match are owned (label mode); `nil` in hash mode alone.
    public var selector: LabelSelector?
    /// Shard `I` holds the Lease `<leasePrefix>-shard-<I>` (hash mode).
    public var leasePrefix: String
    /// The pause between two readings of the peers' Leases.
    public var checkInterval: Duration = .seconds(2)

    public init(shard: Shard?, selector: LabelSelector? = nil, leasePrefix: String = "mizzen-controller") {
        self.shard = shard
        self.selector = selector
        self.leasePrefix = leasePrefix
    }

    /// The shard's Lease name in hash mode: `<prefix>-shard-<I>`.
    public static func leaseName(prefix: String, shard: Shard) -> String {
        ShardAgreement.leaseName(prefix: prefix, index: shard.index)
    }

    /// The annotations a shard's Lease carries: `mizzen.dev/shard: I/N`.
    public static func leaseAnnotations(shard: Shard) -> [String: String] {
        [ShardAgreement.annotation: "\(shard)"]
    }

    /// `0/2`, `mizzen.dev/shard=a`, or both joined by a space: how logs name the shard.
    public var description: String {
        [shard.map { "\($0)" }, selector.map { "\($0)" }].compactMap { $0 }.joined(separator: " ")
    }

    /// The namespaces whose applications (AppConfigs or Components) are in `manager`'s caches:
    /// the ones this shard owns that hold applications.
    public static func applicationNamespaces(of manager: Manager) -> Set<String> {
        var namespaces: Set<String> = []
        for kind in [OAMKinds.applicationConfiguration, OAMKinds.component] {
            for key in manager.existingInformer(for: kind)?.cache.keys ?? [] { namespaces.insert(key.namespace) }
        }
        return namespaces
    }

    /// The coordinator of a hash shard run under leader election on `election`'s Lease.
    func coordinator(
        manager: Manager, election: LeaderElectionConfiguration, metrics: PrometheusMetrics?, logger: Logger
    ) -> ShardCoordinator? {
        guard let shard else { return nil }
        var configuration = ShardCoordinator.Configuration(
            shard: shard, leasePrefix: leasePrefix, leaseNamespace: election.leaseNamespace)
        configuration.checkInterval = checkInterval
        return ShardCoordinator(
            client: manager.client, configuration: configuration,
            ownedNamespaces: { [manager] in Self.applicationNamespaces(of: manager) },
            metrics: metrics, logger: logger)
    }
}
