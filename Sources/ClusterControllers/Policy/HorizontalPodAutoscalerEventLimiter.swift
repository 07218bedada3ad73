import Foundation
import Synchronization

/// client-go's spam filter for the Events of one object: a token bucket per object and Event
/// type (25 Events at once, then one per five minutes), so that a condition that fails at every
/// sync — every 15 seconds — does not record Events for ever at that pace.
///
/// Unlike client-go, an Event dropped here is not counted: kube's next written Event carries
/// the count of the repeats it dropped meanwhile, the plane's does not.
final class HorizontalPodAutoscalerEventLimiter: Sendable {
    /// Events allowed at once.
    static let burst = 25.0
    /// Seconds to earn one more.
    static let refillInterval: TimeInterval = 300

    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    init() {}

    /// Takes a token of `object`'s bucket at `now`; `false` when it is empty (drop the Event).
    func allow(_ object: String, now: Date = Date()) -> Bool {
        buckets.withLock { buckets in
            var bucket = buckets[object] ?? Bucket(tokens: Self.burst, updated: now)
            let earned = max(0, now.timeIntervalSince(bucket.updated)) / Self.refillInterval
            bucket.tokens = min(Self.burst, bucket.tokens + earned)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[object] = bucket
                return false
            }
            bucket.tokens -= 1
            buckets[object] = bucket
            return true
        }
    }

    /// Forgets `object` (it was deleted).
    func forget(_ object: String) {
        _ = buckets.withLock { $0.removeValue(forKey: object) }
    }
}
