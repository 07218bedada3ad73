extension DifferentialScript {
    /// Pods, ReplicaSets, DaemonSets, Jobs and CronJobs.
    static let podsAndControllers: [DifferentialStep] = []
}
