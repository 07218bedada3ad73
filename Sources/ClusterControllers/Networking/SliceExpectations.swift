import ControllerRuntime
import Resources
import Synchronization

/// What the EndpointSlice controller last wrote for each Service — each slice's name and the
/// resourceVersion the server gave it, or its deletion — so that a reconcile whose cache has not
/// caught up yet waits instead of creating a duplicate slice (kube's endpoint slice tracker).
final class SliceExpectations: Sendable {
    private let state = Mutex<[ObjectKey: [String: String?]]>([:])

    /// Records the writes of one reconcile of `service`: slice name → resourceVersion written,
    /// `nil` for a deleted slice.
    func expect(_ writes: [String: String?], for service: ObjectKey) {
        state.withLock { $0[service] = writes.isEmpty ? nil : writes }
    }

    /// Whether `slices` (the cache's, of `service`) show every write recorded; once they do,
    /// the record is dropped.
    func isSatisfied(by slices: [Resource], for service: ObjectKey) -> Bool {
        state.withLock { state in
            guard let writes = state[service] else { return true }
            for (name, version) in writes {
                let cached = slices.first { $0.name == name }
                if let version {
                    guard let seen = cached?.resourceVersion, Self.isAtLeast(seen, version) else { return false }
                } else if cached != nil {
                    return false
                }
            }
            state[service] = nil
            return true
        }
    }

    /// Forgets a deleted Service.
    func forget(_ service: ObjectKey) {
        _ = state.withLock { $0.removeValue(forKey: service) }
    }

    /// resourceVersions are opaque, but those of one server are increasing integers.
    private static func isAtLeast(_ seen: String, _ written: String) -> Bool {
        guard let seen = Int64(seen), let written = Int64(written) else { return seen == written }
        return seen >= written
    }
}
