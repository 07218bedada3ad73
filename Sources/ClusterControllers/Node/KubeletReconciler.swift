import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources
import Synchronization

/// The simulated kubelet: for each Pod bound to the node, writes the status kubelet would
/// report at this moment of its simulated life (``PodSimulation``) — when it differs from the
/// Pod's — with the Events kubelet records (`Pulling`, `Pulled`, `Created`, `Started`, `Failed`,
/// `BackOff`, `Killing`), and looks again when the simulation says the next change comes.
///
/// A Pod being deleted has its running containers stopped (`Killing`, exit code 143), gets
/// its final status and is deleted with grace period 0, as kubelet does once its containers
/// are gone.
final class KubeletReconciler: Reconciler {
    static let component = "kubelet"
    /// The field manager of the kubelet's status writes.
    static let fieldManager = "kubelet"

    let options: NodeOptions
    let timing: PodSimulation.Timing
    let pods: Informer
    let client: KubernetesClient
    let events: any EventSink
    let addresses: PodIPAllocator
    /// The Pods of the node, kept from the informer's events (no Pod parsed per address).
    let tracker: NodePodTracker
    /// The images "pulled" so far: a pull of one of them with `IfNotPresent` is skipped.
    private let images = Mutex<Set<String>>([])

    init(context: ClusterContext, pods: Informer, tracker: NodePodTracker) {
        self.options = context.options.node
        self.tracker = tracker
        self.timing = PodSimulation.Timing(context.options.node)
        self.pods = pods
        self.client = context.client
        self.events = context.events(of: Self.component)
        self.addresses = PodIPAllocator(cidr: context.options.node.podCIDR)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let pod = pods.cache.get(key), pod.spec?["nodeName"]?.stringValue == options.name else { return .done }
        do {
            if pod.isBeingDeleted { return try await terminate(pod) }
            return try await sync(pod)
        } catch let error as APIError where error.reason == .notFound {
            return .done
        }
    }

    /// Brings the Pod's status to what the simulation says now.
    private func sync(_ pod: Resource) async throws -> ReconcileResult {
        let now = options.clock.now()
        // The start time is written to the second; the timeline starts there — or now, when it
        // lies ahead (the clock went back since): the Pod would otherwise stay put until then.
        let second = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let start = min(pod.status?["startTime"]?.stringValue.flatMap(KubernetesTime.parse) ?? second, second)
        let simulation = PodSimulation(pod: pod, timing: timing, start: start)
        let address = now >= simulation.sandboxReady ? podIP(of: pod) : nil
        let status = simulation.status(at: now, current: pod.status, hostIP: options.internalIP, podIP: address)
        let terminal = ["Succeeded", "Failed"].contains(status["phase"]?.stringValue ?? "")
        let next = terminal ? nil : simulation.nextChange(after: now)
        if Self.comparable(.object(status)) != Self.comparable(pod.status) {
            var updated = pod
            updated.status = .object(status)
            _ = try await client.updateStatus(updated, options: WriteOptions(fieldManager: Self.fieldManager))
            await recordEvents(pod: pod, simulation: simulation, now: now)
        }
        guard let next else { return .done }
        return .requeue(after: .milliseconds(Int64(max(0.01, next.timeIntervalSince(now)) * 1000) + 5))
    }

    /// The Pod's IP: the host's for `hostNetwork`, the one its status has, or a new one.
    private func podIP(of pod: Resource) -> String? {
        if pod.spec?["hostNetwork"]?.boolValue == true { return options.internalIP }
        if let held = pod.status?["podIP"]?.stringValue, !held.isEmpty { return held }
        // This Pod holds no address yet (above), so every address in use is another's.
        let (inUse, live) = tracker.addresses(on: options.name)
        return addresses.address(for: pod.uid ?? pod.name, inUse: inUse, live: live)
    }

    /// The Events of the change from the Pod's status to the simulation's at `now`.
    private func recordEvents(pod: Resource, simulation: PodSimulation, now: Date) async {
        let old = (pod.status?["initContainerStatuses"]?.arrayValue ?? [])
            + (pod.status?["containerStatuses"]?.arrayValue ?? [])
        for (plan, view) in zip(simulation.plans, simulation.views(at: now)) {
            let previous = old.first { $0["name"]?.stringValue == plan.name }
            let present = images.withLock { $0.contains(plan.image.normalized) }
            let changes = KubeletEvents.events(
                plan: plan, old: previous, new: view, imagePresent: present, pullTime: timing.step,
                podDescription: simulation.podDescription)
            if view.pulled { images.withLock { _ = $0.insert(plan.image.normalized) } }
            for event in changes {
                await events.record(on: pod, type: event.warning ? .warning : .normal, reason: event.reason,
                                    message: event.message)
            }
        }
    }

    /// Stops the containers of a Pod being deleted, writes its final status and deletes it.
    private func terminate(_ pod: Resource) async throws -> ReconcileResult {
        let phase = Pods.phase(of: pod)
        if let startTime = pod.status?["startTime"]?.stringValue.flatMap(KubernetesTime.parse),
            phase != "Succeeded", phase != "Failed"
        {
            let now = options.clock.now()
            let simulation = PodSimulation(pod: pod, timing: timing, start: startTime)
            var views = simulation.views(at: now)
            for index in views.indices {
                guard case .running(let since) = views[index].state else { continue }
                let plan = simulation.plans[index]
                await events.record(on: pod, type: .normal, reason: "Killing", message: "Stopping container \(plan.name)")
                views[index].state = .terminated(.init(
                    code: 143, startedAt: since, finishedAt: now, containerID: views[index].containerID ?? ""))
                views[index].ready = false
            }
            let regular = views.suffix(simulation.regularPlans.count)
            let succeeded = regular.allSatisfy { $0.exit?.code == 0 }
            let status = simulation.status(
                views: views, phase: succeeded ? "Succeeded" : "Failed", at: now, current: pod.status,
                hostIP: options.internalIP, podIP: pod.status?["podIP"]?.stringValue)
            var updated = pod
            updated.status = .object(status)
            _ = try await client.updateStatus(updated, options: WriteOptions(fieldManager: Self.fieldManager))
        }
        try await client.delete(
            Pods.kind, name: pod.name, namespace: pod.namespace, gracePeriodSeconds: 0, preconditionUID: pod.uid)
        return .done
    }

    /// A status as compared for change: without nulls and empty objects, which the server may
    /// drop or keep.
    static func comparable(_ value: JSONValue?) -> JSONValue? {
        guard let value else { return nil }
        switch value {
        case .object(let members):
            var kept: JSONObject = [:]
            for (key, member) in members {
                guard let member = comparable(member), !member.isNull else { continue }
                if case .object(let inner) = member, inner.isEmpty { continue }
                kept[key] = member
            }
            return .object(kept)
        case .array(let items):
            return .array(items.compactMap(comparable))
        default:
            return value
        }
    }
}
