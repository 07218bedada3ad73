import ControllerRuntime
import Foundation
import OrderedCollections
import Resources
import Synchronization

/// The Pod writes a StatefulSet or DaemonSet controller made and has not yet seen in its Pod
/// cache — kube's "expectations". A reconcile that reads Pods from a cache a moment behind its
/// own writes would create a second Pod for a node, or delete a Pod twice (and say so twice);
/// so a controller does nothing for an owner until the cache shows what it did, or until
/// `patience` has passed (a write the cache will never show, such as a Pod deleted by someone
/// else in between).
///
/// Shared by the StatefulSet and DaemonSet controllers.
final class PodExpectations: Sendable {
    private struct Pending {
        /// Pod name → when it was created.
        var created: [String: Date] = [:]
        /// Pod uid → (name, when it was deleted).
        var deleted: [String: (name: String, at: Date)] = [:]

        var isEmpty: Bool { created.isEmpty && deleted.isEmpty }
    }

    private let state = Mutex<[ObjectKey: Pending]>([:])
    private let patience: TimeInterval

    init(patience: TimeInterval = 15) {
        self.patience = patience
    }

    /// `owner` created the Pod `name`.
    func created(_ name: String, by owner: ObjectKey) {
        state.withLock { $0[owner, default: Pending()].created[name] = Date() }
    }

    /// `owner` deleted `pod`.
    func deleted(_ pod: Resource, by owner: ObjectKey) {
        guard let uid = pod.uid else { return }
        state.withLock { $0[owner, default: Pending()].deleted[uid] = (pod.name, Date()) }
    }

    /// Forgets `owner` (it is gone).
    func forget(_ owner: ObjectKey) {
        _ = state.withLock { $0.removeValue(forKey: owner) }
    }

    /// Whether `pods` (the Pod cache) shows every write of `owner` still pending; the writes it
    /// shows, and those older than the patience, are forgotten.
    func satisfied(_ owner: ObjectKey, pods: ObjectCache, now: Date = Date()) -> Bool {
        guard var pending = state.withLock({ $0[owner] }) else { return true }
        for (name, at) in pending.created {
            if pods.get(namespace: owner.namespace, name: name) != nil || now.timeIntervalSince(at) > patience {
                pending.created[name] = nil
            }
        }
        for (uid, entry) in pending.deleted {
            let cached = pods.get(namespace: owner.namespace, name: entry.name)
            if cached?.uid != uid || cached?.isBeingDeleted == true || now.timeIntervalSince(entry.at) > patience {
                pending.deleted[uid] = nil
            }
        }
        let done = pending.isEmpty
        state.withLock { state in
            // Writes recorded meanwhile stay; only those seen or expired go.
            guard var current = state[owner] else { return }
            for name in current.created.keys where pending.created[name] == nil { current.created[name] = nil }
            for uid in current.deleted.keys where pending.deleted[uid] == nil { current.deleted[uid] = nil }
            state[owner] = current.isEmpty ? nil : current
        }
        return done
    }
}
