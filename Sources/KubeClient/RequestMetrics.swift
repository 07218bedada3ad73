import AsyncHTTPClient
import Metrics

/// What a client records of each request through swift-metrics: how many, by verb and HTTP
/// code, and how long they took, by verb.
///
/// The verb is the HTTP method (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`), or `WATCH` for a
/// watch stream, timed until its head arrives. A request that got no answer counts under the
/// code `<error>`, as client-go counts it; a cancelled one is not counted.
struct RequestMetrics: Sendable {
    /// `mizzen_client_requests_total{verb,code}`.
    static let requestsTotal = "mizzen_client_requests_total"
    /// `mizzen_client_request_duration_seconds{verb}`.
    static let requestDuration = "mizzen_client_request_duration_seconds"

    let factory: any MetricsFactory

    /// Records a request that ended with an HTTP answer.
    func record(verb: String, code: Int, since start: ContinuousClock.Instant) {
        record(verb: verb, codeLabel: String(code), since: start)
    }

    /// Records a request that ended without an answer.
    func record(verb: String, error: any Error, since start: ContinuousClock.Instant) {
        if error is CancellationError { return }
        if let error = error as? HTTPClientError, error == .cancelled { return }
        record(verb: verb, codeLabel: "<error>", since: start)
    }

    private func record(verb: String, codeLabel: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        Counter(label: Self.requestsTotal, dimensions: [("verb", verb), ("code", codeLabel)], factory: factory)
            .increment()
        Timer(label: Self.requestDuration, dimensions: [("verb", verb)], factory: factory)
            .recordNanoseconds(elapsed.nanoseconds)
    }
}
