import ControllerRuntime
import Resources

extension StatusWriter {
    /// The `Synced` condition (spec §1.4): `ReconcileSuccess`, or `ReconcileError` with
    /// `failure` as its message; the transition time of `old`'s is kept while the state holds.
    static func synced(failure: String?, old: JSONValue?) -> JSONValue {
        ApplicationConfigurationReconciler.syncedCondition(failure: failure, old: old)
    }

    /// Whether `object`'s `Synced` condition already reports `failure`: a failure that persists
    /// is told by one Warning Event, not one per retry.
    static func alreadyReports(_ failure: String, on object: Resource) -> Bool {
        ApplicationConfigurationReconciler.condition(of: object)?["message"]?.stringValue == failure
    }
}
