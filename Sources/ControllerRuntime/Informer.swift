public import KubeClient
import Logging
public import Resources
import Synchronization

/// A change an informer saw.
public enum InformerEvent: Sendable {
    case added(Resource)
    case updated(old: Resource, new: Resource)
    case deleted(Resource)

    /// The object as it is now (its last state when deleted).
    public var object: Resource {
        switch self {
        case .added(let object), .deleted(let object): object
        case .updated(_, let new): new
        }
    }
}

/// Something to call with every change an informer sees.
public typealias InformerHandler = @Sendable (InformerEvent) async -> Void

/// Lists and watches one kind and keeps an ``ObjectCache`` of it, calling its handlers on every
/// change — client-go's shared informer. One informer per kind is shared by every controller
/// (``Manager/informer(for:)``).
///
/// A re-list (after the resume point expired) is compared with the cache, so handlers see the
/// differences as ordinary adds, updates and deletes.
public final class Informer: Sendable {
    public let kind: GroupVersionKind
    public let cache: ObjectCache
    private let handlers = Mutex<[InformerHandler]>([])
    private let synced = Mutex(SyncState())
    /// The highest resourceVersion of the lists and changes handled so far (0 before the first).
    private let lastResourceVersion = Mutex<Int64>(0)

    /// Whether the first list is in, and who waits for it (by ticket, so that a cancelled
    /// waiter can leave).
    private struct SyncState {
        var done = false
        var nextTicket = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    public init(kind: GroupVersionKind, indexes: [String: IndexFunction] = [:]) {
        self.kind = kind
        self.cache = ObjectCache(indexes: indexes)
    }

    /// Whether the cache has handled the change that gave an object `resourceVersion`, and so
    /// every change before it (a watch delivers them in order): a controller that wrote an
    /// object can tell a cache that has not seen its write yet from one that has seen it, and
    /// maybe a later change. resourceVersions are compared as numbers, as client-go's mutation
    /// cache does (etcd's revisions and the plane's are); one that is not a number counts as
    /// seen, so that the cache is trusted.
    public func hasSeen(resourceVersion: String) -> Bool {
        guard let version = Int64(resourceVersion) else { return true }
        return lastResourceVersion.withLock { $0 } >= version
    }

    /// Notes that the cache has handled everything up to `resourceVersion`.
    private func handled(upTo resourceVersion: String?) {
        guard let version = resourceVersion.flatMap({ Int64($0) }) else { return }
        lastResourceVersion.withLock { $0 = max($0, version) }
    }

    /// Adds a handler; it sees every change from then on (and the first list if added before it).
    public func addHandler(_ handler: @escaping InformerHandler) {
        handlers.withLock { $0.append(handler) }
    }

    /// Whether the first list has been stored.
    public var hasSynced: Bool { synced.withLock { $0.done } }

    /// Returns once the first list has been stored, or when the task is cancelled.
    public func waitForSync() async {
        let ticket = synced.withLock { state -> Int in
            defer { state.nextTicket += 1 }
            return state.nextTicket
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = synced.withLock { state -> Bool in
                    if state.done || Task.isCancelled { return true }
                    state.waiters[ticket] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            synced.withLock { $0.waiters.removeValue(forKey: ticket) }?.resume()
        }
    }

    /// Lists and watches until cancelled.
    ///
    /// A kind the server does not serve (its CRD is not installed yet) counts as synced and
    /// empty, so that it holds nobody up; the watch keeps retrying and fills the cache once the
    /// kind appears.
    ///
    /// With a `namespace`, a namespaced kind is listed and watched in that namespace only; a
    /// cluster-scoped kind is always watched whole (its ``RESTMapping`` ignores the namespace).
    ///
    /// With a `filter`, objects of namespaces it refuses are neither cached nor handed to the
    /// handlers (a shard's informers: ``ShardFilter``); cluster-scoped objects always are.
    public func run(client: KubernetesClient, namespace: String? = nil, filter: NamespaceFilter? = nil, logger: Logger) async {
        do {
            _ = try await client.mapper.mapping(for: kind)
        } catch let error as ClientError where error.kind == .noMatch {
            logger.notice("informer.kind_not_served", metadata: ["kind": "\(kind)"])
            markSynced()
        } catch {
            // The watch below retries; discovery errors are its to report.
        }
        let backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
        for await change in client.watchForever(kind, namespace: namespace, backoff: backoff, logger: logger) {
            switch change {
            case .relisted(let objects, let resourceVersion):
                let events = cache.replace(with: await Self.kept(objects, by: filter))
                handled(upTo: resourceVersion)
                markSynced()
                await deliver(events)
            case .event(let event):
                if let filter, let objectNamespace = event.object.namespace, !(await filter(objectNamespace)) {
                    handled(upTo: event.object.resourceVersion)
                    continue
                }
                switch event.type {
                case .added, .modified:
                    let delivered = cache.store(event.object)
                    handled(upTo: event.object.resourceVersion)
                    if let delivered { await deliver([delivered]) }
                case .deleted:
                    let delivered = cache.remove(event.object)
                    handled(upTo: event.object.resourceVersion)
                    await deliver([delivered])
                case .bookmark:
                    break
                }
            }
        }
    }

    /// The objects of a list that `filter` keeps.
    private static func kept(_ objects: [Resource], by filter: NamespaceFilter?) async -> [Resource] {
        guard let filter else { return objects }
        var kept: [Resource] = []
        kept.reserveCapacity(objects.count)
        for object in objects {
            if let objectNamespace = object.namespace, !(await filter(objectNamespace)) { continue }
            kept.append(object)
        }
        return kept
    }

    private func markSynced() {
        let waiters = synced.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.done else { return [] }
            state.done = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    private func deliver(_ events: [InformerEvent]) async {
        let handlers = handlers.withLock { $0 }
        for event in events {
            for handler in handlers { await handler(event) }
        }
    }
}
