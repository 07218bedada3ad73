import Foundation
public import KubeClient
import OAM
import OrderedCollections
public import Resources
import ControllerRuntime

/// The MutatingWebhookConfiguration and ValidatingWebhookConfiguration that send Component and
/// ApplicationConfiguration creates and updates to ``WebhookServer``, written by server-side
/// apply (so a restart with a new CA replaces the `caBundle`).
///
/// Both use `failurePolicy: Fail` (an object is never stored unchecked), `sideEffects: None`,
/// `timeoutSeconds: 5` and `admissionReviewVersions: [v1]`. With a ``namespaceSelector`` they
/// apply only to the namespaces it selects (``scoped(to:)``: one namespace, for a controller
/// that runs for that namespace only); without one, to every namespace.
///
/// ```swift
/// let registration = WebhookRegistration(
///     target: .service(namespace: "oam-system", name: "mizzen-webhook", port: 443),
///     caBundlePEM: server.certificates.caCertificatePEM)
/// try await registration.apply(with: client)
/// ```
public struct WebhookRegistration: Sendable {
    /// How the API server reaches the webhook server.
    public enum Target: Sendable, Hashable {
        /// A base URL, `https://host:port` (the webhook paths are appended).
        case url(String)
        /// A Service in the cluster.
        case service(namespace: String, name: String, port: Int)
    }

    /// The field manager of the applies.
    public static let fieldManager = "mizzen-webhook"

    /// The name of both configurations.
    public var name: String
    /// Where the API server calls.
    public var target: Target
    /// The CA that signed the webhook server's certificate, PEM.
    public var caBundlePEM: String
    /// The namespaces whose objects are sent (a `metav1.LabelSelector` on the namespace's
    /// labels); every namespace when `nil`.
    public var namespaceSelector: JSONValue?

    /// Configurations named `name` that send requests to `target`, trusting `caBundlePEM`.
    public init(name: String = "mizzen-oam", target: Target, caBundlePEM: String, namespaceSelector: JSONValue? = nil) {
        self.name = name
        self.target = target
        self.caBundlePEM = caBundlePEM
        self.namespaceSelector = namespaceSelector
    }

    /// The same registration for the objects of `namespace` only: named `<name>-<namespace>`
    /// (so that controllers of different namespaces do not replace each other's), selecting the
    /// namespace by the `kubernetes.io/metadata.name` label the API server gives every namespace.
    public func scoped(to namespace: String) -> WebhookRegistration {
        var scoped = self
        scoped.name = "\(name)-\(namespace)"
        scoped.namespaceSelector = Self.namespaceSelector(namespace)
        return scoped
    }

    /// The selector of one namespace, by its `kubernetes.io/metadata.name` label.
    public static func namespaceSelector(_ namespace: String) -> JSONValue {
        ["matchExpressions": [[
            "key": "kubernetes.io/metadata.name", "operator": "In", "values": [.string(namespace)],
        ]]]
    }

    /// Deletes both configurations (those already gone are no error).
    public func delete(with client: KubernetesClient) async throws {
        for configuration in configurations {
            do {
                _ = try await client.delete(configuration.groupVersionKind, name: configuration.name)
            } catch let error as APIError where error.reason == .notFound {
                continue
            }
        }
    }

    /// The two configurations, mutating first.
    public var configurations: [Resource] {
        [configuration(kind: "MutatingWebhookConfiguration", step: "mutate"),
         configuration(kind: "ValidatingWebhookConfiguration", step: "validate")]
    }

    /// Creates or updates both configurations.
    ///
    /// - Throws: `APIError` or ``KubeClient/ClientError`` from the server.
    public func apply(with client: KubernetesClient) async throws {
        for configuration in configurations {
            _ = try await client.apply(configuration, fieldManager: Self.fieldManager, force: true)
        }
    }

    func configuration(kind: String, step: String) -> Resource {
        var object = Resource(apiVersion: "admissionregistration.k8s.io/v1", kind: kind, name: name)
        object.setLabel("app.kubernetes.io/managed-by", "mizzen")
        let webhooks: [JSONValue] = ["components", "applicationconfigurations"].map { resource in
            var webhook: JSONObject = [
                "name": .string("\(step).\(resource).\(OAM.group)"),
                "clientConfig": clientConfig(path: "/\(step)-\(resource)"),
                "rules": [[
                    "apiGroups": [.string(OAM.group)], "apiVersions": [.string(OAM.version)],
                    "operations": ["CREATE", "UPDATE"], "resources": [.string(resource)], "scope": "Namespaced",
                ]],
                "failurePolicy": "Fail",
                "matchPolicy": "Equivalent",
                "sideEffects": "None",
                "timeoutSeconds": 5,
                "admissionReviewVersions": ["v1"],
            ]
            if step == "mutate" { webhook["reinvocationPolicy"] = "Never" }
            if let namespaceSelector { webhook["namespaceSelector"] = namespaceSelector }
            return .object(webhook)
        }
        object.object["webhooks"] = .array(webhooks)
        return object
    }

    func clientConfig(path: String) -> JSONValue {
        let caBundle = JSONValue.string(Data(caBundlePEM.utf8).base64EncodedString())
        switch target {
        case .url(let base):
            let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
            return ["url": .string(trimmed + path), "caBundle": caBundle]
        case .service(let namespace, let name, let port):
            return [
                "service": [
                    "namespace": .string(namespace), "name": .string(name), "path": .string(path),
                    "port": .int(Int64(port)),
                ],
                "caBundle": caBundle,
            ]
        }
    }
}
