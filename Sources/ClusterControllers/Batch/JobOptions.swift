import Foundation

/// How the Job, CronJob and TTL-after-finished controllers time their work.
///
/// ```swift
/// var options = ClusterControllers.Options()
/// options.jobs.podFailureBackoff = .milliseconds(200)   // tests: retry failed pods quickly
/// options.jobs.now = { fakeClock.now }                  // tests: schedule CronJobs without waiting
/// ```
public struct JobOptions: Sendable {
    /// The delay before a Job replaces its first failed Pod; it doubles with each further
    /// failure since the last success, up to ``maxPodFailureBackoff`` (kube: 10 s and 10 min).
    public var podFailureBackoff: Duration = .seconds(10)
    /// The longest delay before a failed Pod is replaced.
    public var maxPodFailureBackoff: Duration = .seconds(600)
    /// The wall clock the controllers read (CronJob schedules, deadlines, TTLs, back-off).
    public var now: @Sendable () -> Date = { Date() }

    public init() {}
}

/// Conversions between the clock's `Date`s and the work queue's `Duration`s.
enum JobTime {
    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// A requeue delay of `interval` seconds, rounded up to the millisecond; never negative.
    static func delay(_ interval: TimeInterval) -> Duration {
        .milliseconds(Int64((max(0, interval) * 1000).rounded(.up)))
    }
}
