import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources

/// kube-controller-manager's disruption controller: keeps the status of every
/// PodDisruptionBudget — expected pods, healthy pods now and wanted, disruptions allowed, the
/// evictions still pending (`disruptedPods`) and the `DisruptionAllowed` condition — in step with
/// the pods it selects and the scale of their controllers.
///
/// The eviction subresource of the API server reads this status to allow or refuse an eviction,
/// and records each eviction it allows in it; a recorded eviction counts for two minutes while
/// its pod is not deleted, then is dropped with a `NotDeleted` Event on the pod.
///
/// Events are kube's, from `controllermanager`: `NoPods` (no pod selected),
/// `CalculateExpectedPodCountFailed` (then the status says `SyncFailed`), `UnmanagedPods`, and
/// `MultiplePodDisruptionBudgets` on a pod more than one budget selects.
final class DisruptionReconciler: Reconciler {
    static let kind = GroupVersionKind(group: "policy", version: "v1", kind: "PodDisruptionBudget")
    /// The Event source of the disruption controller.
    static let component = "controllermanager"

    let client: KubernetesClient
    let budgets: Informer
    let pods: Informer
    let scales: ScaleReader
    let events: any EventSink
    let logger: Logger

    init(context: ClusterContext) {
        client = context.client
        budgets = context.manager.informer(for: Self.kind)
        pods = context.manager.informer(for: Pods.kind)
        scales = ScaleReader(manager: context.manager)
        events = context.events(of: Self.component)
        logger = context.logger
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let pdb = budgets.cache.get(key) else { return .done }
        let namespace = pdb.namespace ?? ""
        let selected = Self.selectedPods(by: pdb, in: pods.cache.list(namespace: namespace))
        if selected.isEmpty {
            await events.record(on: pdb, type: .normal, reason: "NoPods", message: "No matching pods found")
        }
        let counts: DisruptionBudget.Counts
        do {
            counts = try await expectedCounts(of: pdb, pods: selected)
        } catch let failure as DisruptionBudget.SyncFailure {
            await events.record(
                on: pdb, type: .warning, reason: "CalculateExpectedPodCountFailed",
                message: "Failed to calculate the number of expected pods: \(failure.message)")
            try await write(DisruptionBudget.failedStatus(of: pdb, message: failure.message, now: KubernetesTime.now), of: pdb)
            return .done
        }
        if !counts.unmanagedPods.isEmpty {
            await events.record(
                on: pdb, type: .warning, reason: "UnmanagedPods",
                message: "Pods selected by this PodDisruptionBudget (selector: "
                    + "\(DisruptionBudget.goDescription(ofSelector: pdb.spec?["selector"]))) were found to be unmanaged. "
                    + "As a result, the status of the PDB cannot be calculated correctly, which may result in undefined "
                    + "behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an "
                    + "integer value.")
        }
        let now = Date()
        let disrupted = DisruptionBudget.disruptedPods(of: pdb, pods: selected, now: now)
        for pod in disrupted.overdue {
            // kube names the budget's namespace twice here; the Event says what kube's says.
            await events.record(
                on: pod, type: .warning, reason: "NotDeleted",
                message: "Pod was expected by PDB \(namespace)/\(namespace) to be deleted but it wasn't")
        }
        let healthy = DisruptionBudget.currentHealthy(selected, disrupted: disrupted.kept)
        if let status = DisruptionBudget.status(
            of: pdb, counts: counts, currentHealthy: healthy, disrupted: disrupted.kept, now: KubernetesTime.time(now))
        {
            try await write(status, of: pdb)
        }
        if let recheck = disrupted.recheck {
            return .requeue(after: .milliseconds(Int64(max(0, recheck.timeIntervalSince(now)) * 1000) + 100))
        }
        return .done
    }

    /// The pods of `candidates` the budget's selector selects: none for a null selector, all for
    /// an empty one (`policy/v1`).
    static func selectedPods(by pdb: Resource, in candidates: [Resource]) -> [Resource] {
        guard let json = pdb.spec?["selector"], !json.isNull,
            let selector = try? LabelSelector(json: json)
        else { return [] }
        return candidates.filter { selector.matches(Dictionary(uniqueKeysWithValues: $0.labels.map { ($0.key, $0.value) })) }
    }

    /// The budget's counts, the scales of the pods' controllers read as kube's finders read them:
    /// a ReplicaSet of a Deployment counts the Deployment's replicas; StatefulSets and other
    /// ReplicaSets their own; any other kind through its `scale` subresource.
    private func expectedCounts(of pdb: Resource, pods: [Resource]) async throws -> DisruptionBudget.Counts {
        var scales: [String: DisruptionBudget.ControllerScale?] = [:]
        let spec = pdb.spec ?? .emptyObject
        let needsScale = !(spec["maxUnavailable"]?.isNull ?? true)
            || !(spec["minAvailable"].map { $0.isNull || $0.intValue != nil } ?? true)
        // An integer minAvailable counts pods, not controllers: their scale is not read.
        guard needsScale else { return try DisruptionBudget.counts(of: pdb, pods: pods) { _, _ in nil } }
        // The scale finder is synchronous; the controllers are looked up first.
        for pod in pods {
            guard let reference = pod.controllerReference, scales[reference.uid] == nil else { continue }
            scales[reference.uid] = .some(try await controllerScale(of: reference, namespace: pod.namespace ?? ""))
        }
        return try DisruptionBudget.counts(of: pdb, pods: pods) { reference, _ in scales[reference.uid] ?? nil }
    }

    /// The scale of the controller `reference` names, `nil` when it does not exist (or is another
    /// object of that name).
    private func controllerScale(of reference: OwnerReference, namespace: String) async throws
        -> DisruptionBudget.ControllerScale?
    {
        let kind = GroupVersionKind(apiVersion: reference.apiVersion, kind: reference.kind)
        if kind.kind == "ReplicaSet", kind.group == "apps" || kind.group == "extensions" {
            guard let replicaSet = scales.replicaSets.cache.get(namespace: namespace, name: reference.name),
                replicaSet.uid == reference.uid
            else { return nil }
            if let owner = replicaSet.controllerReference, owner.kind == "Deployment" {
                guard let deployment = scales.deployments.cache.get(namespace: namespace, name: owner.name),
                    deployment.uid == owner.uid
                else { return nil }
                return .init(uid: owner.uid, replicas: ScaleReader.scale(of: deployment).replicas)
            }
            return .init(uid: reference.uid, replicas: ScaleReader.scale(of: replicaSet).replicas)
        }
        do {
            let scale = try await scales.scale(of: kind, name: reference.name, namespace: namespace)
            return scale.uid == reference.uid ? .init(uid: scale.uid, replicas: scale.replicas) : nil
        } catch let failure as ScaleReader.Failure {
            if failure.hasNoScale { throw DisruptionBudget.SyncFailure(message: failure.message) }
            return nil
        }
    }

    /// Replaces the status, with the resourceVersion read: an eviction recorded meanwhile makes
    /// it a conflict, retried on a fresh read, so that no recorded eviction is lost.
    private func write(_ status: JSONValue, of pdb: Resource) async throws {
        guard pdb.status != status else { return }
        var updated = pdb
        updated.status = status
        do {
            _ = try await client.updateStatus(updated, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        } catch let error as APIError where error.reason == .notFound {
            return
        }
    }

    /// kube's `MultiplePodDisruptionBudgets` Event on a pod that more than one budget selects
    /// (the eviction subresource refuses to evict it).
    func warnOfSeveralBudgets(on event: InformerEvent, budgets: [Resource]) async {
        let pod = event.object
        let selecting = budgets.filter { !Self.selectedPods(by: $0, in: [pod]).isEmpty }.map(\.name).sorted()
        guard selecting.count > 1, !pod.isBeingDeleted else { return }
        if case .deleted = event { return }
        await events.record(
            on: pod, type: .warning, reason: "MultiplePodDisruptionBudgets",
            message: "Pod \"\(pod.namespace ?? "")\"/\"\(pod.name)\" matches multiple PodDisruptionBudgets.  "
                + "Chose \"\(selecting[0])\" arbitrarily.")
    }

    /// The budgets a change of a pod concerns: those selecting it before or after the change.
    func budgets(selecting event: InformerEvent) -> [Resource] {
        var objects = [event.object]
        if case .updated(let old, _) = event { objects.append(old) }
        let namespace = event.object.namespace
        return budgets.cache.list(namespace: namespace).filter { pdb in
            objects.contains { !Self.selectedPods(by: pdb, in: [$0]).isEmpty }
        }
    }
}
