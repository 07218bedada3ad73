import OrderedCollections
public import Resources

/// What admission decided about an object.
public enum AdmissionVerdict: Sendable, Hashable {
    /// Store this object (possibly mutated); the warnings are worth telling the user.
    case allowed(Resource, warnings: [Diagnostic])
    /// Refuse the request; at least one of the diagnostics is an error.
    case denied([Diagnostic])

    /// The diagnostics that are errors when denied; empty when allowed.
    public var errors: [Diagnostic] {
        guard case .denied(let diagnostics) = self else { return [] }
        return diagnostics.filter { $0.severity == .error }
    }

    /// The warnings, allowed or denied.
    public var warnings: [Diagnostic] {
        switch self {
        case .allowed(_, let warnings): warnings
        case .denied(let diagnostics): diagnostics.filter { $0.severity == .warning }
        }
    }
}
