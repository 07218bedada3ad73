import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The client against a real embedded API server over HTTPS, with the kubeconfig it wrote.
@Suite("KubernetesClient against the embedded API server")
struct ClientTests {
    @Test("a ConfigMap goes through create, get, list, update, patch and delete")
    func crudRoundTrip() async throws {
        try await withPlane { _, client in
            var created = try await client.create(configMap("settings", data: ["colour": "red"]))
            #expect(created.uid != nil)
            #expect(created.namespace == "default")
            created.setLabel("app", "shop")
            let updated = try await client.update(created)
            #expect(updated.labels["app"] == "shop")
            _ = try await client.create(configMap("other"))

            let got = try await client.get(apiVersion: "v1", kind: "ConfigMap", name: "settings")
            #expect(got.object["data"]?["colour"] == "red")

            let selected = try await client.list(
                configMapKind, namespace: "default", options: ListOptions(labelSelector: try LabelSelector(parsing: "app=shop")))
            #expect(selected.items.map(\.name) == ["settings"])
            #expect(!selected.resourceVersion.isEmpty)
            let byField = try await client.list(
                configMapKind, namespace: "default", options: ListOptions(fieldSelector: "metadata.name=other"))
            #expect(byField.items.map(\.name) == ["other"])
            // Three ConfigMaps with the namespace's kube-root-ca.crt: a page of two, then one.
            let firstPage = try await client.list(configMapKind, namespace: "default", options: ListOptions(limit: 2))
            #expect(firstPage.items.count == 2)
            let token = try #require(firstPage.continueToken)
            let secondPage = try await client.list(
                configMapKind, namespace: "default", options: ListOptions(limit: 2, continueToken: token))
            #expect(secondPage.continueToken == nil)
            #expect(Set((firstPage.items + secondPage.items).map(\.name)).isSuperset(of: ["other", "settings"]))

            let merged = try await client.patch(
                configMapKind, name: "settings", patch: ["data": ["size": "L"]], type: .merge)
            #expect(merged.object["data"]?["size"] == "L")
            let jsonPatched = try await client.patch(
                configMapKind, name: "settings",
                patch: [["op": "replace", "path": "/data/colour", "value": "blue"]], type: .json)
            #expect(jsonPatched.object["data"]?["colour"] == "blue")
            let strategic = try await client.patch(
                configMapKind, name: "settings", patch: ["metadata": ["labels": ["tier": "web"]]], type: .strategic)
            #expect(strategic.labels == ["app": "shop", "tier": "web"])

            try await client.delete(configMapKind, name: "settings", propagationPolicy: .foreground)
            let error = try await #require(throws: APIError.self) {
                try await client.get(configMapKind, name: "settings")
            }
            #expect(error.reason == .notFound)
            #expect(error.code == 404)
        }
    }

    @Test("a write with a stale resourceVersion fails with Conflict")
    func conflict() async throws {
        try await withPlane { _, client in
            let created = try await client.create(configMap("settings"))
            var first = created
            first.object["data"] = ["k": "first"]
            _ = try await client.update(first)
            var stale = created
            stale.object["data"] = ["k": "stale"]
            let error = try await #require(throws: APIError.self) { try await client.update(stale) }
            #expect(error.reason == .conflict)
            #expect(error.code == 409)
            let duplicate = try await #require(throws: APIError.self) { try await client.create(configMap("settings")) }
            #expect(duplicate.reason == .alreadyExists)
        }
    }

    @Test("server-side apply creates, and applying the same intent again changes nothing")
    func serverSideApply() async throws {
        try await withPlane { _, client in
            let intent = configMap("applied", data: ["k": "v"])
            let first = try await client.apply(intent, fieldManager: "mizzen-test", force: true)
            #expect(first.object["data"]?["k"] == "v")
            #expect(first.object["metadata"]?["managedFields"]?[0]?["manager"] == "mizzen-test")
            let second = try await client.apply(intent, fieldManager: "mizzen-test", force: true)
            #expect(second.resourceVersion == first.resourceVersion)
            #expect(second.uid == first.uid)
        }
    }

    @Test("the status subresource is written with updateStatus")
    func updateStatus() async throws {
        try await withPlane { _, client in
            let namespace = Resource(apiVersion: "v1", kind: "Namespace", name: "shop")
            let created = try await client.create(namespace)
            #expect(created.namespace == nil)
            let deployment = try Resource([
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": "web", "namespace": "shop"],
                "spec": [
                    "replicas": 1, "selector": ["matchLabels": ["app": "web"]],
                    "template": [
                        "metadata": ["labels": ["app": "web"]],
                        "spec": ["containers": [["name": "web", "image": "nginx"]]],
                    ],
                ],
            ])
            var live = try await client.create(deployment)
            live.status = ["replicas": 1, "readyReplicas": 1]
            live.object["spec"]?["replicas"] = 5
            let written = try await client.updateStatus(live)
            #expect(written.status?["readyReplicas"] == 1)
            // Through /status only the status changes.
            #expect(written.object["spec"]?["replicas"] == 1)
        }
    }

    @Test("a server error status and a transport failure are told apart")
    func errors() async throws {
        try await withPlane { plane, client in
            let unknown = try await #require(throws: ClientError.self) {
                try await client.get(GroupVersionKind(group: "nope.example", version: "v1", kind: "Nothing"), name: "x")
            }
            #expect(unknown.kind == .noMatch)

            var connection = client.connection
            connection.token = "wrong"
            let unauthorized = try KubernetesClient(connection: connection)
            // #expect, not #require: the client must reach shutdown() whatever happens (AsyncHTTPClient traps otherwise).
            let denied = await #expect(throws: APIError.self) { try await unauthorized.get(configMapKind, name: "x") }
            #expect(denied?.code == 401)
            try await unauthorized.shutdown()

            // A port nothing listens on (the server's own port is taken, port 1 is not served).
            var closed = client.connection
            closed.server = "https://127.0.0.1:1"
            var options = KubernetesClient.Options()
            options.connectTimeout = .milliseconds(500)
            options.requestTimeout = .seconds(2)
            let offline = try KubernetesClient(connection: closed, options: options)
            let failure = await #expect(throws: ClientError.self) { try await offline.get(configMapKind, name: "x") }
            #expect(failure?.kind == .transport)
            #expect(failure?.url?.hasPrefix("https://127.0.0.1:1/api/v1") == true)
            try await offline.shutdown()
            _ = plane
        }
    }
}
