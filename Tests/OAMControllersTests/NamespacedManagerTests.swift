import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// A manager scoped to one namespace (`mizzen controller --namespace`): its informers list and
/// watch namespaced kinds there only, and cluster-scoped kinds everywhere.
@Suite(.serialized) struct NamespacedManagerTests {
    static let namespaceKind = GroupVersionKind(group: "", version: "v1", kind: "Namespace")

    @Test("a controller scoped to one namespace leaves the AppConfigs of another namespace alone", arguments: Substrate.available)
    func scopedToOneNamespace(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            #expect(runtime.manager.namespace == runtime.namespace)
            let other = "\(runtime.namespace == "default" ? "elsewhere" : runtime.namespace + "-other")"
            try await runtime.create("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: \(other)}
                """)
            var failure: (any Error)?
            do {
                try await runtime.create(AppConfigControllerTests.webComponent + "\n---\n" + AppConfigControllerTests.webApp)
                for document in try DocumentDecoder.decode(
                    AppConfigControllerTests.webComponent + "\n---\n" + AppConfigControllerTests.webApp, file: "other.yaml")
                {
                    var object = try Resource(document.value)
                    object.namespace = other
                    _ = try await runtime.client.create(object)
                }

                // Its own namespace converges…
                try await runtime.waitFor(Kinds.appConfig, "shop") { AppConfigControllerTests.isSynced($0) }
                try await runtime.waitFor(Kinds.deployment, "web")
                await runtime.manager.waitUntilIdle()

                // …the other one is not even seen: no revision, no status, no workload.
                let app = try #require(try await runtime.get(Kinds.appConfig, "shop", namespace: other))
                #expect(app.status == nil)
                let component = try #require(try await runtime.get(Kinds.component, "web", namespace: other))
                #expect(component.status == nil)
                #expect(try await runtime.get(Kinds.deployment, "web", namespace: other) == nil)
                #expect(try await runtime.get(Kinds.revision, "web-v1", namespace: other) == nil)
                #expect(runtime.manager.existingInformer(for: Kinds.appConfig)?.cache.list().map(\.namespace) == [runtime.namespace])

                // Cluster-scoped kinds stay cluster-wide: the built-in definitions are in the cache.
                let definitions = runtime.manager.existingInformer(for: OAMKinds.workloadDefinition)?.cache.list() ?? []
                #expect(definitions.contains { $0.name == "containerizedworkloads.core.oam.dev" })
            } catch {
                failure = error
            }
            _ = try? await runtime.client.delete(Self.namespaceKind, name: other)
            if let failure { throw failure }
        }
    }

    @Test("webhooks registered for one namespace are named after it and select it by its metadata.name label")
    func webhooksScopedToOneNamespace() throws {
        let everywhere = WebhookRegistration(target: .url("https://127.0.0.1:9443"), caBundlePEM: "PEM")
        #expect(everywhere.configurations.allSatisfy { $0.object["webhooks"]?[0]?["namespaceSelector"] == nil })
        let scoped = everywhere.scoped(to: "shop")
        #expect(scoped.name == "mizzen-oam-shop")
        for configuration in scoped.configurations {
            #expect(configuration.name == "mizzen-oam-shop")
            for hook in configuration.object["webhooks"]?.arrayValue ?? [] {
                #expect(hook["namespaceSelector"] == [
                    "matchExpressions": [["key": "kubernetes.io/metadata.name", "operator": "In", "values": ["shop"]]],
                ])
            }
        }
    }
}
