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
/// quota and charges `status.used` at once; this controller then recounts. Admission charges
/// before the object is stored, so a recount can briefly find fewer objects than were
/// charged: usage is lowered below a charge only once the lower count has held for
/// ``settleTime`` with no new charge, and the server's own list confirms it. Raising usage is
/// never delayed.
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

    /// How long a count below what admission charged must hold before usage is lowered: far
    /// longer than the moment between a charge and the write of the object charged for.
    static let settleTime: Duration = .seconds(1)

    let manager: Manager
    let quotas: Informer
    /// Quotas whose count fell below their charge, with the charges seen and since when.
    private let decreases = Mutex<[ObjectKey: (charged: [String: Quantity], since: ContinuousClock.Instant)]>([:])
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
        guard let quota = quotas.cache.get(key), !quota.isBeingDeleted else {
            decreases.withLock { _ = $0.removeValue(forKey: key) }
            return .done
        }
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
        // Counted from the caches first.
        var counted: [(informer: Informer, resource: String, group: String, names: [String], totals: [String: Quantity])] = []
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
            let totals = Self.totals(
                of: informer.cache.list(namespace: key.namespace), quota: quota, resource: entry.resource,
                group: entry.group, names: entry.names, now: now)
            counted.append((informer, entry.resource, entry.group, entry.names, totals))
        }
        // Counts below what admission charged: it may have charged for objects not written yet,
        // so the charge stands until the lower count has held a while.
        let charged = QuotaUsage.resourceList(quota.status?["used"])
        var lower: [String: Quantity] = [:]
        for entry in counted {
            for name in entry.names {
                if let charge = charged[name], (entry.totals[name] ?? .zero) < charge { lower[name] = charge }
            }
        }
        let settleAfter = lower.isEmpty ? nil : settling(key, charged: lower)
        if lower.isEmpty { decreases.withLock { _ = $0.removeValue(forKey: key) } }
        for entry in counted {
            var totals = entry.totals
            let falls = entry.names.contains { lower[$0] != nil }
            if falls, settleAfter == nil {
                // Settled; the cache may still lag, and the server's own list says whether the
                // objects really are gone.
                let live = try await manager.client.list(entry.informer.kind, namespace: key.namespace).items
                totals = Self.totals(
                    of: live, quota: quota, resource: entry.resource, group: entry.group, names: entry.names, now: now)
            }
            for name in entry.names {
                let total = settleAfter != nil ? (lower[name] ?? totals[name] ?? .zero) : (totals[name] ?? .zero)
                used[name] = .string(total.description)
            }
        }
        if waiting { return .requeue(after: .milliseconds(200)) }
        var status: JSONObject = [:]
        if !hard.isEmpty {
            status["hard"] = .object(hard)
            status["used"] = .object(used)
        }
        // An unset status and an empty one say the same.
        let next = settleAfter ?? Self.resyncPeriod
        if status.isEmpty, (quota.status?.objectValue ?? [:]).isEmpty { return .requeue(after: next) }
        guard quota.status != .object(status) else { return .requeue(after: next) }
        // Written against the version read, so that a charge admission made meanwhile is not lost:
        // the conflict retries with it.
        var updated = quota
        updated.status = .object(status)
        _ = try await manager.client.updateStatus(updated, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        return .requeue(after: next)
    }

    /// How long the count of quota `key` must still stay below `charged` before usage may be
    /// lowered; `nil` once it has for ``settleTime``. A charge that changed meanwhile (a new
    /// admission) starts the wait again.
    private func settling(_ key: ObjectKey, charged: [String: Quantity]) -> Duration? {
        let now = ContinuousClock.now
        return decreases.withLock { decreases -> Duration? in
            guard let pending = decreases[key],
                charged.allSatisfy({ pending.charged[$0.key] == $0.value })
            else {
                decreases[key] = (charged, now)
                return Self.settleTime
            }
            let waited = now - pending.since
            return waited >= Self.settleTime ? nil : Self.settleTime - waited
        }
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
