import ControllerRuntime
import Foundation
import Synchronization

/// The Pods a ReplicaSet's last reconcile created or deleted that its Pod cache has not caught
/// up with yet — kube's controller expectations. Until they are seen, counting the cache would
/// create (or delete) the same Pods twice, so the ReplicaSet only gets its status written.
///
/// Each is settled by the Pod informer (``observeCreation(of:)``, ``observeDeletion(of:)``) or
/// by looking at the cache; after ``timeout`` they are given up, as kube does after five minutes.
final class ReplicaSetExpectations: Sendable {
    private struct Pending {
        var creations: Set<ObjectKey> = []
        var deletions: Set<ObjectKey> = []
        var since: Date
    }

    private let state = Mutex<[ObjectKey: Pending]>([:])
    let timeout: TimeInterval

    init(timeout: TimeInterval = 300) {
        self.timeout = timeout
    }

    /// Records that the ReplicaSet `owner` created `creations` and deleted `deletions`.
    func expect(_ owner: ObjectKey, creations: [ObjectKey] = [], deletions: [ObjectKey] = [], now: Date = Date()) {
        guard !creations.isEmpty || !deletions.isEmpty else { return }
        state.withLock { state in
            var pending = state[owner] ?? Pending(since: now)
            pending.creations.formUnion(creations)
            pending.deletions.formUnion(deletions)
            pending.since = now
            state[owner] = pending
        }
    }

    /// The Pod `pod` was seen in the cache.
    func observeCreation(of pod: ObjectKey) {
        state.withLock { state in
            for owner in state.keys where state[owner]?.creations.contains(pod) == true {
                state[owner]?.creations.remove(pod)
            }
        }
    }

    /// The Pod `pod` was seen deleted (gone, or given a deletion timestamp).
    func observeDeletion(of pod: ObjectKey) {
        state.withLock { state in
            for owner in state.keys {
                state[owner]?.creations.remove(pod)
                state[owner]?.deletions.remove(pod)
            }
        }
    }

    /// Whether `owner`'s Pod cache shows what it last did: every Pod it created is there
    /// (`exists`), every Pod it deleted gone or going (`goneOrGoing`).
    func isSatisfied(
        _ owner: ObjectKey, exists: (ObjectKey) -> Bool, goneOrGoing: (ObjectKey) -> Bool, now: Date = Date()
    ) -> Bool {
        state.withLock { state in
            guard var pending = state[owner] else { return true }
            pending.creations = pending.creations.filter { !exists($0) }
            pending.deletions = pending.deletions.filter { !goneOrGoing($0) }
            if (pending.creations.isEmpty && pending.deletions.isEmpty) || now.timeIntervalSince(pending.since) > timeout {
                state[owner] = nil
                return true
            }
            state[owner] = pending
            return false
        }
    }

    /// Forgets `owner` (deleted).
    func forget(_ owner: ObjectKey) {
        _ = state.withLock { $0.removeValue(forKey: owner) }
    }
}
