/// The names of the metrics the controller runtime emits through swift-metrics, one place for
/// the code that records them, the exporter that configures their buckets, and dashboards.
///
/// Labels are given in brackets. Durations are swift-metrics `Timer`s, exported by
/// ``PrometheusMetrics`` as histograms in seconds.
public enum ControllerMetrics {
    /// Reconciles by outcome: `{controller, result}`, result `success`, `error` or `requeue`.
    public static let reconcileTotal = "mizzen_reconcile_total"
    /// Reconciles that threw: `{controller}`.
    public static let reconcileErrorsTotal = "mizzen_reconcile_errors_total"
    /// How long reconciles took: `{controller}`.
    public static let reconcileDuration = "mizzen_reconcile_duration_seconds"
    /// Keys waiting in a work queue: `{name}`.
    public static let workQueueDepth = "mizzen_workqueue_depth"
    /// Keys added to a work queue: `{name}`.
    public static let workQueueAddsTotal = "mizzen_workqueue_adds_total"
    /// How long keys waited in a work queue before a worker took them: `{name}`.
    public static let workQueueQueueDuration = "mizzen_workqueue_queue_duration_seconds"
    /// Keys put back after a failed reconcile: `{name}`.
    public static let workQueueRetriesTotal = "mizzen_workqueue_retries_total"
    /// Requests to the API server: `{verb, code}` (recorded by KubeClient).
    public static let clientRequestsTotal = "mizzen_client_requests_total"
    /// How long requests to the API server took: `{verb}` (recorded by KubeClient).
    public static let clientRequestDuration = "mizzen_client_request_duration_seconds"
    /// Events dropped because the recorder's buffer was full.
    public static let eventsDroppedTotal = "mizzen_events_dropped_total"

    /// Results of `reconcileTotal`.
    public enum Result: String, Sendable, CaseIterable {
        case success, error, requeue
    }
}
