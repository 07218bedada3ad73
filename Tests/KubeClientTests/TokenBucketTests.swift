import KubeClient
import Synchronization
import TestSupport
import Testing

@Suite("Client-side rate limit")
struct TokenBucketTests {
    @Test("a token bucket admits a burst at once, then paces at qps")
    func burstThenPace() {
        var bucket = TokenBucket(qps: 10, burst: 5)
        for _ in 0..<5 { #expect(bucket.reserve(at: .zero) == .zero) }
        // Later callers queue behind each other, 100 ms apart.
        #expect(bucket.reserve(at: .zero) == .milliseconds(100))
        #expect(bucket.reserve(at: .zero) == .milliseconds(200))
        // 300 ms later three tokens have come back; two were already promised.
        #expect(bucket.reserve(at: .milliseconds(300)) == .zero)
        #expect(bucket.available(at: .milliseconds(300)) == 0)
        #expect(bucket.reserve(at: .milliseconds(300)) == .milliseconds(100))
    }

    @Test("an idle bucket refills only up to its burst")
    func refillIsCapped() {
        var bucket = TokenBucket(qps: 2, burst: 3)
        for _ in 0..<3 { _ = bucket.reserve(at: .zero) }
        #expect(bucket.available(at: .seconds(100)) == 3)
        for _ in 0..<3 { #expect(bucket.reserve(at: .seconds(100)) == .zero) }
        #expect(bucket.reserve(at: .seconds(100)) == .milliseconds(500))
    }

    @Test("a rate limiter on an injected clock waits only once the burst is spent")
    func limiterWithInjectedClock() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(qps: 4, burst: 2, clock: clock)
        try await limiter.wait()
        try await limiter.wait()
        #expect(clock.sleeps == [])
        try await limiter.wait()
        try await limiter.wait()
        #expect(clock.sleeps == [.milliseconds(250), .milliseconds(500)])
    }
}

/// A clock whose sleeps return at once and are recorded; time moves only when told.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let state = Mutex<(now: Instant, sleeps: [Duration])>((Instant(offset: .zero), []))

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .nanoseconds(1) }
    /// How long each sleep asked to wait, measured from the time it was asked.
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        state.withLock { $0.sleeps.append($0.now.duration(to: deadline)) }
    }
}
