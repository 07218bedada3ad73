import Resources

/// The decisions of ``KubernetesClient/watchForever(_:namespace:labelSelector:fieldSelector:backoff:logger:)``,
/// without I/O: where to resume, when to re-list, how long to wait after a failure.
struct ReflectorStateMachine: Sendable {
    /// The next step of the loop.
    enum Step: Sendable, Hashable {
        /// List everything and deliver it as ``ReflectorEvent/relisted(_:resourceVersion:)``.
        case list
        /// Watch from this resourceVersion.
        case watch(from: String)
    }

    let backoff: Backoff
    /// Where a watch resumes; `nil` until listed, and again after 410.
    private(set) var resourceVersion: String?
    /// Failures in a row since the last success.
    private(set) var failures = 0

    init(backoff: Backoff) {
        self.backoff = backoff
    }

    var next: Step {
        if let resourceVersion { return .watch(from: resourceVersion) }
        return .list
    }

    mutating func listed(resourceVersion: String) {
        self.resourceVersion = resourceVersion
        failures = 0
    }

    /// Records an event; returns whether to deliver it (bookmarks only move the resume point).
    mutating func received(_ event: WatchEvent) -> Bool {
        if let version = event.object.resourceVersion, !version.isEmpty { resourceVersion = version }
        failures = 0
        return event.type != .bookmark
    }

    /// A watch the server ended. Returns how long to wait first: nothing after a watch that
    /// delivered events, a backoff after one that ended before its first (a server shutting
    /// down), so that a server that keeps doing that is not hammered.
    mutating func watchEnded(afterEvents events: Int) -> Duration? {
        guard events == 0 else { return nil }
        failures += 1
        return backoff.delay(afterFailures: failures)
    }

    /// A list or watch that failed. Returns how long to wait before the next step: nothing
    /// after 410 Gone/Expired (the next step is a list), a doubling backoff otherwise.
    mutating func failed(_ error: any Error) -> Duration? {
        if let error = error as? APIError, error.code == 410 {
            resourceVersion = nil
            return nil
        }
        failures += 1
        return backoff.delay(afterFailures: failures)
    }
}
