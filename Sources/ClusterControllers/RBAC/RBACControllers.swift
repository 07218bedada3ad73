import ControllerRuntime

/// The ClusterRole aggregation controller.
enum RBACControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {
        context.manager.add(clusterRoleAggregationController(context))
    }

    /// kube's clusterrole-aggregation controller: any change to any ClusterRole queues every
    /// ClusterRole that aggregates (the set is small and who selects whom is not indexed, as in kube).
    static func clusterRoleAggregationController(_ context: ClusterContext) -> Controller {
        let clusterRoles = context.manager.informer(for: ClusterRoleAggregationReconciler.clusterRole)
        let reconciler = ClusterRoleAggregationReconciler(
            clusterRoles: clusterRoles, client: context.client, logger: context.logger)
        let controller = Controller(
            name: "clusterrole-aggregation", reconciler: reconciler, primary: clusterRoles, workers: context.workers,
            logger: context.logger)
        clusterRoles.addHandler { _ in
            for role in clusterRoles.cache.list() where ClusterRoleAggregation.aggregates(role) {
                await controller.enqueue(ObjectKey(role))
            }
        }
        return controller
    }
}
