import APIServer
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import Resources
import TestSupport
import Testing

/// Admission warnings reach the client from the embedded plane's in-process admission exactly as
/// kube-apiserver relays an admission webhook's `warnings`: one `Warning: 299 - "<text>"` header
/// per warning, the text unprefixed, which kubectl prints as `Warning: <text>`.
@Suite("Admission warnings", .serialized)
struct AdmissionWarningTests {
    static let appConfig = """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop, namespace: default}
        spec:
          components:
          - componentName: cart
        """

    @Test("kubectl create of an AppConfig naming a Component not there yet prints the webhooks' warning, once",
          .enabled(if: Kubectl.isInstalled))
    func warningReachesKubectl() async throws {
        let source = LateClient()
        let admission = OAMAdmission(lookup: { kind, namespace, name in
            try await source.read(kind, namespace: namespace, name: name)
        })
        let plane = try await EmbeddedPlane.start(admission: [EmbeddedOAMAdmission(admission: admission)])
        let client: KubernetesClient
        do {
            client = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path)
        } catch {
            await plane.stop()
            throw error
        }
        source.set(client)
        var failure: (any Error)?
        do {
            // What the webhooks answer for the same object: the mutating, then the validating one.
            let object = try Resource(try #require(DocumentDecoder.decode(Self.appConfig, file: "shop.yaml").first).value)
            var webhookWarnings: [String] = []
            for step in [OAMAdmission.Step.mutate, .validate] {
                let verdict = try await admission.review(
                    object, old: nil, operation: "CREATE", resource: "applicationconfigurations", step: step)
                for warning in verdict.warnings.map(\.summary) where !webhookWarnings.contains(warning) {
                    webhookWarnings.append(warning)
                }
            }
            #expect(webhookWarnings.contains { $0.contains("cart") }, "the webhooks warn about the missing component")

            let result = try await Kubectl.run(
                ["--kubeconfig", plane.endpoint.kubeconfig.path, "create", "-f", "-"], stdin: Self.appConfig)
            #expect(result.status == 0, "kubectl: \(result.stderr)")
            #expect(result.stdout.contains("applicationconfiguration.core.oam.dev/shop created"))
            let printed = result.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("Warning: ") }
            #expect(printed == webhookWarnings.map { "Warning: \($0)" })
            #expect(printed == [
                "Warning: ApplicationConfiguration/default/shop: spec.components[0].componentName: "
                    + "component \"cart\" not found in namespace default; admitted anyway: "
                    + "the controller reports it on the status until it exists",
            ])
        } catch {
            failure = error
        }
        source.set(nil)
        try? await client.shutdown()
        await plane.stop()
        if let failure { throw failure }
    }
}
