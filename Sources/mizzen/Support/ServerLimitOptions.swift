import APIServer
import ArgumentParser
import Store

/// The limits the embedded API server protects itself with, under kube-apiserver's flag names
/// where it has one (`--max-requests-inflight`, `--request-timeout`, `--etcd-compaction-interval`;
/// `--max-request-bytes` is etcd's).
struct ServerLimitOptions: ParsableArguments {
    @Option(help: "Read-only requests served at once (0: no limit); more get 429 with Retry-After: 1. Watches and logs are not counted.")
    var maxRequestsInflight = 400

    @Option(help: "Mutating requests served at once (0: no limit); more get 429 with Retry-After: 1.")
    var maxMutatingRequestsInflight = 200

    @Option(help: "How long a request may take before it gets 504 (a Go duration: 60s, 1m30s; 0 for none). Watches have their own timeoutSeconds.")
    var requestTimeout = "1m0s"

    @Option(help: "How long history is kept for watches and continue tokens (a Go duration); older resourceVersions get 410 Expired.")
    var etcdCompactionInterval = "5m0s"

    @Option(help: "The largest request body (413 past it).")
    var maxRequestBodyBytes = 3 * 1024 * 1024

    @Option(help: "The largest stored object, JSON and key (etcd's limit; 500 \"etcdserver: request is too large\" past it).")
    var maxRequestBytes = 1_572_864

    @Option(help: "Request body bytes read and decoded at once (0: no ceiling); more wait their turn.")
    var maxBodyBytesInflight = 32 * 1024 * 1024

    @Option(help: "Events queued for a watch whose client does not read; past it the watch is closed and the client watches again.")
    var watchBufferEvents = 1_000

    @Option(help: "Bytes queued for such a watch.")
    var watchBufferBytes = 16 * 1024 * 1024

    func validate() throws {
        for (name, value) in [("--request-timeout", requestTimeout), ("--etcd-compaction-interval", etcdCompactionInterval)] {
            do {
                _ = try GoDuration.parse(value)
            } catch {
                throw ValidationError("\(name) \(value): \(error.message)")
            }
        }
        for (name, value) in [
            ("--max-requests-inflight", maxRequestsInflight), ("--max-mutating-requests-inflight", maxMutatingRequestsInflight),
            ("--max-request-body-bytes", maxRequestBodyBytes), ("--max-request-bytes", maxRequestBytes),
            ("--max-body-bytes-inflight", maxBodyBytesInflight), ("--watch-buffer-events", watchBufferEvents),
            ("--watch-buffer-bytes", watchBufferBytes),
        ] where value < 0 {
            throw ValidationError("\(name) must not be negative")
        }
    }

    /// Sets these limits on a server configuration.
    func apply(to configuration: inout APIServerConfiguration) {
        configuration.maxRequestsInflight = maxRequestsInflight
        configuration.maxMutatingRequestsInflight = maxMutatingRequestsInflight
        configuration.requestTimeout = (try? GoDuration.parse(requestTimeout)) ?? .seconds(60)
        configuration.store.historyRetention = (try? GoDuration.parse(etcdCompactionInterval)) ?? .seconds(300)
        configuration.maxBodyBytes = maxRequestBodyBytes
        configuration.store.maxObjectBytes = maxRequestBytes
        configuration.maxBodyBytesInflight = maxBodyBytesInflight
        configuration.maxWatchBufferEvents = watchBufferEvents
        configuration.maxWatchBufferBytes = watchBufferBytes
    }
}
