import APIMachinery
import APIServer
import AsyncHTTPClient
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import OAM
import OrderedCollections
import Resources
import Synchronization
import TestSupport
import Testing

/// The admission webhook server over HTTPS, its self-registration, and in-process admission on
/// the embedded plane.
@Suite(.serialized) struct WebhookTests {
    static let component: JSONValue = [
        "apiVersion": "core.oam.dev/v1alpha2", "kind": "Component",
        "metadata": ["name": "web", "namespace": "default"],
        "spec": ["workload": ["apiVersion": "apps/v1", "kind": "Deployment", "spec": ["replicas": 1]]],
    ]

    static let typedComponent: JSONValue = [
        "apiVersion": "core.oam.dev/v1alpha2", "kind": "Component",
        "metadata": ["name": "typed", "namespace": "default", "labels": ["team": "a"]],
        "spec": ["workload": ["type": "webservice", "spec": ["replicas": 2]]],
    ]

    static let webservice: JSONValue = [
        "apiVersion": "core.oam.dev/v1alpha2", "kind": "WorkloadDefinition", "metadata": ["name": "webservice"],
        "spec": ["definitionRef": ["name": "deployments.apps"]],
    ]

    static let brokenApp: JSONValue = [
        "apiVersion": "core.oam.dev/v1alpha2", "kind": "ApplicationConfiguration",
        "metadata": ["name": "shop", "namespace": "default"],
        "spec": ["components": [[
            "componentName": "web", "revisionName": "web-v1",
        ], [
            "componentName": "web", "parameterValues": [["name": "colour", "value": "red"]],
        ]]],
    ]

    // MARK: Webhook server

    @Test("a valid Component is allowed without a patch")
    func validComponentIsAllowed() async throws {
        try await withWebhook(lookup: { _, _, _ in [] }) { webhook in
            let answer = try await webhook.post("/validate-components", Self.review(Self.component))
            #expect(answer["response"]?["uid"] == "review-1")
            #expect(answer["response"]?["allowed"] == true)
            #expect(answer["response"]?["patch"] == nil)
            // The mutating path has nothing to change either.
            let mutation = try await webhook.post("/mutate-components", Self.review(Self.component))
            #expect(mutation["response"]?["allowed"] == true)
            #expect(mutation["response"]?["patch"] == nil)
        }
    }

    @Test("an invalid ApplicationConfiguration is denied with every problem, by field")
    func invalidAppConfigIsDenied() async throws {
        let stored = try Resource(Self.component)
        try await withWebhook(lookup: { kind, _, name in
            kind.kind == "Component" && (name == nil || name == stored.name) ? [stored] : []
        }) { webhook in
            let answer = try await webhook.post(
                "/validate-applicationconfigurations", Self.review(Self.brokenApp, resource: "applicationconfigurations"))
            let response = try #require(answer["response"])
            #expect(response["allowed"] == false)
            #expect(response["status"]?["code"] == 422)
            #expect(response["status"]?["reason"] == "Invalid")
            let message = response["status"]?["message"]?.stringValue ?? ""
            #expect(message.hasPrefix("ApplicationConfiguration.core.oam.dev \"shop\" is invalid: spec.components[0]: componentName \"web\" and revisionName \"web-v1\" are mutually exclusive"))
            #expect(message.contains("spec.components[1].parameterValues[0].name: unknown parameter \"colour\""))
            let fields = response["status"]?["details"]?["causes"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
            #expect(fields == ["spec.components[0]", "spec.components[1].parameterValues[0].name"])
        }
    }

    @Test("unknown paths answer 404 and requests without a uid 400")
    func badRequests() async throws {
        try await withWebhook(lookup: { _, _, _ in [] }) { webhook in
            let (missing, _) = try await webhook.postRaw("/mutate-pods", Self.review(Self.component).jsonBytes())
            #expect(missing == 404)
            let (bad, _) = try await webhook.postRaw("/validate-components", Array("{}".utf8))
            #expect(bad == 400)
        }
    }

    @Test("a typed Component is mutated with a JSON patch after which the API server accepts it")
    func typedComponentPatchApplies() async throws {
        try await withPlaneAndClient { plane, client in
            _ = try await client.create(try Resource(Self.webservice))
            // As kube-apiserver does: the webhook sees the object as sent, the server applies the
            // patch, then checks the result against the CRD schema (which refuses a workload
            // without apiVersion and kind) and stores it.
            let original = try Resource(Self.typedComponent)
            try await withWebhook(admission: OAMAdmission(client: client)) { webhook in
                let answer = try await webhook.post("/mutate-components", Self.review(original.value))
                let response = try #require(answer["response"])
                #expect(response["allowed"] == true)
                #expect(response["patchType"] == "JSONPatch")
                let patchBytes = try #require(Data(base64Encoded: response["patch"]?.stringValue ?? ""))
                let patch = try JSONValue(parsingJSON: Array(patchBytes))
                let mutated = try Resource(try JSONPatch.apply(patch, to: original.value))
                let stored = try await client.create(mutated)
                let workload = try #require(stored.valueIfPresent(at: "spec.workload"))
                #expect(workload["type"] == nil)
                #expect(workload["apiVersion"] == "apps/v1")
                #expect(workload["kind"] == "Deployment")
                #expect(workload["spec"] == ["replicas": 2])
                #expect(workload["metadata"]?["labels"] == ["team": "a", "workload.oam.dev/type": "webservice"])
            }
        }
    }

    @Test("admission reads the components, revisions, scopes and CRDs an AppConfig names by name, never by listing them")
    func lookupsByName() async throws {
        let reads = Mutex<[String]>([])
        let admission = OAMAdmission(lookup: { kind, namespace, name in
            reads.withLock { $0.append("\(kind.kind) \(namespace ?? "-") \(name ?? "*")") }
            return []
        })
        var app = try Resource(Self.brokenApp)
        app.object["spec"] = ["components": [[
            "componentName": "web",
            "traits": [["trait": ["apiVersion": "example.com/v1", "kind": "Route"]]],
            "scopes": [["scopeRef": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "HealthScope", "name": "health"]]],
        ], ["revisionName": "web-v1"]]]
        let verdict = try await admission.review(
            app, old: nil, operation: "CREATE", resource: "applicationconfigurations", step: .both)
        #expect(verdict.errors.isEmpty)
        #expect(reads.withLock { $0 }.sorted() == [
            "Component default web", "ControllerRevision default web-v1", "HealthScope default health",
            "ScopeDefinition - *", "TraitDefinition - *", "WorkloadDefinition - *",
        ])
    }

    // MARK: Registration

    @Test("registration applies both webhook configurations, and a restart with a new CA updates them")
    func registrationOnEmbeddedPlane() async throws {
        try await withPlaneAndClient { _, client in
            let first = try WebhookCertificates(hosts: ["127.0.0.1"])
            try await WebhookRegistration(target: .url("https://127.0.0.1:9443/"), caBundlePEM: first.caCertificatePEM)
                .apply(with: client)
            let second = try WebhookCertificates(hosts: ["127.0.0.1"])
            try await WebhookRegistration(target: .url("https://127.0.0.1:9443/"), caBundlePEM: second.caCertificatePEM)
                .apply(with: client)

            let mutating = try await client.get(
                GroupVersionKind(group: "admissionregistration.k8s.io", version: "v1", kind: "MutatingWebhookConfiguration"),
                name: "mizzen-oam")
            let validating = try await client.get(
                GroupVersionKind(group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingWebhookConfiguration"),
                name: "mizzen-oam")
            let mutatingHooks = try #require(mutating.object["webhooks"]?.arrayValue)
            #expect(mutatingHooks.compactMap { $0["clientConfig"]?["url"]?.stringValue } == [
                "https://127.0.0.1:9443/mutate-components", "https://127.0.0.1:9443/mutate-applicationconfigurations",
            ])
            let validatingHooks = try #require(validating.object["webhooks"]?.arrayValue)
            #expect(validatingHooks.compactMap { $0["clientConfig"]?["url"]?.stringValue } == [
                "https://127.0.0.1:9443/validate-components",
                "https://127.0.0.1:9443/validate-applicationconfigurations",
            ])
            for hook in mutatingHooks + validatingHooks {
                #expect(hook["failurePolicy"] == "Fail")
                #expect(hook["sideEffects"] == "None")
                #expect(hook["timeoutSeconds"] == 5)
                #expect(hook["admissionReviewVersions"] == ["v1"])
                #expect(hook["rules"]?[0]?["operations"] == ["CREATE", "UPDATE"])
                #expect(hook["rules"]?[0]?["apiGroups"] == ["core.oam.dev"])
                #expect(hook["rules"]?[0]?["apiVersions"] == ["v1alpha2"])
                let bundle = Data(base64Encoded: hook["clientConfig"]?["caBundle"]?.stringValue ?? "")
                #expect(bundle.map { String(decoding: $0, as: UTF8.self) } == second.caCertificatePEM)
            }
        }
    }

    @Test("a service target puts the service reference and path in clientConfig")
    func serviceTarget() throws {
        let registration = WebhookRegistration(
            target: .service(namespace: "oam-system", name: "mizzen", port: 443), caBundlePEM: "PEM")
        let validating = try #require(registration.configurations.last)
        #expect(validating.kind == "ValidatingWebhookConfiguration")
        #expect(validating.object["webhooks"]?[1]?["clientConfig"]?["service"] == [
            "namespace": "oam-system", "name": "mizzen", "path": "/validate-applicationconfigurations", "port": 443,
        ])
    }

    // MARK: In-process admission on the embedded plane

    @Test("an embedded plane with OAM admission rejects an invalid AppConfig with 422 naming the field, and mutates a typed Component")
    func embeddedPlaneAdmission() async throws {
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
            _ = try await client.create(try Resource(Self.webservice))
            _ = try await client.create(try Resource(Self.component))
            do {
                _ = try await client.create(try Resource(Self.brokenApp))
                Issue.record("the invalid ApplicationConfiguration was stored")
            } catch let error as APIError {
                #expect(error.code == 422)
                #expect(error.reason == .invalid)
                #expect(error.causes.map(\.field) == ["spec.components[0]", "spec.components[1].parameterValues[0].name"])
                #expect(error.message.contains("spec.components[1].parameterValues[0].name: unknown parameter \"colour\""))
            }
            let typed = try await client.create(try Resource(Self.typedComponent))
            #expect(typed.valueIfPresent(at: "spec.workload.kind") == "Deployment")
            #expect(typed.valueIfPresent(at: "spec.workload.metadata.labels[workload.oam.dev/type]") == "webservice")
        } catch {
            failure = error
        }
        source.set(nil)
        try? await client.shutdown()
        await plane.stop()
        if let failure { throw failure }
    }

    // MARK: Helpers

    static func review(_ object: JSONValue, resource: String = "components", old: JSONValue? = nil) -> JSONValue {
        var request: JSONObject = [
            "uid": "review-1",
            "kind": ["group": "core.oam.dev", "version": "v1alpha2", "kind": object["kind"] ?? ""],
            "resource": ["group": "core.oam.dev", "version": "v1alpha2", "resource": .string(resource)],
            "namespace": "default", "operation": old == nil ? "CREATE" : "UPDATE", "object": object,
        ]
        if let old { request["oldObject"] = old }
        return ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": .object(request)]
    }

    /// A running webhook server on 127.0.0.1 and an HTTPS client that trusts its CA.
    struct Webhook {
        let port: Int
        let http: HTTPClient

        func postRaw(_ path: String, _ body: [UInt8]) async throws -> (Int, JSONValue?) {
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)\(path)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await http.execute(request, timeout: .seconds(10))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), try? JSONValue(parsingJSON: Array(buffer: bytes)))
        }

        func post(_ path: String, _ review: JSONValue) async throws -> JSONValue {
            let (status, answer) = try await postRaw(path, review.jsonBytes())
            #expect(status == 200)
            return try #require(answer)
        }
    }

    func withWebhook(lookup: @escaping OAMAdmission.Lookup, _ body: (Webhook) async throws -> Void) async throws {
        try await withWebhook(admission: OAMAdmission(lookup: lookup), body)
    }

    func withWebhook(admission: OAMAdmission, _ body: (Webhook) async throws -> Void) async throws {
        var logger = Logger(label: "mizzen.test.webhook")
        logger.logLevel = .critical
        let server = try WebhookServer(
            admission: admission, configuration: .init(address: "127.0.0.1", port: 0, hosts: ["127.0.0.1"]),
            logger: logger)
        let (ready, announce) = AsyncStream<Int>.makeStream()
        // The server runs until this test cancels the task and waits for it.
        let task = Task {
            try await server.run { port in
                announce.yield(port)
                announce.finish()
            }
        }
        var iterator = ready.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            _ = await task.result
            throw CancellationError()
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        var failure: (any Error)?
        do {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(server.certificates.caCertificatePEM.utf8)))
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            do {
                try await body(Webhook(port: port, http: http))
            } catch {
                failure = error
            }
            try? await http.shutdown()
        } catch {
            failure = error
        }
        task.cancel()
        _ = await task.result
        if let failure { throw failure }
    }

    func withPlaneAndClient(_ body: (EmbeddedPlane, KubernetesClient) async throws -> Void) async throws {
        let plane = try await EmbeddedPlane.start()
        let client: KubernetesClient
        do {
            client = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path)
        } catch {
            await plane.stop()
            throw error
        }
        var failure: (any Error)?
        do {
            try await body(plane, client)
        } catch {
            failure = error
        }
        try? await client.shutdown()
        await plane.stop()
        if let failure { throw failure }
    }
}

/// A client set once the plane it reads from is up; admission before that finds nothing.
final class LateClient: Sendable {
    private let client = Mutex<KubernetesClient?>(nil)

    func set(_ client: KubernetesClient?) {
        self.client.withLock { $0 = client }
    }

    func read(_ kind: GroupVersionKind, namespace: String?, name: String?) async throws -> [Resource] {
        guard let client = client.withLock({ $0 }) else { return [] }
        guard let name else { return try await client.listAll(kind, namespace: namespace).items }
        return [try await client.get(kind, name: name, namespace: namespace)]
    }
}

/// The embedded plane's in-process admission step, as `mizzen serve` wires it (the executable
/// makes ``OAMAdmission`` itself conform; a wrapper here keeps that conformance in one module).
struct EmbeddedOAMAdmission: AdmissionController {
    let admission: OAMAdmission

    func admit(_ object: Resource, old: Resource?, operation: AdmissionOperation, type: ResourceType)
        async throws -> Resource
    {
        guard type.group == OAM.group else { return object }
        let (admitted, warnings) = try await admission.admitWithWarnings(
            object, old: old, operation: operation.rawValue, resource: type.resource)
        for warning in warnings { warn(warning) }
        return admitted
    }
}
