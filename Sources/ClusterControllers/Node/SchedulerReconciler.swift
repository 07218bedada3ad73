import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources
import Synchronization

/// The `default-scheduler`: binds each Pod that names it (and has no node yet, no scheduling
/// gates and no deletion under way) to the simulated node through the `pods/binding`
/// subresource, with a `Scheduled` Event; a Pod that does not fit (see ``PodFit``) gets
/// `PodScheduled=False`, reason `Unschedulable`, and a `FailedScheduling` Event with
/// kube-scheduler's message, and is tried again when the node or the Pods on it change.
///
/// Run with one worker: the Pods it has bound but the cache does not show bound yet count as
/// bound ("assumed", as kube-scheduler's cache has them), so two Pods cannot both take the
/// last CPU.
final class SchedulerReconciler: Reconciler {
    static let schedulerName = "default-scheduler"
    /// The field manager of the scheduler's status writes.
    static let fieldManager = "kube-scheduler"

    let options: NodeOptions
    let pods: Informer
    let nodes: Informer
    let client: KubernetesClient
    let events: any EventSink
    /// The Pods of the node, kept from the informer's events (no Pod parsed per placement).
    let tracker: NodePodTracker
    private let assumed = Mutex<[String: Resource]>([:])

    init(context: ClusterContext, pods: Informer, nodes: Informer, tracker: NodePodTracker) {
        self.options = context.options.node
        self.tracker = tracker
        self.pods = pods
        self.nodes = nodes
        self.client = context.client
        self.events = context.events(of: Self.schedulerName)
    }

    /// Whether the scheduler has to place `pod`.
    static func wantsScheduling(_ pod: Resource) -> Bool {
        let spec = pod.spec ?? .emptyObject
        return (spec["nodeName"]?.stringValue ?? "").isEmpty && !pod.isBeingDeleted
            && (spec["schedulerName"]?.stringValue ?? schedulerName) == schedulerName
            && (spec["schedulingGates"]?.arrayValue ?? []).isEmpty
            && Pods.phase(of: pod) == "Pending"
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let pod = pods.cache.get(key), Self.wantsScheduling(pod) else { return .done }
        guard let node = nodes.cache.get(namespace: nil, name: options.name) else {
            try await unschedulable(pod, message: "no nodes available to schedule pods")
            return .done
        }
        let bound = boundPods(on: node.name)
        let reasons = PodFit.reasons(pod: pod, node: node, boundPods: bound)
        guard reasons.isEmpty else {
            try await unschedulable(pod, message: PodFit.message(reasons: reasons, pod: pod))
            // kube-scheduler retries unschedulable Pods at least every 5 minutes.
            return .requeue(after: .seconds(300))
        }
        var binding = Resource(apiVersion: "v1", kind: "Binding", name: pod.name, namespace: pod.namespace)
        binding.withMetadata { $0["uid"] = pod.uid.map(JSONValue.string) }
        binding.object["target"] = ["apiVersion": "v1", "kind": "Node", "name": .string(node.name)]
        do {
            _ = try await client.create(
                binding, subresource: "binding", of: Pods.kind, name: pod.name, namespace: pod.namespace,
                options: WriteOptions(fieldManager: Self.fieldManager))
        } catch let error as APIError where error.reason == .notFound || error.reason == .conflict {
            return .done   // gone, or bound by someone else meanwhile
        }
        if let uid = pod.uid {
            var placed = pod
            placed.spec?["nodeName"] = .string(node.name)
            assumed.withLock { $0[uid] = placed }
        }
        await events.record(
            on: pod, type: .normal, reason: "Scheduled",
            message: "Successfully assigned \(pod.namespace ?? "default")/\(pod.name) to \(node.name)")
        return .done
    }

    /// The active Pods on `node`: those the cache shows there and those just bound.
    private func boundPods(on node: String) -> [Resource] {
        let active = tracker.activePods(on: node)
        let unbound = tracker.unboundUIDs
        return assumed.withLock { assumed in
            // An assumed Pod leaves the list once the tracker shows it bound, or gone.
            assumed = assumed.filter { uid, _ in active[uid] == nil && unbound.contains(uid) }
            return Array(active.values) + assumed.values
        }
    }

    /// Records that `pod` cannot be scheduled: the `PodScheduled` condition (written when it
    /// changes) and a `FailedScheduling` Event (every attempt, as kube-scheduler's).
    private func unschedulable(_ pod: Resource, message: String) async throws {
        let conditions = pod.status?["conditions"]?.arrayValue ?? []
        let old = conditions.first { $0["type"]?.stringValue == "PodScheduled" }
        if old?["status"]?.stringValue != "False" || old?["reason"]?.stringValue != "Unschedulable"
            || old?["message"]?.stringValue != message
        {
            var condition: JSONObject = ["type": "PodScheduled"]
            if let generation = pod.generation { condition["observedGeneration"] = .int(generation) }
            condition["status"] = "False"
            condition["lastProbeTime"] = .null
            condition["lastTransitionTime"] = .string(
                old?["status"]?.stringValue == "False" ? old?["lastTransitionTime"]?.stringValue ?? KubernetesTime.now
                    : KubernetesTime.now)
            condition["reason"] = "Unschedulable"
            condition["message"] = .string(message)
            var updated = pod
            updated.status = .object(StatusWriter.setting(.object(condition), in: pod.status))
            do {
                _ = try await client.updateStatus(updated, options: WriteOptions(fieldManager: Self.fieldManager))
            } catch let error as APIError where error.reason == .notFound {
                return
            }
        }
        await events.record(on: pod, type: .warning, reason: "FailedScheduling", message: message)
    }
}
