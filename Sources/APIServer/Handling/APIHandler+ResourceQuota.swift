import APIMachinery
import BuiltinKinds
import Foundation
import OrderedCollections
import Resources
import Store

extension APIHandler {
    /// kube-apiserver's `ResourceQuota` admission: a write that would take a namespace beyond
    /// one of its quotas is refused with 403 —
    /// `pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`
    /// — as is a Pod without explicit requests or limits of the compute resources a quota
    /// limits (`failed quota: q: must specify limits.memory for: web`) and any write a quota
    /// counts before the quota controller has reported its usage (`status unknown for quota`).
    /// An admitted write is charged to each quota's `status.used` at once (not for a dry run),
    /// so that the next write sees it before the controller recounts.
    ///
    /// Creates are charged for every kind; updates only for Services and claims (their usage
    /// can grow), as in kube. Runs after validation, as a validating admission plugin.
    func admitToQuota(_ object: Resource, old: Resource?, type: ResourceType, dryRun: Bool) async throws {
        guard type.namespaced, let namespace = object.namespace, type.kind != "ResourceQuota" || old == nil else { return }
        let updatable = type.group.isEmpty && (type.resource == "services" || type.resource == "persistentvolumeclaims")
        guard old == nil || updatable else { return }
        let quotaType = BuiltinTypes.resourceQuotas.type
        // Conflicts with another write charging the same quota are retried with fresh usage.
        for _ in 0..<10 {
            let quotas = try await store.list(quotaType, namespace: namespace, options: ListOptions()).items
            guard !quotas.isEmpty else { return }
            let usage = QuotaUsage.usage(of: object, resource: type.resource, group: type.group, now: now())
            var delta = usage
            if let old {
                let previous = QuotaUsage.usage(of: old, resource: type.resource, group: type.group, now: now())
                for (name, quantity) in delta {
                    let difference = quantity - (previous[name] ?? .zero)
                    delta[name] = difference.amount < 0 ? Quantity(amount: 0, format: quantity.format) : difference
                }
            }
            var charged: [Resource] = []
            for quota in quotas.sorted(by: { $0.name < $1.name })
            where QuotaUsage.quotaMatches(quota, object: object, resource: type.resource, group: type.group) {
                let hard = QuotaUsage.resourceList(quota.status?["hard"])
                let restricted = Set(hard.keys.filter {
                    QuotaUsage.counts($0, resource: type.resource, group: type.group)
                })
                guard !restricted.isEmpty else { continue }
                if type.group.isEmpty, type.resource == "pods",
                    let missing = QuotaUsage.missingComputeResources(of: object, required: restricted)
                {
                    throw Self.quotaForbidden(object, type: type, "failed quota: \(quota.name): \(missing)")
                }
                let used = QuotaUsage.resourceList(quota.status?["used"])
                let unknown = restricted.filter { used[$0] == nil }
                guard unknown.isEmpty else {
                    throw Self.quotaForbidden(object, type: type,
                        "status unknown for quota: \(quota.name), resources: \(unknown.sorted().joined(separator: ","))")
                }
                let requested = delta.filter { hard[$0.key] != nil }
                guard !requested.isEmpty else { continue }
                var newUsed = used
                var exceeded: [String] = []
                for (name, quantity) in requested {
                    let total = (used[name] ?? .zero) + quantity
                    newUsed[name] = total
                    if let limit = hard[name], total > limit { exceeded.append(name) }
                }
                if !exceeded.isEmpty {
                    func only(_ list: [String: Quantity]) -> [String: Quantity] { list.filter { exceeded.contains($0.key) } }
                    throw Self.quotaForbidden(object, type: type,
                        "exceeded quota: \(quota.name), requested: \(QuotaUsage.describe(only(requested))), "
                            + "used: \(QuotaUsage.describe(only(used))), limited: \(QuotaUsage.describe(only(hard)))")
                }
                var updated = quota
                var status = quota.status?.objectValue ?? [:]
                var usedJSON = status["used"]?.objectValue ?? [:]
                for name in requested.keys.sorted() { usedJSON[name] = .string(newUsed[name]!.description) }
                status["used"] = .object(usedJSON)
                updated.status = .object(status)
                charged.append(updated)
            }
            guard !dryRun else { return }
            do {
                for quota in charged {
                    _ = try await store.update(quota, as: quotaType, subresource: .status, dryRun: false)
                }
                return
            } catch let error as APIError where error.reason == .conflict {
                continue
            }
        }
        throw APIError.internalError("resource quota evaluation timed out")
    }

    /// kube's admission Forbidden: `<resource> "<name>" is forbidden: <message>`.
    private static func quotaForbidden(_ object: Resource, type: ResourceType, _ message: String) -> APIError {
        let qualified = type.group.isEmpty ? type.resource : "\(type.resource).\(type.group)"
        let text = object.name.isEmpty ? "\(qualified) is forbidden: \(message)" : "\(qualified) \"\(object.name)\" is forbidden: \(message)"
        return APIError(code: 403, reason: .forbidden, message: text, kind: type.resource,
                        name: object.name.isEmpty ? nil : object.name, group: type.group)
    }
}
