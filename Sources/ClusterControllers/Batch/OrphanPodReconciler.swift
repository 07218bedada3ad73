import ControllerRuntime
import KubeClient
import OrderedCollections
import Resources

/// Removes the `batch.kubernetes.io/job-tracking` finalizer from Pods no running Job counts any
/// more — their Job is gone, finished, or no longer their controller — so that they can be
/// deleted (kube's job controller does this for "orphan" Pods). Keyed by Pod.
final class OrphanPodReconciler: Reconciler {
    let pods: Informer
    let jobs: Informer
    let client: KubernetesClient

    init(context: ClusterContext) {
        pods = context.manager.informer(for: Pods.kind)
        jobs = context.manager.informer(for: JobSync.kind)
        client = context.client
    }

    /// Whether `pod` carries the finalizer and no unfinished Job of `jobs` controls it.
    static func isOrphan(_ pod: Resource, jobs: ObjectCache) -> Bool {
        guard JobSync.isTracked(pod) else { return false }
        guard let key = JobReconciler.jobKey(of: pod), let job = jobs.get(key),
            job.uid == pod.controllerReference?.uid
        else { return true }
        return JobStatus(job.status).isFinished
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let pod = pods.cache.get(key), Self.isOrphan(pod, jobs: jobs.cache) else { return .done }
        do {
            _ = try await client.patch(
                Pods.kind, name: pod.name, namespace: pod.namespace,
                patch: ["metadata": ["$deleteFromPrimitiveList/finalizers": [.string(JobSync.trackingFinalizer)]]],
                type: .strategic, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        } catch let error as APIError where error.reason == .notFound {
            return .done
        }
        return .done
    }
}
