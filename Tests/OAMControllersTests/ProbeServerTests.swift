@testable import ControllerRuntime
@testable import OAMControllers
import Foundation
import KubeClient
import OrderedCollections
import Logging
import Resources
import TestSupport
import Testing

@Suite("Probe and metrics server")
struct ProbeServerTests {
    /// Starts `server`'s twin with the port it got reported, and returns its base URL.
    static func start(
        _ tasks: TestTasks, metrics: PrometheusMetrics?, readiness: @escaping @Sendable () async -> Bool
    ) async throws -> String {
        let bound = Shared<ProbeServer.Address?>(nil)
        let server = try ProbeServer(
            address: "127.0.0.1:0", metrics: metrics, logger: quietLogger,
            onListening: { address in bound.update { $0 = address } }, readiness: readiness)
        tasks.start { try await server.run() }
        #expect(try await eventually { bound.get() != nil })
        let address = try #require(bound.get())
        #expect(address.port != 0)
        return "http://127.0.0.1:\(address.port)"
    }

    @Test("/healthz answers 200 at once; /readyz 503 until the caches sync, then 200")
    func probes() async throws {
        let ready = Shared(false)
        try await withTestTasks { tasks in
            let base = try await Self.start(tasks, metrics: nil) { ready.get() }
            #expect(try await httpGet(base + "/healthz").status == 200)
            let notReady = try await httpGet(base + "/readyz")
            #expect(notReady.status == 503)
            ready.update { $0 = true }
            #expect(try await httpGet(base + "/readyz").status == 200)
            #expect(try await httpGet(base + "/metrics").status == 404)
        }
    }

    @Test("/metrics shows API requests by verb and code, and the controllers' and queues' metrics")
    func metricsExposition() async throws {
        let metrics = PrometheusMetrics()
        var options = KubernetesClient.Options()
        options.metricsFactory = metrics.factory
        try await withPlaneClients(1, options: options) { _, clients in
            let client = clients[0]
            var object = Resource(apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: "default")
            object.object["data"] = ["k": "v"]
            _ = try await client.create(object)
            _ = try await client.get(object.groupVersionKind, name: "settings", namespace: "default")
            await #expect(throws: APIError.self) {
                try await client.get(object.groupVersionKind, name: "missing", namespace: "default")
            }

            struct Succeeds: Reconciler {
                func reconcile(_ key: ObjectKey) async throws -> ReconcileResult { .done }
            }
            let controller = Controller(
                name: "probe-test", reconciler: Succeeds(), workers: 1, logger: quietLogger,
                metricsFactory: metrics.factory)
            try await withTestTasks { tasks in
                tasks.start { await controller.run() }
                await controller.enqueue(ObjectKey(namespace: "default", name: "settings"))
                await controller.waitUntilIdle()
                let base = try await Self.start(tasks, metrics: metrics) { true }
                let response = try await httpGet(base + "/metrics")
                #expect(response.status == 200)
                let text = response.body
                for expected in [
                    #"mizzen_client_requests_total{verb="POST",code="201"} 1"#,
                    #"mizzen_client_requests_total{verb="GET",code="404"} 1"#,
                    #"mizzen_client_request_duration_seconds_bucket{verb="POST",le="+Inf"} 1"#,
                    #"mizzen_client_request_duration_seconds_count{verb="GET"} "#,
                    #"mizzen_reconcile_total{controller="probe-test",result="success"} 1"#,
                    #"mizzen_reconcile_errors_total{controller="probe-test"} 0"#,
                    #"mizzen_reconcile_duration_seconds_count{controller="probe-test"} 1"#,
                    #"mizzen_workqueue_adds_total{name="probe-test"} 1"#,
                    #"mizzen_workqueue_depth{name="probe-test"} 0"#,
                    #"mizzen_workqueue_queue_duration_seconds_count{name="probe-test"} 1"#,
                    #"mizzen_workqueue_retries_total{name="probe-test"} 0"#,
                ] {
                    #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
                }
                // The buckets are the runtime's, not the exporter's defaults.
                #expect(text.contains(#"mizzen_reconcile_duration_seconds_bucket{controller="probe-test",le="0.0001"}"#))
            }
        }
    }

    @Test(
        "addresses are host:port, [v6]:port or :port",
        arguments: [
            ("127.0.0.1:8080", "127.0.0.1", 8080), ("[::1]:0", "::1", 0), (":9090", "0.0.0.0", 9090),
            ("localhost:1", "localhost", 1),
        ])
    func addresses(text: String, host: String, port: Int) throws {
        let address = try ProbeServer.Address(parsing: text)
        #expect(address == ProbeServer.Address(host: host, port: port))
    }

    @Test("an address without a port is refused", arguments: ["127.0.0.1", "::1:80", "host:99999", ""])
    func badAddresses(text: String) {
        #expect(throws: ProbeServer.AddressError.self) { try ProbeServer.Address(parsing: text) }
    }
}
