/// The Job and CronJob controllers.
enum JobControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {}
}
