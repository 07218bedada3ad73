import Metrics
import Prometheus

/// The Prometheus side of the runtime's metrics: a registry, and a swift-metrics factory that
/// records into it with histogram buckets fit for the runtime's durations. The executable
/// bootstraps it once; libraries and tests take ``factory`` as a parameter instead.
///
/// ```swift
/// let metrics = PrometheusMetrics()
/// metrics.bootstrap()                                  // once per process
/// let probes = ProbeServer(address: "127.0.0.1:8080", metrics: metrics) { manager.isReady }
/// ```
public struct PrometheusMetrics: Sendable {
    /// Where the metrics are kept; ``ProbeServer`` serves it on `/metrics`.
    public let registry: PrometheusCollectorRegistry
    /// Records into ``registry``.
    public let factory: PrometheusMetricsFactory

    /// Reconciles and API requests: from a tenth of a millisecond (an in-memory reconcile that
    /// changes nothing) to a minute (a request's timeout).
    public static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60),
    ]

    /// Time in a work queue: from microseconds (a worker was free) to minutes (a backlog).
    public static let queueDurationBuckets: [Duration] = [
        .microseconds(10), .microseconds(100), .milliseconds(1), .milliseconds(10), .milliseconds(100),
        .seconds(1), .seconds(10), .seconds(60), .seconds(300),
    ]

    /// - Parameter registry: a registry of its own by default, so that tests do not share one.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        factory.durationHistogramBuckets[ControllerMetrics.workQueueQueueDuration] = Self.queueDurationBuckets
        self.factory = factory
    }

    /// Makes ``factory`` the process-wide swift-metrics backend. Call once, at start-up, before
    /// anything records a metric (swift-metrics traps on a second bootstrap).
    public func bootstrap() {
        MetricsSystem.bootstrap(factory)
    }

    /// The metrics in the Prometheus text exposition format.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
