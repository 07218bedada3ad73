import OAM
import Resources
import Synchronization

/// One recording of a component's revision at a time, and the memory of what this process just
/// recorded. The Component controller and the AppConfig controller both make sure a component's
/// latest revision exists (``ComponentRevisions/ensureLatestRevision(of:)``), often for the
/// same change within milliseconds; without this the second, deciding from an informer cache
/// that has not seen the first's writes yet, creates the same ControllerRevision again (409,
/// then a GET) and records it in the Component's status again.
final class RevisionLedger: Sendable {
    /// How long a recording is remembered: long enough for the informers to see it.
    static let memory: Duration = .seconds(30)

    private struct Recorded {
        var uid: String?
        var spec: JSONValue
        var latest: Component.Revision
        var at: ContinuousClock.Instant
    }

    private struct State {
        /// Components being recorded now, with the callers waiting for them.
        var busy: [String: [CheckedContinuation<Void, Never>]] = [:]
        var recorded: [String: Recorded] = [:]
        /// When ``recorded`` was last rid of what is older than ``memory``.
        var swept: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    /// Runs `body` alone among the callers for `key` (`namespace/component`), in arrival order.
    func serialized<Value: Sendable>(_ key: String, _ body: () async throws -> Value) async throws -> Value {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let proceed = state.withLock { state -> Bool in
                if state.busy[key] != nil {
                    state.busy[key]!.append(continuation)
                    return false
                }
                state.busy[key] = []
                return true
            }
            if proceed { continuation.resume() }
        }
        defer {
            let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard var waiting = state.busy[key], !waiting.isEmpty else {
                    state.busy[key] = nil
                    return nil
                }
                let first = waiting.removeFirst()
                state.busy[key] = waiting
                return first
            }
            next?.resume()
        }
        return try await body()
    }

    /// The revision this process recorded for `key` within ``memory``, when it was for the same
    /// component (uid) and spec.
    func latest(_ key: String, uid: String?, spec: JSONValue, now: ContinuousClock.Instant = .now) -> Component.Revision? {
        state.withLock { state in
            guard let recorded = state.recorded[key], now - recorded.at < Self.memory,
                recorded.uid == uid, recorded.spec == spec
            else { return nil }
            return recorded.latest
        }
    }

    /// Remembers that `latest` records `spec` of the component `uid`. What is older than
    /// ``memory`` is forgotten once per ``memory`` (not on every call: thousands of components
    /// are recorded while a large fleet converges).
    func remember(_ key: String, uid: String?, spec: JSONValue, latest: Component.Revision, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if state.swept.map({ now - $0 >= Self.memory }) ?? true {
                state.recorded = state.recorded.filter { now - $0.value.at < Self.memory }
                state.swept = now
            }
            state.recorded[key] = Recorded(uid: uid, spec: spec, latest: latest, at: now)
        }
    }
}
