/// The Deployment and ReplicaSet controllers.
enum DeploymentControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {}
}
