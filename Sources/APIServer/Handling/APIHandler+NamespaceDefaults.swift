import APIMachinery
import Foundation
import OrderedCollections
import Resources
import Store

/// What kube-controller-manager puts in every namespace, done by the plane itself when a
/// namespace is written (and for every namespace when the server opens): the `default`
/// ServiceAccount (its serviceaccount controller) and the `kube-root-ca.crt` ConfigMap holding
/// the plane's CA certificate (its root-ca-cert-publisher). Like kube's controllers, they come
/// back when the namespace is written again after someone deleted them; a namespace being
/// deleted gets nothing.
extension APIHandler {
    /// The ConfigMap that carries the CA bundle.
    static let rootCAConfigMapName = "kube-root-ca.crt"

    /// The description kube's root-ca-cert-publisher writes on it.
    static let rootCADescription =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."

    /// Gives every namespace that is not being deleted its `default` ServiceAccount and, when the
    /// plane serves TLS, its `kube-root-ca.crt` with `caCertificatePEM` (replacing an older CA).
    func ensureNamespaceDefaults(caCertificatePEM: String?) async throws {
        let namespaces = try await store.list(BuiltinTypes.namespaces.type, namespace: nil, options: ListOptions()).items
        for namespace in namespaces where namespace.deletionTimestamp == nil {
            try await populateNamespace(namespace.name, caCertificatePEM: caCertificatePEM)
        }
    }

    /// Creates what `namespace` lacks of its `default` ServiceAccount and `kube-root-ca.crt`. The CA
    /// is `caCertificatePEM`, or else the one the `default` namespace holds.
    func populateNamespace(_ namespace: String, caCertificatePEM: String? = nil) async throws {
        let accounts = BuiltinTypes.serviceAccounts.type
        if (try? await store.get(accounts, namespace: namespace, name: "default")) == nil {
            let account: JSONObject = [
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": ["name": "default", "namespace": .string(namespace)],
            ]
            // Another writer may have created it meanwhile: that is as good.
            _ = try? await store.create(Resource(object: account), as: accounts, dryRun: false)
        }
        let configMaps = BuiltinTypes.configMaps.type
        let existing = try? await store.get(configMaps, namespace: namespace, name: Self.rootCAConfigMapName)
        var certificate = caCertificatePEM
        if certificate == nil, namespace != "default" {
            certificate = (try? await store.get(configMaps, namespace: "default", name: Self.rootCAConfigMapName))?
                .object["data"]?["ca.crt"]?.stringValue
        }
        guard let certificate, existing?.object["data"]?["ca.crt"]?.stringValue != certificate else { return }
        var configMap: JSONObject = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(Self.rootCAConfigMapName), "namespace": .string(namespace),
                "annotations": ["kubernetes.io/description": .string(Self.rootCADescription)],
            ],
            "data": ["ca.crt": .string(certificate)],
        ]
        let path = "/api/v1/namespaces/\(namespace)/configmaps"
        var request = APIRequest(
            method: "POST", path: path, contentType: "application/json", userAgent: "kube-controller-manager/v1.36.2",
            body: [])
        if let existing {
            configMap["metadata"]?["resourceVersion"] = existing.object["metadata"]?["resourceVersion"]
            request.method = "PUT"
            request.path = "\(path)/\(Self.rootCAConfigMapName)"
        }
        request.body = JSONValue.object(configMap).jsonBytes()
        _ = await handle(request)
    }
}
