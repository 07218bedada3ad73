import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources

/// Rolls Deployments out through ReplicaSets, as kube-controller-manager's deployment
/// controller does: one ReplicaSet per template (`<deployment>-<pod-template-hash>`), the new
/// one scaled up and the old ones down within `maxSurge`/`maxUnavailable` (or all old ones
/// first when recreating), revisions and their history in annotations, old ReplicaSets
/// beyond `revisionHistoryLimit` deleted, `spec.paused` honoured, and the status with its
/// `Available` and `Progressing` conditions (`ProgressDeadlineExceeded` once the deadline
/// passes without progress). Events (`ScalingReplicaSet`…) come from `deployment-controller`.
///
/// It reads from the informer caches and writes with the cached `resourceVersion`, so a stale
/// cache ends in a `Conflict` and a retry rather than a wrong write.
final class DeploymentReconciler: Reconciler {
    static let kind = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")

    let deployments: Informer
    let replicaSets: Informer
    let pods: Informer
    let client: KubernetesClient
    let events: any EventSink
    /// The ReplicaSets without a controller, which a Deployment may adopt.
    let orphanReplicaSets: ReplicaSetOrphans
    let logger: Logger

    init(deployments: Informer, replicaSets: Informer, pods: Informer, client: KubernetesClient,
         events: any EventSink, logger: Logger) {
        self.deployments = deployments
        self.replicaSets = replicaSets
        self.pods = pods
        self.client = client
        self.events = events
        self.orphanReplicaSets = ReplicaSetOrphans(following: replicaSets)
        self.logger = logger
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let deployment = deployments.cache.get(key) else { return .done }
        var sync = DeploymentSync(reconciler: self, deployment: deployment, now: Date())
        do {
            return try await sync.run()
        } catch let error as APIError where error.reason == .notFound && error.kind == "deployments" {
            return .done  // deleted meanwhile; its deletion is the last word
        }
    }

    /// The Deployments to look at again when `replicaSet` changes: its controller, or, for an
    /// orphan, every Deployment of its namespace whose selector takes it.
    func deployments(for replicaSet: Resource) -> [ObjectKey] {
        if let reference = replicaSet.controllerReference {
            guard reference.kind == Self.kind.kind,
                let owner = deployments.cache.get(namespace: replicaSet.namespace, name: reference.name),
                owner.uid == reference.uid
            else { return [] }
            return [ObjectKey(owner)]
        }
        guard !replicaSet.labels.isEmpty else { return [] }
        let labels = DeploymentSync.plain(replicaSet.labels)
        return deployments.cache.list(namespace: replicaSet.namespace).filter { deployment in
            guard let selector = try? LabelSelector(json: deployment.spec?["selector"] ?? .null), !selector.isEmpty
            else { return false }
            return selector.matches(labels)
        }.map(ObjectKey.init)
    }

    /// The Deployment (recreating) to look at again when `pod` goes: the controller of its ReplicaSet.
    func recreatingDeployment(for pod: Resource) -> ObjectKey? {
        guard let reference = pod.controllerReference, reference.kind == "ReplicaSet",
            let replicaSet = replicaSets.cache.get(namespace: pod.namespace, name: reference.name),
            replicaSet.uid == reference.uid
        else { return nil }
        return deployments(for: replicaSet).first.flatMap { key in
            let strategy = deployments.cache.get(key)?.spec?["strategy"]?["type"]?.stringValue
            return strategy == DeploymentFacts.recreate ? key : nil
        }
    }
}
