/// A token bucket as client-go's `flowcontrol` uses one: `burst` tokens to start with, refilled
/// at `qps` per second, never above `burst`.
///
/// A pure value: time is passed in as a `Duration` since any fixed origin, so that tests drive it
/// without a clock. Each ``reserve(at:)`` takes one token and says how long the caller must wait
/// before using it (zero while tokens last); waiting callers queue behind each other.
///
/// ```swift
/// var bucket = TokenBucket(qps: 5, burst: 10)
/// bucket.reserve(at: .zero)   // .zero, ten times; then .milliseconds(200), .milliseconds(400), …
/// ```
public struct TokenBucket: Sendable, Hashable {
    public let qps: Double
    public let burst: Int
    /// Tokens available at ``updated`` (negative when callers already wait for future tokens).
    public private(set) var tokens: Double
    /// When ``tokens`` was last brought up to date.
    public private(set) var updated: Duration?

    /// - Precondition: `qps > 0` and `burst >= 1`.
    public init(qps: Double, burst: Int) {
        precondition(qps > 0 && burst >= 1, "a token bucket needs qps > 0 and burst >= 1")
        self.qps = qps
        self.burst = burst
        self.tokens = Double(burst)
    }

    /// Takes one token at `now` and returns how long to wait before the request may go.
    public mutating func reserve(at now: Duration) -> Duration {
        refill(to: now)
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .nanoseconds(Int64((-tokens / qps * 1e9).rounded(.up)))
    }

    /// The tokens that would be available at `now`, without taking one.
    public mutating func available(at now: Duration) -> Double {
        refill(to: now)
        return tokens
    }

    private mutating func refill(to now: Duration) {
        if let updated, now > updated {
            let elapsed = Double((now - updated).components.seconds) + Double((now - updated).components.attoseconds) / 1e18
            tokens = min(Double(burst), tokens + elapsed * qps)
        }
        if updated.map({ now > $0 }) ?? true { updated = now }
    }
}
