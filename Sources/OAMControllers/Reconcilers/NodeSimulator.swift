import KubeClient
import Logging
import OrderedCollections
public import Resources
import ControllerRuntime

/// **Simulation, Deployment-level — the old mode.** Stands in for the workload controllers and
/// the kubelet by writing status directly: it reports every Deployment and StatefulSet as fully
/// rolled out and available, so that health scopes and dependencies on readiness can be
/// exercised without Pods. No ReplicaSet or Pod exists.
///
/// The embedded plane now runs its own controllers and a simulated node instead (the
/// `ClusterControllers` target: Deployment → ReplicaSet → Pod, StatefulSet, DaemonSet…, the
/// default of `mizzen serve --node-simulation pods`). This simulator remains for
/// `--node-simulation deployments` (the reconcile benchmark's old mode, `mizzen bench reconcile
/// --node-simulation deployments`) and for the controller tests on the real kube-apiserver kit,
/// whose kube-controller-manager runs without its deployment controller and which has no kubelet
/// (Deployments only there: its StatefulSet controller owns StatefulSet status).
///
/// For each object it sets `status.replicas`, `readyReplicas`, `availableReplicas` and
/// `updatedReplicas` to `spec.replicas` (1 when unset) and `observedGeneration` to
/// `metadata.generation`; a Deployment also gets an `Available` condition whose message says it
/// is simulated. It writes only when the status differs. Never run it where a controller owns
/// the status of these kinds (a real cluster's kube-controller-manager, or the plane's own
/// controllers): each would undo the other's writes.
public final class NodeSimulator: Reconciler {
    /// The kinds simulated.
    public static let kinds = [
        GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
        GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet"),
    ]
    /// The message of the simulated `Available` condition.
    public static let availableMessage =
        "Simulated by the Mizzen node simulator: the embedded plane runs no pods; every replica is reported available"

    let kind: GroupVersionKind
    let objects: Informer
    let client: KubernetesClient

    /// A simulator of the objects of `kind` (one of ``kinds``).
    public init(manager: Manager, kind: GroupVersionKind) {
        self.kind = kind
        self.objects = manager.informer(for: kind)
        self.client = manager.client
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = objects.cache.get(key), !object.isBeingDeleted else { return .done }
        let status = Self.simulatedStatus(of: object, now: KubernetesTime.now)
        do {
            try await StatusWriter.write(
                status, of: object, kind: kind, client: client, fieldManager: Controllers.fieldManager)
        } catch let error as APIError where error.reason == .notFound {
            return .done
        }
        return .done
    }

    /// The status `object` gets: its current status with the simulated counts, and for a
    /// Deployment the `Available` condition (its times kept while it already says so).
    public static func simulatedStatus(of object: Resource, now: String) -> JSONValue {
        let replicas = object.spec?["replicas"]?.intValue ?? 1
        var status = object.status?.objectValue ?? [:]
        for field in ["replicas", "readyReplicas", "availableReplicas", "updatedReplicas"] {
            status[field] = .int(replicas)
        }
        if let generation = object.generation { status["observedGeneration"] = .int(generation) }
        guard object.kind == "Deployment" else { return .object(status) }

        var conditions = status["conditions"]?.arrayValue ?? []
        let index = conditions.firstIndex { $0["type"]?.stringValue == "Available" }
        let previous = index.map { conditions[$0] }
        let unchanged = previous?["status"]?.stringValue == "True"
            && previous?["message"]?.stringValue == availableMessage
        let available: JSONValue = [
            "type": "Available", "status": "True",
            "lastUpdateTime": .string(unchanged ? previous?["lastUpdateTime"]?.stringValue ?? now : now),
            "lastTransitionTime": .string(unchanged ? previous?["lastTransitionTime"]?.stringValue ?? now : now),
            "reason": "MinimumReplicasAvailable", "message": .string(availableMessage),
        ]
        if let index { conditions[index] = available } else { conditions.append(available) }
        status["conditions"] = .array(conditions)
        return .object(status)
    }
}
