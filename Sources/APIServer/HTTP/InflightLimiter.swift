import Synchronization

/// How kube-apiserver's max-in-flight filter sees a request: long-running requests (watches,
/// logs, exec, attach, port-forward, proxy) are not counted; the others count against the
/// mutating or the read-only limit.
enum RequestClass: Sendable, Hashable {
    case longRunning
    case readOnly
    case mutating

    /// The subresources kube-apiserver serves as long-running requests.
    static let longRunningSubresources: Set<String> = ["log", "exec", "attach", "portforward", "proxy"]

    /// Classifies a request from its method, path and query (`watch=true`, `follow`…).
    ///
    /// ```swift
    /// RequestClass(method: "GET", path: "/api/v1/pods", query: ["watch": "1"])   // .longRunning
    /// RequestClass(method: "PATCH", path: "/api/v1/namespaces/a/pods/p", query: [:])  // .mutating
    /// ```
    init(method: String, path: String, query: [String: String]) {
        let watch = query["watch"].map { $0 == "1" || $0.lowercased() == "true" } ?? false
        if watch {
            self = .longRunning
            return
        }
        if case .resource(let target)? = RequestTarget.parse(path),
            let subresource = target.subresource, Self.longRunningSubresources.contains(subresource)
        {
            self = .longRunning
            return
        }
        // The legacy `/api/v1/watch/...` and `/api/v1/proxy/...` paths.
        let parts = path.split(separator: "/", maxSplits: 4)
        if parts.count > 2, parts[2] == "watch" || parts[2] == "proxy" || (parts.count > 3 && parts[3] == "watch") {
            self = .longRunning
            return
        }
        switch method {
        case "GET", "HEAD", "OPTIONS": self = .readOnly
        default: self = .mutating
        }
    }
}

/// kube-apiserver's `--max-requests-inflight` / `--max-mutating-requests-inflight`: at most so
/// many read-only and so many mutating requests are served at once; the next one is refused at
/// once (429, `Retry-After: 1`) rather than queued, so that an overloaded server sheds load
/// instead of growing its memory. A limit of 0 means no limit, as in kube.
///
/// ```swift
/// guard let slot = limiter.admit(.mutating) else { return InflightLimiter.tooManyRequests }
/// defer { limiter.release(slot) }
/// ```
final class InflightLimiter: Sendable {
    /// A request admitted against a limit; give it back with ``release(_:)``.
    struct Slot: Sendable {
        fileprivate let mutating: Bool
        fileprivate let counted: Bool
    }

    private struct Counts {
        var readOnly = 0
        var mutating = 0
        /// Requests refused with 429 since the server started.
        var refused = 0
    }

    let maxReadOnly: Int
    let maxMutating: Int
    private let counts = Mutex(Counts())

    init(maxReadOnly: Int, maxMutating: Int) {
        self.maxReadOnly = maxReadOnly
        self.maxMutating = maxMutating
    }

    /// Takes a slot for a request of `requestClass`, or `nil` when its limit is reached.
    /// Long-running requests always get an uncounted slot.
    func admit(_ requestClass: RequestClass) -> Slot? {
        switch requestClass {
        case .longRunning:
            return Slot(mutating: false, counted: false)
        case .readOnly:
            return counts.withLock { counts in
                if maxReadOnly > 0, counts.readOnly >= maxReadOnly { return nil }
                counts.readOnly += 1
                return Slot(mutating: false, counted: true)
            }
        case .mutating:
            return counts.withLock { counts in
                if maxMutating > 0, counts.mutating >= maxMutating { return nil }
                counts.mutating += 1
                return Slot(mutating: true, counted: true)
            }
        }
    }

    /// Gives back a slot taken by ``admit(_:)``.
    func release(_ slot: Slot) {
        guard slot.counted else { return }
        counts.withLock { counts in
            if slot.mutating { counts.mutating -= 1 } else { counts.readOnly -= 1 }
        }
    }

    /// Counts a request refused for want of a slot (one from system:masters is served anyway).
    func recordRefusal() {
        counts.withLock { $0.refused += 1 }
    }

    /// Requests served now (read-only, mutating) and refused so far.
    var figures: (readOnly: Int, mutating: Int, refused: Int) {
        counts.withLock { ($0.readOnly, $0.mutating, $0.refused) }
    }
}
