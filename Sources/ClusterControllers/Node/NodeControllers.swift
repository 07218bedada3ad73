/// The Node object, the scheduler and the kubelet simulator.
enum NodeControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {}
}
