extension DifferentialScript {
    /// Ingresses, IngressClasses, NetworkPolicies, PodDisruptionBudgets, HorizontalPodAutoscalers and EndpointSlices.
    static let networkingAndPolicy: [DifferentialStep] = []
}
