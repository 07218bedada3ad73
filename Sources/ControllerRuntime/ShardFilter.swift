public import KubeClient
public import Logging
public import Resources

/// Decides whether the objects of a namespace are kept by a ``Manager``'s informers.
public typealias NamespaceFilter = @Sendable (_ namespace: String) async -> Bool

/// The namespaces a shard owns: those whose name hashes to its ``Shard`` (hash mode), and/or
/// those whose labels match a selector (label mode, e.g. `mizzen.dev/shard=a`).
///
/// The API cannot select objects by their namespace's hash or labels, so a shard's informers
/// still receive every namespace's objects; the filter keeps only its own in the caches (the
/// memory) and in the work queues (the reconciles).
///
/// ```swift
/// let filter = ShardFilter(shard: try Shard(parsing: "0/2"), selector: nil, client: client)
/// let manager = Manager(client: client, namespaceFilter: filter.namespaceFilter)
/// ```
public struct ShardFilter: Sendable {
    /// The hash shard; `nil` in label mode alone.
    public let shard: Shard?
    /// The namespace label selector; `nil` in hash mode alone.
    public let selector: LabelSelector?
    let membership: NamespaceMembership?

    /// - Parameter client: reads namespaces' labels when there is a `selector`.
    public init(shard: Shard?, selector: LabelSelector?, client: KubernetesClient, logger: Logger = Logger(label: "mizzen.shard")) {
        self.shard = shard
        self.selector = selector
        self.membership = selector.map { NamespaceMembership(selector: $0, client: client, logger: logger) }
    }

    /// Whether this shard owns `namespace`.
    public func owns(_ namespace: String) async -> Bool {
        if let shard, !shard.owns(namespace: namespace) { return false }
        if let membership { return await membership.contains(namespace) }
        return true
    }

    /// ``owns(_:)`` as a ``Manager``'s filter.
    public var namespaceFilter: NamespaceFilter {
        { namespace in await self.owns(namespace) }
    }
}

/// Which namespaces' labels match a selector, read once per namespace: all namespaces are
/// listed on first use, and a namespace first seen later is read then. A namespace's labels are
/// not read again: relabelling takes effect when the shard restarts (as a change of shard count
/// does), so that an application never moves between shards while both run.
actor NamespaceMembership {
    let selector: LabelSelector
    let client: KubernetesClient
    let logger: Logger
    private var members: [String: Bool] = [:]
    private var listed = false

    static let namespaceKind = GroupVersionKind(group: "", version: "v1", kind: "Namespace")

    init(selector: LabelSelector, client: KubernetesClient, logger: Logger) {
        self.selector = selector
        self.client = client
        self.logger = logger
    }

    /// Whether `namespace`'s labels match; waits (retrying every few seconds) while the API
    /// cannot answer, since a wrong answer would drop the namespace's objects.
    func contains(_ namespace: String) async -> Bool {
        if let known = members[namespace] { return known }
        var failures = 0
        while !Task.isCancelled {
            do {
                if !listed {
                    for object in try await client.listAll(Self.namespaceKind).items where members[object.name] == nil {
                        members[object.name] = selector.matches(object.plainLabels)
                    }
                    listed = true
                    if let known = members[namespace] { return known }
                }
                let object = try await client.get(Self.namespaceKind, name: namespace)
                let matches = selector.matches(object.plainLabels)
                members[namespace] = matches
                return matches
            } catch let error as APIError where error.reason == .notFound {
                // Its objects are on their way out with it.
                return false
            } catch {
                failures += 1
                logger.log(level: failures >= 3 ? .warning : .debug, "shard.namespace.unreadable", metadata: [
                    "namespace": "\(namespace)", "error": "\(error)",
                ])
                try? await Task.sleep(for: .seconds(min(5, failures)))
            }
        }
        return false
    }
}
