import ControllerRuntime
import OrderedCollections
import KubeClient
import Logging
import Resources

/// Keeps each ClusterRole with an `aggregationRule` holding the rules of the ClusterRoles it
/// selects (``ClusterRoleAggregation``), as kube-controller-manager's clusterrole-aggregation
/// controller does: by server-side apply of `rules` alone, as the field manager
/// `clusterrole-aggregation-controller`, forced, and only when the rules differ.
struct ClusterRoleAggregationReconciler: Reconciler {
    /// The field manager kube's controller applies as.
    static let fieldManager = "clusterrole-aggregation-controller"
    static let clusterRole = GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole")

    let clusterRoles: Informer
    let client: KubernetesClient
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let role = clusterRoles.cache.get(key) else { return .done }
        guard let rules = try ClusterRoleAggregation.rules(for: role, among: clusterRoles.cache.list()) else {
            return .done
        }
        if ClusterRoleAggregation.sameRules(rules, role.object["rules"]?.arrayValue ?? []) { return .done }
        try await client.apply(
            ClusterRoleAggregation.applyConfiguration(name: role.name, rules: rules), fieldManager: Self.fieldManager,
            force: true)
        logger.debug("clusterrole.aggregated", metadata: ["clusterrole": "\(role.name)", "rules": "\(rules.count)"])
        return .done
    }
}
