import OrderedCollections
/// How a delete treats an object's dependents (`metav1.DeletionPropagation`).
public enum PropagationPolicy: String, Sendable, Hashable, CaseIterable {
    /// Delete the owner now; the garbage collector deletes the dependents afterwards.
    case background = "Background"
    /// Delete the dependents first; the owner waits with the `foregroundDeletion` finalizer until
    /// no dependent with `blockOwnerDeletion: true` remains.
    case foreground = "Foreground"
    /// Remove the owner reference from the dependents, then delete the owner.
    case orphan = "Orphan"
}

/// The options of a delete (`metav1.DeleteOptions`).
public struct DeleteOptions: Sendable, Hashable {
    /// `nil` lets the object's own `orphan`/`foregroundDeletion` finalizer decide, else background.
    public var propagationPolicy: PropagationPolicy?
    /// Delete only if the object has this uid.
    public var preconditionUID: String?
    /// Delete only if the object has this resourceVersion.
    public var preconditionResourceVersion: String?
    /// Check everything, change nothing.
    public var dryRun: Bool
    /// Seconds the object may take to go (a Pod's graceful termination): above 0 the object
    /// only gets `deletionTimestamp` that far ahead and `deletionGracePeriodSeconds`, and stays
    /// until deleted with 0; `nil` or 0 delete at once. The API server decides it per kind.
    public var gracePeriodSeconds: Int?

    public init(
        propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: String? = nil, dryRun: Bool = false
    ) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }
}
