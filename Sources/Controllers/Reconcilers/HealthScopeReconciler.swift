import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources

/// Reconciles HealthScopes (spec §9 with the fixes of §12.18): evaluates every workload of
/// `spec.workloadRefs` from the caches, writes `status.scopeHealthCondition` and
/// `status.healthConditions` (sorted by reference, so the status does not churn), and looks again
/// after `spec.probe-interval` seconds (10 by default) — and whenever a referenced workload, or
/// an object it owns, changes.
///
/// How a workload is judged:
/// - `core.oam.dev` ContainerizedWorkload: its Deployment and Service from `status.resources`,
///   healthy when every one is (a Service when it exists);
/// - `apps` Deployment and StatefulSet: `status.readyReplicas == spec.replicas` (an unset
///   `spec.replicas` is the API default, 1);
/// - `apps` DaemonSet: `status.numberUnavailable` is 0;
/// - any other kind: UNKNOWN, with its status in `workloadStatus`;
/// - a workload that does not exist: UNHEALTHY.
///
/// Version peers of the reference (other revisions of the same component) are not evaluated.
final class HealthScopeReconciler: Reconciler {
    /// Scope index: the ``ReferenceKey`` of each workload a scope lists.
    static let workloadIndex = "workload-references"
    static let defaultInterval: Duration = .seconds(10)

    let client: KubernetesClient
    let scopes: Informer
    let references: ReferenceWatch
    let logger: Logger

    init(scopes: Informer, references: ReferenceWatch, client: KubernetesClient, logger: Logger) {
        self.client = client
        self.scopes = scopes
        self.references = references
        self.logger = logger
    }

    enum HealthStatus: String {
        case healthy = "HEALTHY"
        case unhealthy = "UNHEALTHY"
        case unknown = "UNKNOWN"
    }

    /// The health of one referenced workload.
    struct WorkloadHealth {
        var reference: TypedReference
        var status: HealthStatus
        var diagnosis: String?
        var componentName: String?
        var workloadStatus: String?

        var json: JSONValue {
            var members: JSONObject = [:]
            if let componentName { members["componentName"] = .string(componentName) }
            members["targetWorkload"] = reference.json
            members["healthStatus"] = .string(status.rawValue)
            if let diagnosis, !diagnosis.isEmpty { members["diagnosis"] = .string(diagnosis) }
            if let workloadStatus { members["workloadStatus"] = .string(workloadStatus) }
            return .object(members)
        }
    }

    /// A kind whose cache has not synced yet.
    private struct NotSynced: Error {}

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = scopes.cache.get(key), !object.isBeingDeleted else { return .done }
        let scope: HealthScope
        do {
            scope = try HealthScope(object)
        } catch {
            logger.warning("healthscope.invalid", metadata: ["healthscope": "\(key)", "error": "\(error)"])
            return .done
        }
        let interval = (scope.spec.probeInterval ?? 0) > 0
            ? Duration.seconds(Int64(scope.spec.probeInterval ?? 0)) : Self.defaultInterval

        var results: [WorkloadHealth] = []
        do {
            for reference in scope.spec.workloadRefs {
                results.append(try evaluate(reference, namespace: object.namespace))
            }
        } catch is NotSynced {
            return .requeue(after: .milliseconds(500))
        }
        results.sort { Self.order($0.reference).lexicographicallyPrecedes(Self.order($1.reference)) }

        var status = object.status?.objectValue ?? [:]
        status["scopeHealthCondition"] = Self.scopeCondition(results)
        status["healthConditions"] = .array(results.map(\.json))
        try await StatusWriter.write(.object(status), of: object, kind: WorkloadKinds.healthScope, client: client)
        return .requeue(after: interval)
    }

    /// `{healthStatus, total, healthyWorkloads, unhealthyWorkloads, unknownWorkloads}`, the counts
    /// left out when 0: UNHEALTHY when any workload is not HEALTHY.
    static func scopeCondition(_ results: [WorkloadHealth]) -> JSONValue {
        let healthy = results.filter { $0.status == .healthy }.count
        let unhealthy = results.filter { $0.status == .unhealthy }.count
        let unknown = results.filter { $0.status == .unknown }.count
        var members: JSONObject = [
            "healthStatus": .string((healthy == results.count ? HealthStatus.healthy : .unhealthy).rawValue),
        ]
        for (name, count) in [("total", results.count), ("healthyWorkloads", healthy),
                              ("unhealthyWorkloads", unhealthy), ("unknownWorkloads", unknown)] where count > 0 {
            members[name] = .int(Int64(count))
        }
        return .object(members)
    }

    private static func order(_ reference: TypedReference) -> [String] {
        [reference.apiVersion, reference.kind, reference.name]
    }

    // MARK: Evaluation

    private func evaluate(_ reference: TypedReference, namespace: String?) throws -> WorkloadHealth {
        let informer = references.watch(GroupVersionKind(apiVersion: reference.apiVersion, kind: reference.kind))
        guard informer.hasSynced else { throw NotSynced() }
        var target = TypedReference(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name)
        guard let workload = informer.cache.get(namespace: namespace, name: reference.name) else {
            return WorkloadHealth(
                reference: target, status: .unhealthy,
                diagnosis: "\(reference.kind) \(reference.name) does not exist in namespace \(namespace ?? "")")
        }
        target.uid = workload.uid
        var health: WorkloadHealth
        let group = GroupVersion(apiVersion: reference.apiVersion).group
        switch (group, reference.kind) {
        case (OAM.group, ContainerizedWorkload.kind):
            health = try containerizedWorkloadHealth(workload)
        case ("apps", "Deployment"), ("apps", "StatefulSet"):
            health = Self.replicasHealth(workload)
        case ("apps", "DaemonSet"):
            health = Self.daemonSetHealth(workload)
        default:
            health = WorkloadHealth(
                reference: target, status: .unknown,
                diagnosis: "APIVersion \(reference.apiVersion) Kind \(reference.kind) workload is unknown for HealthScope",
                workloadStatus: (workload.status ?? .null).jsonString())
        }
        health.reference = target
        health.componentName = workload.labels[OAM.Label.component]
        return health
    }

    /// A ContainerizedWorkload is healthy when the children its status lists are.
    private func containerizedWorkloadHealth(_ workload: Resource) throws -> WorkloadHealth {
        let reference = TypedReference(to: workload)
        let children = (workload.status?["resources"]?.arrayValue ?? []).compactMap {
            try? JSONValueDecoder().decode(TypedReference.self, from: $0)
        }
        guard children.contains(where: { $0.kind == "Deployment" }) else {
            return WorkloadHealth(
                reference: reference, status: .unhealthy,
                diagnosis: "cannot get child resource references of workload \(workload.name)")
        }
        var healthy = true
        var diagnoses: [String] = []
        for child in children {
            let informer = references.watch(GroupVersionKind(apiVersion: child.apiVersion, kind: child.kind))
            guard informer.hasSynced else { throw NotSynced() }
            guard let object = informer.cache.get(namespace: workload.namespace, name: child.name),
                child.uid == nil || object.uid == child.uid
            else {
                healthy = false
                diagnoses.append("\(child.kind) \(child.name) does not exist")
                continue
            }
            switch child.kind {
            case "Deployment", "StatefulSet":
                let health = Self.replicasHealth(object)
                if health.status != .healthy { healthy = false }
                diagnoses.append(health.diagnosis ?? "")
            default:
                break  // a Service (or another child) is healthy when it exists
            }
        }
        return WorkloadHealth(
            reference: reference, status: healthy ? .healthy : .unhealthy,
            diagnosis: diagnoses.filter { !$0.isEmpty }.joined(separator: " "))
    }

    /// Deployments and StatefulSets: all wanted replicas ready.
    static func replicasHealth(_ object: Resource) -> WorkloadHealth {
        let wanted = object.spec?["replicas"]?.intValue ?? 1
        let ready = object.status?["readyReplicas"]?.intValue ?? 0
        return WorkloadHealth(
            reference: TypedReference(to: object), status: ready == wanted ? .healthy : .unhealthy,
            diagnosis: "Ready:\(ready)/\(wanted)")
    }

    /// DaemonSets: no unavailable pod.
    static func daemonSetHealth(_ object: Resource) -> WorkloadHealth {
        let unavailable = object.status?["numberUnavailable"]?.intValue ?? 0
        let ready = object.status?["numberReady"]?.intValue ?? 0
        let desired = object.status?["desiredNumberScheduled"]?.intValue ?? 0
        return WorkloadHealth(
            reference: TypedReference(to: object), status: unavailable == 0 ? .healthy : .unhealthy,
            diagnosis: "Ready:\(ready)/\(desired)")
    }
}
