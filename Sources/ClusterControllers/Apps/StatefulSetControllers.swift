/// The StatefulSet and DaemonSet controllers.
enum StatefulSetControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {}
}
