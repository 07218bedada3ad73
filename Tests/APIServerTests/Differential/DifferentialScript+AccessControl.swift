extension DifferentialScript {
    /// RBAC objects, authorisation of ServiceAccount tokens, and the per-namespace ServiceAccount.
    static let accessControl: [DifferentialStep] = []
}
