import BuiltinKinds
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources
import Synchronization

/// Keeps the status of every ResourceQuota, as kube-controller-manager's resourcequota
/// controller: `status.hard` is `spec.hard`, `status.used` what the namespace's objects use of
/// each name a quota evaluator knows (`pods`, `services`, `configmaps`, `requests.cpu`,
/// `limits.memory`, `services.nodeports`, `count/deployments.apps`…), counted as kube counts
/// it (finished Pods hold no compute resources). Recomputed when a counted object appears,
/// goes or changes its usage, and every five minutes (kube's resync); written only when it
/// changed.
///
/// kube-apiserver's quota admission (in the API server) refuses writes that would exceed a
/// quota and charges `status.used` at once; this controller then recounts.
final class ResourceQuotaReconciler: Reconciler, Sendable {
    static let kind = GroupVersionKind(group: "", version: "v1", kind: "ResourceQuota")
    static let controllerName = "resourcequota-controller"
    /// kube's `--resource-quota-sync-period`.
    static let resyncPeriod: Duration = .seconds(300)

    /// The kinds quotas count most, watched from the start; others (claims, replication
    /// controllers, `count/<resource>.<group>`) once a quota names them and the server serves them.
    static let standardKinds: [GroupVersionKind] = [
        Pods.kind,
        GroupVersionKind(group: "", version: "v1", kind: "Service"),
        GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"),
        GroupVersionKind(group: "", version: "v1", kind: "Secret"),
        kind,
    ]

    let manager: Manager
    let quotas: Informer
    let logger: Logger
    /// The informers of counted kinds by (resource, group), and the kinds not served.
    private let watched = Mutex<[String: Informer]>([:])
    private let controller = Mutex<Controller?>(nil)

    init(context: ClusterContext, quotas: Informer) {
        self.manager = context.manager
        self.quotas = quotas
        self.logger = context.logger
    }

    /// Sets the controller whose queue the counted kinds' changes go to, and starts watching
    /// the standard kinds.
    func attach(_ controller: Controller) {
        self.controller.withLock { $0 = controller }
        for kind in Self.standardKinds {
            let resource = Self.standardResource(of: kind)
            watch(kind, resource: resource, group: kind.group)
        }
    }

    private static func standardResource(of kind: GroupVersionKind) -> String {
        switch kind.kind {
        case "Pod": "pods"
        case "Service": "services"
        case "ConfigMap": "configmaps"
        case "Secret": "secrets"
        default: "resourcequotas"
        }
    }

    /// The informer of `kind` (counted as `resource` in `group`), with a handler queueing the
    /// quotas of an object's namespace when its usage changes.
    @discardableResult
    private func watch(_ kind: GroupVersionKind, resource: String, group: String) -> Informer {
        let key = "\(resource).\(group)"
        if let informer = watched.withLock({ $0[key] }) { return informer }
        let informer = manager.informer(for: kind)
        let isNew = watched.withLock { watched -> Bool in
            guard watched[key] == nil else { return false }
            watched[key] = informer
            return true
        }
        guard isNew else { return informer }
        informer.addHandler { [self] event in
            if case .updated(let old, let new) = event,
                QuotaUsage.usage(of: old, resource: resource, group: group)
                    == QuotaUsage.usage(of: new, resource: resource, group: group)
            {
                return
            }
            guard let controller = controller.withLock({ $0 }) else { return }
            for quota in quotas.cache.list(namespace: event.object.namespace) {
                await controller.enqueue(ObjectKey(quota))
            }
        }
        return informer
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let quota = quotas.cache.get(key), !quota.isBeingDeleted else { return .done }
        let hard = quota.spec?["hard"]?.objectValue ?? [:]
        var used: JSONObject = [:]
        var waiting = false
        // The names of each counted resource, so that each kind is listed once.
        var namesByResource: OrderedDictionary<String, (resource: String, group: String, names: [String])> = [:]
        for name in hard.keys.sorted() {
            guard let counted = QuotaUsage.countedResource(of: name) else { continue }
            namesByResource["\(counted.resource).\(counted.group)", default: (counted.resource, counted.group, [])].names
                .append(name)
        }
        let now = Date()
        for (_, entry) in namesByResource {
            guard let informer = try await informer(resource: entry.resource, group: entry.group) else {
                // A kind the server does not serve: nothing of it exists.
                for name in entry.names { used[name] = "0" }
                continue
            }
            guard informer.hasSynced else {
                waiting = true
                continue
            }
            var totals = Self.totals(
                of: informer.cache.list(namespace: key.namespace), quota: quota, resource: entry.resource,
                group: entry.group, names: entry.names, now: now)
            // Less than admission has charged: the cache may not have the objects just admitted
            // yet. The server's own list says whether they really are gone.
            let charged = QuotaUsage.resourceList(quota.status?["used"])
            if entry.names.contains(where: { name in charged[name].map { (totals[name] ?? .zero) < $0 } ?? false }) {
                let live = try await manager.client.list(informer.kind, namespace: key.namespace).items
                totals = Self.totals(
                    of: live, quota: quota, resource: entry.resource, group: entry.group, names: entry.names, now: now)
            }
            for name in entry.names { used[name] = .string((totals[name] ?? .zero).description) }
        }
        if waiting { return .requeue(after: .milliseconds(200)) }
        var status: JSONObject = [:]
        if !hard.isEmpty {
            status["hard"] = .object(hard)
            status["used"] = .object(used)
        }
        // An unset status and an empty one say the same.
        if status.isEmpty, (quota.status?.objectValue ?? [:]).isEmpty { return .requeue(after: Self.resyncPeriod) }
        guard quota.status != .object(status) else { return .requeue(after: Self.resyncPeriod) }
        // Written against the version read, so that a charge admission made meanwhile is not lost:
        // the conflict retries with it.
        var updated = quota
        updated.status = .object(status)
        _ = try await manager.client.updateStatus(updated, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        return .requeue(after: Self.resyncPeriod)
    }

    /// The usage of `objects` under `names`, of those `quota`'s scopes take in.
    private static func totals(
        of objects: [Resource], quota: Resource, resource: String, group: String, names: [String], now: Date
    ) -> [String: Quantity] {
        var totals: [String: Quantity] = [:]
        for object in objects where QuotaUsage.quotaMatches(quota, object: object, resource: resource, group: group) {
            for (name, quantity) in QuotaUsage.usage(of: object, resource: resource, group: group, now: now)
            where names.contains(name) {
                totals[name] = (totals[name] ?? .zero) + quantity
            }
        }
        return totals
    }

    /// The informer of the objects counted as `resource` in `group`; `nil` when the server
    /// does not serve them.
    private func informer(resource: String, group: String) async throws -> Informer? {
        if let informer = watched.withLock({ $0["\(resource).\(group)"] }) { return informer }
        let mappings: [RESTMapping]
        do {
            mappings = try await manager.client.mapper.refreshAll()
        } catch {
            throw error
        }
        guard let mapping = mappings.first(where: {
            $0.groupVersionResource.resource == resource && $0.groupVersionResource.group == group
        }) else { return nil }
        return watch(mapping.groupVersionKind, resource: resource, group: group)
    }
}
