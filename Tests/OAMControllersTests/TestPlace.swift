import APIServer
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import Resources
import TestSupport

/// Where one controller test runs: a client, the test's namespace, and what to tear down.
///
/// The test's manager is scoped to ``namespace`` on both substrates, so that the same test sees
/// the same world: on the shared real cluster, other tests (and other processes) work in their
/// own namespaces at the same time.
struct TestPlace: Sendable {
    /// The embedded plane, on `.embedded`.
    let plane: EmbeddedPlane?
    let client: KubernetesClient
    /// The test's namespace: `default` on its own embedded plane, a fresh one on the real cluster.
    let namespace: String

    /// The namespace the test's manager lists and watches namespaced kinds in.
    var scope: String? { namespace }

    /// The label every namespace a test creates on the real cluster carries, to find leftovers
    /// of a killed run (`kubectl delete ns -l mizzen.dev/test-namespace`).
    static let namespaceLabel = "mizzen.dev/test-namespace"

    static func open(on substrate: Substrate) async throws -> TestPlace {
        switch substrate {
        case .embedded:
            let plane = try await EmbeddedPlane.start()
            do {
                let client = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path)
                return TestPlace(plane: plane, client: client, namespace: "default")
            } catch {
                await plane.stop()
                throw error
            }
        case .realCluster:
            let cluster = try await RealClusterOAM.installation.value
            let client = try KubernetesClient(kubeconfig: cluster.kubeconfig.path)
            let namespace = "mizzen-test-" + String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
            do {
                var object = Resource(apiVersion: "v1", kind: "Namespace", name: namespace)
                object.setLabel(namespaceLabel, "true")
                _ = try await client.create(object)
            } catch {
                try? await client.shutdown()
                throw error
            }
            return TestPlace(plane: nil, client: client, namespace: namespace)
        }
    }

    /// Tears down what ``open(on:)`` made; call after the test's manager has stopped.
    ///
    /// On the real cluster the namespace is deleted but not waited for. Finalizers the stopped
    /// controllers would have removed (the AppConfigs' scope finalizer) are removed first, or the
    /// namespace would stay Terminating for ever.
    func close() async {
        if plane == nil {
            if let appConfigs = try? await client.listAll(OAMKinds.applicationConfiguration, namespace: namespace) {
                for app in appConfigs.items where !app.finalizers.isEmpty {
                    _ = try? await client.patch(
                        OAMKinds.applicationConfiguration, name: app.name, namespace: namespace,
                        patch: ["metadata": ["finalizers": .null]], type: .merge)
                }
            }
            _ = try? await client.delete(
                GroupVersionKind(group: "", version: "v1", kind: "Namespace"), name: namespace,
                propagationPolicy: .background)
        }
        try? await client.shutdown()
        await plane?.stop()
    }
}

/// The real kube-apiserver kit with Mizzen's OAM kinds installed, once per test process.
enum RealClusterOAM {
    /// Started by the first test that asks; every other test awaits the same installation.
    static let installation = Task<RealCluster, any Error> { try await install() }

    static let crdKind = GroupVersionKind(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")

    /// Starts the kit if it is not running, then applies the OAM CRDs (waiting until each is
    /// Established) and the built-in definitions as `mizzen install` does: server-side, field
    /// manager `mizzen`, so that applying them again changes nothing.
    static func install() async throws -> RealCluster {
        let cluster = try await RealCluster.start()
        let client = try KubernetesClient(kubeconfig: cluster.kubeconfig.path)
        do {
            for crd in OAMCustomResourceDefinitions.all {
                _ = try await client.apply(crd, fieldManager: "mizzen", force: true)
            }
            for crd in OAMCustomResourceDefinitions.all {
                let established = try await eventually(timeout: .seconds(60)) {
                    let object = try await client.get(crdKind, name: crd.name)
                    return (object.status?["conditions"]?.arrayValue ?? []).contains {
                        $0["type"] == "Established" && $0["status"] == "True"
                    }
                }
                guard established else { throw RealClusterError("CustomResourceDefinition \(crd.name) is not Established after 60 s") }
            }
            for definition in BuiltinDefinitions.all {
                _ = try await client.apply(definition, fieldManager: "mizzen", force: true)
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
        return cluster
    }
}
