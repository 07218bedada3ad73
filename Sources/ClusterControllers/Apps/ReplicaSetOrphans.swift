import ControllerRuntime
import Resources
import Synchronization

/// The objects of one informer that have no controller, by namespace — kube's orphan index —
/// so that a ReplicaSet (or Deployment) looks at the few objects it could adopt instead of
/// reading every object of its namespace on each reconcile. Kept by an informer handler.
final class ReplicaSetOrphans: Sendable {
    private let state = Mutex<[String: Set<ObjectKey>]>([:])

    /// Follows `informer`'s changes; add before the informer starts.
    init(following informer: Informer) {
        informer.addHandler { [weak self] event in
            guard let self else { return }
            let key = ObjectKey(event.object)
            let orphan: Bool
            switch event {
            case .added(let object), .updated(_, let object): orphan = object.controllerReference == nil
            case .deleted: orphan = false
            }
            state.withLock { state in
                if orphan {
                    state[key.namespace, default: []].insert(key)
                } else {
                    state[key.namespace]?.remove(key)
                    if state[key.namespace]?.isEmpty == true { state[key.namespace] = nil }
                }
            }
        }
    }

    /// The orphans of `namespace`, sorted.
    func keys(in namespace: String?) -> [ObjectKey] {
        state.withLock { $0[namespace ?? ""].map { $0.sorted() } ?? [] }
    }

    /// The orphans of `namespace` as `cache` has them.
    func objects(in namespace: String?, from cache: ObjectCache) -> [Resource] {
        keys(in: namespace).compactMap { cache.get($0) }
    }
}
