import KubeClient
import Resources
import TestSupport
import Testing

@Suite("RequestCounter")
struct RequestCounterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var method: String
        var path: String
        var contentType: String? = nil
        var watch = false
        var verb: String
        var resource: String

        var testDescription: String { "\(method) \(path) → \(verb) \(resource)" }
    }

    static let cases: [Case] = [
        Case(method: "GET", path: "/api/v1/namespaces/shop/pods/web", verb: "get", resource: "pods"),
        Case(method: "GET", path: "/api/v1/namespaces/shop/pods", verb: "list", resource: "pods"),
        Case(method: "GET", path: "/api/v1/pods", verb: "list", resource: "pods"),
        Case(method: "GET", path: "/apis/apps/v1/namespaces/shop/deployments", watch: true, verb: "watch", resource: "deployments.apps"),
        Case(method: "POST", path: "/apis/core.oam.dev/v1alpha2/namespaces/shop/components", verb: "create", resource: "components.core.oam.dev"),
        Case(method: "PUT", path: "/apis/apps/v1/namespaces/shop/deployments/web/status", verb: "update", resource: "deployments.apps/status"),
        Case(method: "PATCH", path: "/apis/apps/v1/namespaces/shop/deployments/web", contentType: "application/apply-patch+yaml",
             verb: "apply", resource: "deployments.apps"),
        Case(method: "PATCH", path: "/apis/apps/v1/namespaces/shop/deployments/web/scale", contentType: "application/merge-patch+json",
             verb: "patch", resource: "deployments.apps/scale"),
        Case(method: "DELETE", path: "/api/v1/namespaces/shop/configmaps/settings", verb: "delete", resource: "configmaps"),
        Case(method: "DELETE", path: "/api/v1/namespaces/shop/configmaps", verb: "deletecollection", resource: "configmaps"),
        // Namespaces are themselves objects under /namespaces.
        Case(method: "GET", path: "/api/v1/namespaces/shop", verb: "get", resource: "namespaces"),
        Case(method: "PUT", path: "/api/v1/namespaces/shop/status", verb: "update", resource: "namespaces/status"),
        Case(method: "GET", path: "/api/v1/namespaces", verb: "list", resource: "namespaces"),
        Case(method: "GET", path: "/apis/core.oam.dev/v1alpha2/workloaddefinitions/x", verb: "get", resource: "workloaddefinitions.core.oam.dev"),
        Case(method: "GET", path: "/apis", verb: "get", resource: "discovery"),
        Case(method: "GET", path: "/apis/apps/v1", verb: "get", resource: "discovery"),
        Case(method: "GET", path: "/api", verb: "get", resource: "discovery"),
    ]

    @Test("a request is named by its Kubernetes verb and resource", arguments: cases)
    func keys(_ example: Case) {
        let key = RequestCounter.key(method: example.method, path: example.path, contentType: example.contentType, watch: example.watch)
        #expect(key == RequestCounter.Key(verb: example.verb, resource: example.resource))
    }

    @Test("a client with a counter counts every request it sends, failures apart")
    func countsRequests() async throws {
        let plane = try await TestPlane.start()
        let counter = RequestCounter()
        var options = KubernetesClient.Options()
        options.requestCounter = counter
        let client = try plane.client(options: options)
        do {
            _ = try await client.create(configMap("counted"))
            _ = try await client.get(configMapKind, name: "counted", namespace: "default")
            _ = try? await client.get(configMapKind, name: "missing", namespace: "default")
            _ = try await client.list(configMapKind, namespace: "default")
            _ = try await client.apply(configMap("counted", data: ["k": "w"]), fieldManager: "test", force: true)
            try await client.delete(configMapKind, name: "counted", namespace: "default")
            let counts = counter.reset()
            #expect(counts[.init(verb: "create", resource: "configmaps")] == .init(sent: 1))
            #expect(counts[.init(verb: "get", resource: "configmaps")] == .init(sent: 2, failed: 1))
            #expect(counts[.init(verb: "list", resource: "configmaps")] == .init(sent: 1))
            #expect(counts[.init(verb: "apply", resource: "configmaps")] == .init(sent: 1))
            #expect(counts[.init(verb: "delete", resource: "configmaps")] == .init(sent: 1))
            // The mapper read discovery once for the kind.
            #expect(counts.keys.filter { $0.resource != "discovery" }.count == 5)
            #expect(counter.counts().isEmpty)
        } catch {
            try await client.shutdown()
            await plane.stop()
            throw error
        }
        try await client.shutdown()
        await plane.stop()
    }
}
