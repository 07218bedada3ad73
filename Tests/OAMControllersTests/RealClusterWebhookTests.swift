import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The admission webhooks of `mizzen controller --webhook-port` called by a real kube-apiserver
/// (the kit of `MIZZEN_REAL_K8S`): the webhook server on 127.0.0.1, its registration scoped to
/// the test's namespace (so that the cluster-wide configurations touch no other test's objects),
/// and what kube-apiserver and kubectl make of the answers.
@Suite(.serialized) struct RealClusterWebhookTests {
    @Test(
        "on a real kube-apiserver the webhooks refuse an invalid AppConfig with 422, mutate a typed Component and warn about a missing Component",
        .enabled(if: RealCluster.isConfigured, Comment(rawValue: RealCluster.skipReason)))
    func webhooksOnTheKit() async throws {
        try await Runtime.with(on: .realCluster) { runtime in
            try await Self.withRegisteredWebhooks(runtime) { kubectl in
                // The webhook type a typed Component names; the same object whenever created.
                try await runtime.create(Self.webservice)
                try await runtime.create(AppConfigControllerTests.webComponent)

                // An invalid AppConfig: 422 Invalid naming the field. kube-apiserver picks the new
                // configurations up from its own watch, so the first writes may not be checked
                // yet: ask with dry runs (which call the webhooks too) until they are.
                var broken = try Resource(try DocumentDecoder.decode(Self.brokenApp, file: "broken.yaml")[0].value)
                broken.namespace = runtime.namespace
                let refused = try await eventually(timeout: .seconds(30)) {
                    do {
                        _ = try await runtime.client.create(broken, options: WriteOptions(dryRun: true))
                        return false
                    } catch let error as APIError where error.code == 422 {
                        return true
                    }
                }
                var refusal: APIError?
                do {
                    _ = try await runtime.client.create(broken)
                } catch let error as APIError {
                    refusal = error
                }
                #expect(refused, "no dry run of the invalid AppConfig was refused: the webhooks were never called")
                let error = try #require(refusal)
                #expect(error.reason == .invalid)
                #expect(error.message.contains("denied the request"))
                #expect(error.message.contains("spec.components[0].parameterValues[0].name"))
                #expect(error.causes.map(\.field) == ["spec.components[0].parameterValues[0].name"])

                // A typed Component: stored as its definition's kind.
                let typed = try #require(try await runtime.create(Self.typedComponent).first)
                #expect(typed.valueIfPresent(at: "spec.workload.apiVersion") == "apps/v1")
                #expect(typed.valueIfPresent(at: "spec.workload.kind") == "Deployment")
                #expect(typed.valueIfPresent(at: "spec.workload.type") == nil)
                #expect(typed.valueIfPresent(at: "spec.workload.metadata.labels[workload.oam.dev/type]") == "webservice")

                // An AppConfig naming a Component not there yet: admitted, with a warning kubectl prints.
                let created = try await kubectl(["create", "-f", "-"], """
                    apiVersion: core.oam.dev/v1alpha2
                    kind: ApplicationConfiguration
                    metadata: {name: early}
                    spec:
                      components:
                      - componentName: later
                    """)
                #expect(created.status == 0, "\(created.stderr)")
                #expect(created.stdout.contains("applicationconfiguration.core.oam.dev/early created"))
                let warning = created.stderr.split(separator: "\n").first { $0.hasPrefix("Warning:") }
                #expect(warning?.contains("later") == true, "stderr: \(created.stderr)")
            }
        }
    }

    /// Runs a webhook server on 127.0.0.1, registers it for the test's namespace only, runs
    /// `body` with a kubectl of the kit in that namespace, then removes the registration — also
    /// when `body` fails — and stops the server.
    static func withRegisteredWebhooks(
        _ runtime: Runtime,
        _ body: (_ kubectl: @escaping ([String], String?) async throws -> ProcessResult) async throws -> Void
    ) async throws {
        var logger = Logger(label: "mizzen.test.webhook")
        logger.logLevel = .critical
        let server = try WebhookServer(
            admission: OAMAdmission(client: runtime.client, logger: logger),
            configuration: .init(address: "127.0.0.1", port: 0, hosts: ["127.0.0.1"]), logger: logger)
        let (ready, announce) = AsyncStream<Int>.makeStream()
        // The server runs until this function cancels the task and waits for it.
        let serving = Task {
            defer { announce.finish() }
            try await server.run { port in
                announce.yield(port)
                announce.finish()
            }
        }
        var iterator = ready.makeAsyncIterator()
        guard let port = await iterator.next() else {
            serving.cancel()
            _ = try await serving.value
            throw CancellationError()
        }
        let registration = WebhookRegistration(
            target: .url("https://127.0.0.1:\(port)"), caBundlePEM: server.certificates.caCertificatePEM
        ).scoped(to: runtime.namespace)
        let kubeconfig = try await RealClusterOAM.installation.value.kubeconfig.path
        let namespace = runtime.namespace
        var failure: (any Error)?
        do {
            try await registration.apply(with: runtime.client)
            let configurations = try await runtime.client.get(
                GroupVersionKind(group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingWebhookConfiguration"),
                name: registration.name)
            #expect(configurations.object["webhooks"]?[0]?["namespaceSelector"] == WebhookRegistration.namespaceSelector(namespace))
            try await body { arguments, input in
                try await Kubectl.run(["--kubeconfig", kubeconfig, "--namespace", namespace] + arguments, stdin: input)
            }
        } catch {
            failure = error
        }
        do {
            try await registration.delete(with: runtime.client)
        } catch {
            Issue.record("the webhook configurations \(registration.name) could not be deleted: \(error)")
        }
        serving.cancel()
        _ = await serving.result
        if let failure { throw failure }
    }

    static let webservice = """
        apiVersion: core.oam.dev/v1alpha2
        kind: WorkloadDefinition
        metadata: {name: webservice}
        spec:
          definitionRef: {name: deployments.apps}
        """

    static let typedComponent = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: typed, labels: {team: a}}
        spec:
          workload:
            type: webservice
            spec: {replicas: 2}
        """

    static let brokenApp = """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: broken}
        spec:
          components:
          - componentName: web
            parameterValues: [{name: colour, value: red}]
        """
}
