import Foundation
import Synchronization

/// The bearer token of a connection. A token from a file (`tokenFile`, a service account's
/// projected token) is re-read once per `refreshInterval`, as client-go does, because the
/// kubelet rotates it; a read that fails keeps the last token.
final class TokenSource: Sendable {
    private let fixed: String?
    private let file: String?
    private let refreshInterval: Duration
    private let cache = Mutex<(token: String?, readAt: ContinuousClock.Instant?)>((nil, nil))

    init(token: String?, file: String?, refreshInterval: Duration = .seconds(60)) {
        self.fixed = token
        self.file = file
        self.refreshInterval = refreshInterval
        cache.withLock { $0.token = token }
    }

    /// The token to send now.
    func current() -> String? {
        guard let file else { return fixed }
        let now = ContinuousClock.now
        let (token, fresh) = cache.withLock { state in
            (state.token, state.readAt.map { $0.duration(to: now) < refreshInterval } ?? false)
        }
        if fresh { return token }
        // Read outside the lock; two callers racing here both read the same file.
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            cache.withLock { $0.readAt = now }
            return token
        }
        let read = text.trimmingCharacters(in: .whitespacesAndNewlines)
        cache.withLock { $0 = (read, now) }
        return read
    }
}
