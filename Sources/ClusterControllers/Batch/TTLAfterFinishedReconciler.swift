import ControllerRuntime
import Foundation
import KubeClient
import Resources

/// The TTL-after-finished controller: deletes a finished Job (`Complete` or `Failed`) once
/// `spec.ttlSecondsAfterFinished` has passed since it finished, its Pods in the background,
/// as kube-controller-manager's `ttl-after-finished-controller` does (it writes no Events).
final class TTLAfterFinishedReconciler: Reconciler {
    let jobs: Informer
    let client: KubernetesClient
    let now: @Sendable () -> Date

    init(context: ClusterContext) {
        jobs = context.manager.informer(for: JobSync.kind)
        client = context.client
        now = context.options.jobs.now
    }

    /// When `job` expires: its finish time plus its TTL; `nil` when it has no TTL or has not finished.
    static func expiry(of job: Resource) -> Date? {
        guard !job.isBeingDeleted, let ttl = job.spec?["ttlSecondsAfterFinished"]?.intValue else { return nil }
        let status = JobStatus(job.status)
        guard let condition = status.trueCondition("Complete") ?? status.trueCondition("Failed"),
            let finished = condition["lastTransitionTime"]?.stringValue.flatMap(KubernetesTime.parse)
        else { return nil }
        return finished.addingTimeInterval(TimeInterval(ttl))
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let cached = jobs.cache.get(key), let expiry = Self.expiry(of: cached) else { return .done }
        let remaining = expiry.timeIntervalSince(now())
        if remaining > 0 { return .requeue(after: JobTime.delay(remaining)) }
        // The cache may be behind (the TTL changed meanwhile): decide on the Job as it is now.
        let fresh: Resource
        do {
            fresh = try await client.get(JobSync.kind, name: key.name, namespace: key.namespace)
        } catch let error as APIError where error.reason == .notFound {
            return .done
        }
        guard fresh.uid == cached.uid, let freshExpiry = Self.expiry(of: fresh) else { return .done }
        let left = freshExpiry.timeIntervalSince(now())
        if left > 0 { return .requeue(after: JobTime.delay(left)) }
        do {
            try await client.delete(JobSync.kind, name: key.name, namespace: key.namespace, propagationPolicy: .background)
        } catch let error as APIError where error.reason == .notFound {
            return .done
        }
        return .done
    }
}
