extension DifferentialScript {
    /// Nodes, Endpoints, ResourceQuotas, LimitRanges, PriorityClasses and events.k8s.io Events.
    static let clusterKinds: [DifferentialStep] = []
}
