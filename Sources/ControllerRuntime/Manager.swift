public import KubeClient
public import Logging
public import Resources
import ServiceLifecycle
import Synchronization

/// Starts and stops the shared informers and the controllers.
///
/// Informers are shared: ``informer(for:)`` returns the one informer of a kind, creating it —
/// and starting it, when the manager already runs — on first use, so a reconciler can watch a
/// kind it only learns about from a definition. Controllers start once the informers registered
/// before ``run()`` have synced, and only while ``leadership`` (if any) says this replica leads.
///
/// A manager scoped to a ``namespace`` lists and watches namespaced kinds only there, so its
/// controllers see — and act on — nothing else; cluster-scoped kinds (definitions, CRDs) stay
/// cluster-wide, as the server's discovery says which is which.
///
/// ```swift
/// let manager = Manager(client: client, namespace: "shop")   // nil: every namespace
/// OAMControllers.register(on: manager)
/// try await manager.run()
/// ```
public final class Manager: Service, Sendable {
    public let client: KubernetesClient
    /// The only namespace whose namespaced objects the informers list and watch; `nil` for all.
    public let namespace: String?
    /// Which namespaces' objects the informers keep (a shard's); `nil` keeps every namespace.
    public let namespaceFilter: NamespaceFilter?
    let logger: Logger
    private let state = Mutex(State())
    private let starts: AsyncStream<Informer>.Continuation
    private let startRequests: AsyncStream<Informer>

    private struct State {
        var informers: [GroupVersionKind: Informer] = [:]
        var controllers: [Controller] = []
        var running = false
    }

    /// Index functions every informer has.
    static let standardIndexes: [String: IndexFunction] = [
        Indexes.owner: Indexes.ownerFunction,
        Indexes.controllerOwner: Indexes.controllerOwnerFunction,
    ]

    public init(
        client: KubernetesClient, namespace: String? = nil, namespaceFilter: NamespaceFilter? = nil,
        logger: Logger = Logger(label: "mizzen.manager")
    ) {
        self.client = client
        self.namespace = namespace
        self.namespaceFilter = namespaceFilter
        self.logger = logger
        (startRequests, starts) = AsyncStream<Informer>.makeStream()
    }

    /// The informer of `kind`, with the owner indexes and `indexes`; created on first use.
    ///
    /// Extra indexes count only when the informer is created: ask for them before anyone else
    /// asks for the kind.
    public func informer(for kind: GroupVersionKind, indexes: [String: IndexFunction] = [:]) -> Informer {
        let (informer, isNew, running) = state.withLock { state -> (Informer, Bool, Bool) in
            if let existing = state.informers[kind] { return (existing, false, state.running) }
            let informer = Informer(
                kind: kind, indexes: Self.standardIndexes.merging(indexes) { _, custom in custom })
            state.informers[kind] = informer
            return (informer, true, state.running)
        }
        if isNew && running { starts.yield(informer) }
        return informer
    }

    /// The informer of `kind` if one exists.
    public func existingInformer(for kind: GroupVersionKind) -> Informer? {
        state.withLock { $0.informers[kind] }
    }

    /// The kinds that have an informer, sorted.
    public var informedKinds: [GroupVersionKind] {
        state.withLock { Array($0.informers.keys) }.sorted { "\($0.apiVersion)/\($0.kind)" < "\($1.apiVersion)/\($1.kind)" }
    }

    /// Adds a controller; call before ``run()``.
    public func add(_ controller: Controller) {
        state.withLock { $0.controllers.append(controller) }
    }

    /// The controllers added.
    public var controllers: [Controller] { state.withLock { $0.controllers } }

    /// Queues every object of every controller again, as a periodic resync would.
    public func resync() async {
        for controller in controllers { await controller.resync() }
    }

    /// Returns once every controller's queue is worked through, repeatedly until all are idle
    /// at once (one controller's writes can queue work for another).
    public func waitUntilIdle() async {
        for controller in controllers { await controller.waitUntilIdle() }
    }

    /// Whether every informer has synced (for `/readyz`).
    public var isReady: Bool {
        state.withLock { state in state.running && state.informers.values.allSatisfy(\.hasSynced) }
    }

    /// Runs one informer, scoped to ``namespace`` and ``namespaceFilter``, until cancelled.
    private func run(_ informer: Informer) async {
        await informer.run(client: client, namespace: namespace, filter: namespaceFilter, logger: logger)
    }

    /// Runs informers and controllers until cancelled or a graceful shutdown.
    public func run() async throws {
        try await run(leadership: nil)
    }

    /// Runs informers always and the controllers only inside `leadership` (leader election):
    /// it calls its argument while this replica leads, and cancels it when it stops leading.
    public func run(
        leadership: (@Sendable (_ lead: @escaping @Sendable () async throws -> Void) async throws -> Void)?
    ) async throws {
        let (initial, controllers) = state.withLock { state -> ([Informer], [Controller]) in
            state.running = true
            return (Array(state.informers.values), state.controllers)
        }
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for informer in initial {
                    group.addTask { await self.run(informer) }
                }
                group.addTask {
                    // Informers asked for after the start run in this group, for the manager's life.
                    await withTaskGroup(of: Void.self) { started in
                        for await informer in self.startRequests {
                            started.addTask { await self.run(informer) }
                        }
                        started.cancelAll()
                    }
                }
                group.addTask {
                    for informer in initial { await informer.waitForSync() }
                    guard !Task.isCancelled else { return }
                    self.logger.info("caches.synced", metadata: ["informers": "\(initial.count)"])
                    let lead: @Sendable () async throws -> Void = {
                        await withTaskGroup(of: Void.self) { controllersGroup in
                            for controller in controllers {
                                controllersGroup.addTask { await controller.run() }
                            }
                        }
                    }
                    if let leadership { try await leadership(lead) } else { try await lead() }
                }
                defer { self.starts.finish() }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
