import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources
import Synchronization

/// Kubelet's registration and heartbeats for the simulated node: creates the Node when it is
/// missing, keeps kubelet's labels on it (other labels are the user's), reports its status —
/// written when something changed or when the last heartbeat is ``NodeOptions/statusReportInterval``
/// old, as kubelet does with node leases — and renews its Lease in `kube-node-lease` every
/// quarter of the lease duration. It also taints a cordoned node
/// (`node.kubernetes.io/unschedulable:NoSchedule`), as kube-controller-manager's node
/// lifecycle controller does.
final class NodeReconciler: Reconciler {
    static let nodeKind = GroupVersionKind(group: "", version: "v1", kind: "Node")
    static let leaseKind = GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease")
    static let namespaceKind = GroupVersionKind(group: "", version: "v1", kind: "Namespace")
    static let unschedulableTaint = "node.kubernetes.io/unschedulable"
    /// The field manager of kubelet's writes.
    static let fieldManager = "kubelet"

    let options: NodeOptions
    let machine: MachineInfo
    let nodes: Informer
    let leases: Informer
    let client: KubernetesClient
    let events: any EventSink
    let logger: Logger
    /// Whether this process has announced the kubelet's start on the Node.
    private let announced = Mutex(false)

    init(context: ClusterContext, machine: MachineInfo = .current()) {
        self.options = context.options.node
        self.machine = machine
        self.nodes = context.manager.informer(for: Self.nodeKind)
        self.leases = context.manager.informer(for: Self.leaseKind)
        self.client = context.client
        self.events = context.events(of: KubeletReconciler.component)
        self.logger = context.logger
    }

    var key: ObjectKey { ObjectKey(namespace: nil, name: options.name) }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard key.name == options.name else { return .done }
        var node: Resource
        if let cached = nodes.cache.get(key), !cached.isBeingDeleted {
            node = cached
        } else if nodes.cache.get(key) == nil {
            node = try await register()
        } else {
            return .done   // being deleted: registered again once it is gone
        }
        node = try await keepLabelsAndTaints(of: node)
        let wait = try await reportStatus(of: node)
        await announceStart(on: node)
        let renew = try await renewLease(of: node)
        return .requeue(after: min(wait, renew))
    }

    private func register() async throws -> Resource {
        do {
            return try await client.create(
                NodeManifest.node(options, machine: machine), options: WriteOptions(fieldManager: Self.fieldManager))
        } catch let error as APIError where error.reason == .alreadyExists {
            return try await client.get(Self.nodeKind, name: options.name)
        }
    }

    private func keepLabelsAndTaints(of node: Resource) async throws -> Resource {
        var updated = node
        for (key, value) in NodeManifest.labels(options, machine: machine) where node.labels[key] != value {
            updated.setLabel(key, value)
        }
        let cordoned = node.spec?["unschedulable"]?.boolValue == true
        var taints = node.spec?["taints"]?.arrayValue ?? []
        let tainted = taints.contains { $0["key"]?.stringValue == Self.unschedulableTaint }
        if cordoned, !tainted {
            taints.append(["key": .string(Self.unschedulableTaint), "effect": "NoSchedule",
                           "timeAdded": .string(KubernetesTime.now)])
        } else if !cordoned, tainted {
            taints.removeAll { $0["key"]?.stringValue == Self.unschedulableTaint }
        }
        if cordoned != tainted {
            var spec = updated.spec?.objectValue ?? [:]
            spec["taints"] = taints.isEmpty ? nil : .array(taints)
            updated.spec = .object(spec)
        }
        guard updated != node else { return node }
        return try await client.update(updated, options: WriteOptions(fieldManager: Self.fieldManager))
    }

    /// Writes the status when it changed or its heartbeat is due; returns when to look again.
    private func reportStatus(of node: Resource) async throws -> Duration {
        let now = options.clock.now()
        let version = await kubeletVersion()
        let status = NodeManifest.status(
            options, machine: machine, kubeletVersion: version, current: node.status, now: KubernetesTime.time(now))
        let interval = TimeInterval(options.statusReportInterval.components.seconds)
        if NodeManifest.withoutHeartbeats(status) == NodeManifest.withoutHeartbeats(node.status),
            let oldest = NodeManifest.oldestHeartbeat(of: node.status),
            // A heartbeat ahead of now (the clock went back) is due now, not in an hour.
            (0..<interval).contains(now.timeIntervalSince(oldest))
        {
            return .seconds(max(1, interval - now.timeIntervalSince(oldest)))
        }
        var updated = node
        updated.status = status
        _ = try await client.updateStatus(updated, options: WriteOptions(fieldManager: Self.fieldManager))
        return options.statusReportInterval
    }

    /// Creates or renews the Lease; returns when to renew it next.
    private func renewLease(of node: Resource) async throws -> Duration {
        let renewEvery = Double(options.leaseDurationSeconds) / 4
        let now = options.clock.now()
        let existing = leases.cache.get(namespace: NodeManifest.leaseNamespace, name: options.name)
        if let existing, let renewed = existing.spec?["renewTime"]?.stringValue.flatMap(KubernetesTime.parse),
            // A renewTime ahead of now (the clock went back) is renewed now, not in an hour.
            (0..<renewEvery).contains(now.timeIntervalSince(renewed)),
            existing.spec?["holderIdentity"]?.stringValue == options.name
        {
            return .milliseconds(Int64((renewEvery - now.timeIntervalSince(renewed)) * 1000) + 1)
        }
        let lease = NodeManifest.lease(options, node: node, renewTime: KubernetesTime.microTime(now))
        if var existing {
            existing.spec = lease.spec
            if existing.ownerReferences.isEmpty {
                existing.withMetadata { $0["ownerReferences"] = lease.metadata["ownerReferences"] }
            }
            _ = try await client.update(existing, options: WriteOptions(fieldManager: Self.fieldManager))
        } else {
            do {
                _ = try await client.create(lease, options: WriteOptions(fieldManager: Self.fieldManager))
            } catch let error as APIError where error.reason == .notFound {
                // kube-apiserver creates kube-node-lease at start; the embedded plane may not have it yet.
                var namespace = Resource(apiVersion: "v1", kind: "Namespace", name: NodeManifest.leaseNamespace)
                namespace.object["spec"] = .emptyObject
                do { _ = try await client.create(namespace) } catch let error as APIError where error.reason == .alreadyExists {}
                _ = try await client.create(lease, options: WriteOptions(fieldManager: Self.fieldManager))
            } catch let error as APIError where error.reason == .alreadyExists {
                return .milliseconds(100)   // the cache is behind: renew it once it shows the Lease
            }
        }
        return .milliseconds(Int64(renewEvery * 1000))
    }

    /// The Events kubelet records on its Node when it starts.
    private func announceStart(on node: Resource) async {
        guard announced.withLock({ done in defer { done = true }; return !done }) else { return }
        await events.record(on: node, type: .normal, reason: "Starting", message: "Starting kubelet.")
        await events.record(on: node, type: .normal, reason: "NodeAllocatableEnforced",
                            message: "Updated Node Allocatable limit across pods")
        for reason in ["NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID", "NodeReady"] {
            await events.record(on: node, type: .normal, reason: reason,
                                message: "Node \(node.name) status is now: \(reason)")
        }
    }

    /// The server's `gitVersion`, which the simulated kubelet reports as its own.
    private func kubeletVersion() async -> String {
        if let known = version.withLock({ $0 }) { return known }
        let found = (try? await client.serverVersion())?["gitVersion"]?.stringValue ?? "v0.0.0-mizzen"
        version.withLock { $0 = found }
        return found
    }

    private let version = Mutex<String?>(nil)
}
