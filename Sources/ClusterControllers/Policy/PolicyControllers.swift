/// The PodDisruptionBudget, HorizontalPodAutoscaler and ResourceQuota status controllers.
enum PolicyControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {}
}
