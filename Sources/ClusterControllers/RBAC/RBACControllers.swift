/// The ClusterRole aggregation controller.
enum RBACControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {}
}
