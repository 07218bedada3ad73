import ControllerRuntime
import Foundation
import Resources
import Synchronization

/// The writes the Job controller made for a Job and has not yet seen in its caches — kube's
/// expectations. Counting Pods from a cache a moment behind its own writes would create a Pod
/// twice, or count a finished Pod twice (its finalizer seen, the count already written); so a
/// Job is left alone until the caches show what the controller did, or until `patience` has
/// passed (a write the cache will never show, such as a Pod deleted by someone else meanwhile).
final class JobExpectations: Sendable {
    private struct Pending {
        /// Pod name → when it was created.
        var created: [String: Date] = [:]
        /// Pod uid → (name, when it was deleted).
        var deleted: [String: (name: String, at: Date)] = [:]
        /// Pod uid → (name, when its tracking finalizer was removed).
        var unfinalized: [String: (name: String, at: Date)] = [:]
        /// The Job's `resourceVersion` after the last status write, and when.
        var statusVersion: (version: Int, at: Date)?

        var isEmpty: Bool { created.isEmpty && deleted.isEmpty && unfinalized.isEmpty && statusVersion == nil }
    }

    private let state = Mutex<[ObjectKey: Pending]>([:])
    private let patience: TimeInterval

    init(patience: TimeInterval = 15) {
        self.patience = patience
    }

    /// The Job `job` created the Pod `name`.
    func created(_ name: String, by job: ObjectKey) {
        state.withLock { $0[job, default: Pending()].created[name] = Date() }
    }

    /// The Job `job` deleted `pod`.
    func deleted(_ pod: Resource, by job: ObjectKey) {
        guard let uid = pod.uid else { return }
        state.withLock { $0[job, default: Pending()].deleted[uid] = (pod.name, Date()) }
    }

    /// The Job `job` removed the tracking finalizer of `pod`.
    func unfinalized(_ pod: Resource, by job: ObjectKey) {
        guard let uid = pod.uid else { return }
        state.withLock { $0[job, default: Pending()].unfinalized[uid] = (pod.name, Date()) }
    }

    /// The Job's status was written; `written` is the object the server returned.
    func wroteStatus(_ written: Resource, of job: ObjectKey) {
        guard let version = written.resourceVersion.flatMap(Int.init) else { return }
        state.withLock { $0[job, default: Pending()].statusVersion = (version, Date()) }
    }

    /// Forgets `job` (it is gone).
    func forget(_ job: ObjectKey) {
        _ = state.withLock { $0.removeValue(forKey: job) }
    }

    /// Whether the caches show every write for `job` still pending: `cached` (the Job as the
    /// Job cache has it) and `pods`. The writes they show, and those older than the patience,
    /// are forgotten.
    func satisfied(_ job: ObjectKey, cached: Resource, pods: ObjectCache, now: Date = Date()) -> Bool {
        guard var pending = state.withLock({ $0[job] }) else { return true }
        func expired(_ at: Date) -> Bool { now.timeIntervalSince(at) > patience }
        for (name, at) in pending.created where pods.get(namespace: job.namespace, name: name) != nil || expired(at) {
            pending.created[name] = nil
        }
        for (uid, entry) in pending.deleted {
            let pod = pods.get(namespace: job.namespace, name: entry.name)
            if pod?.uid != uid || pod?.isBeingDeleted == true || expired(entry.at) { pending.deleted[uid] = nil }
        }
        for (uid, entry) in pending.unfinalized {
            let pod = pods.get(namespace: job.namespace, name: entry.name)
            if pod?.uid != uid || pod?.finalizers.contains(JobSync.trackingFinalizer) != true || expired(entry.at) {
                pending.unfinalized[uid] = nil
            }
        }
        if let written = pending.statusVersion {
            let seen = cached.resourceVersion.flatMap(Int.init) ?? Int.max
            if seen >= written.version || expired(written.at) { pending.statusVersion = nil }
        }
        let done = pending.isEmpty
        state.withLock { state in
            // Writes recorded meanwhile stay; only those seen or expired go.
            guard var current = state[job] else { return }
            for name in current.created.keys where pending.created[name] == nil { current.created[name] = nil }
            for uid in current.deleted.keys where pending.deleted[uid] == nil { current.deleted[uid] = nil }
            for uid in current.unfinalized.keys where pending.unfinalized[uid] == nil { current.unfinalized[uid] = nil }
            if let written = current.statusVersion, pending.statusVersion == nil,
                written.version <= (cached.resourceVersion.flatMap(Int.init) ?? Int.max) || expired(written.at)
            {
                current.statusVersion = nil
            }
            state[job] = current.isEmpty ? nil : current
        }
        return done
    }
}
