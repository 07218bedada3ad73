import Synchronization

/// A client-side rate limit (QPS and burst) shared by every request of a client.
///
/// The bookkeeping is a ``TokenBucket`` behind a `Mutex`; waiting happens outside the lock, on
/// `clock`, so that a test can inject its own clock.
public final class RateLimiter<C: Clock>: Sendable where C.Duration == Duration {
    private let clock: C
    private let origin: C.Instant
    private let bucket: Mutex<TokenBucket>

    /// - Parameters:
    ///   - qps: requests per second, sustained.
    ///   - burst: requests allowed at once before pacing starts.
    public init(qps: Double, burst: Int, clock: C) {
        self.clock = clock
        self.origin = clock.now
        self.bucket = Mutex(TokenBucket(qps: qps, burst: burst))
    }

    /// Waits until one request may be sent.
    ///
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public func wait() async throws {
        let instant = clock.now
        let delay = bucket.withLock { $0.reserve(at: origin.duration(to: instant)) }
        if delay > .zero {
            try await clock.sleep(until: instant.advanced(by: delay), tolerance: nil)
        }
    }
}

extension RateLimiter where C == ContinuousClock {
    public convenience init(qps: Double, burst: Int) {
        self.init(qps: qps, burst: burst, clock: ContinuousClock())
    }
}
