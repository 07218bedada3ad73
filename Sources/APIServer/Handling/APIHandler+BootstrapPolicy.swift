import APIMachinery
import Foundation
import Resources
import Store

/// kube-apiserver's RBAC post-start hook on the embedded plane: at every start the bootstrap
/// roles and bindings (``BootstrapPolicy``) that are missing are created, and the ones that exist
/// are reconciled as kube reconciles them (``BootstrapReconciliation``: what was removed from an
/// `autoupdate` one is added back; `autoupdate: "false"` ones are left alone). Writes go through
/// the API as `kube-apiserver`, so the objects' managed fields read as on a cluster.
extension APIHandler {
    static let bootstrapUserAgent = "kube-apiserver/v1.36.2"

    /// Creates the missing bootstrap RBAC objects and reconciles the others.
    ///
    /// - Throws: ``SeedError`` when one cannot be written (a bug in the bootstrap objects).
    func reconcileBootstrapPolicy() async throws {
        for expected in BootstrapPolicy.objects {
            try await reconcileBootstrapObject(expected, attempt: 0)
        }
    }

    private func reconcileBootstrapObject(_ expected: Resource, attempt: Int) async throws {
        let resource = expected.kind.lowercased() + "s"
        guard let served = BuiltinTypes.served(group: BuiltinTypes.rbacGroup, resource: resource) else { return }
        let namespace = served.type.namespaced ? expected.namespace : nil
        let collection = "/apis/\(BuiltinTypes.rbacGroup)/v1"
            + (namespace.map { "/namespaces/\($0)" } ?? "") + "/\(resource)"
        let existing: Resource
        do {
            existing = try await store.get(served.type, namespace: namespace, name: expected.name)
        } catch let error as APIError where error.reason == .notFound {
            if let namespace { try await ensureBootstrapNamespace(namespace) }
            let status = try await bootstrapWrite("POST", collection, expected)
            // 409: created since it was read (another server on the same store): look again.
            if status == 409, attempt < 2 { try await reconcileBootstrapObject(expected, attempt: attempt + 1) }
            return
        }
        let status: Int
        switch BootstrapReconciliation.reconcile(existing: existing, expected: expected) {
        case .unchanged, .protected:
            return
        case .update(let object):
            status = try await bootstrapWrite("PUT", "\(collection)/\(expected.name)", object)
        case .recreate(let object):
            _ = try await bootstrapWrite("DELETE", "\(collection)/\(expected.name)", nil)
            status = try await bootstrapWrite("POST", collection, object)
        }
        // 409 (changed since read) or 404 (deleted since read): start over, as kube does.
        if status == 409 || status == 404, attempt < 2 {
            try await reconcileBootstrapObject(expected, attempt: attempt + 1)
        }
    }

    /// Sends one write as kube-apiserver; returns its status when it is a success, 404 or 409.
    private func bootstrapWrite(_ method: String, _ path: String, _ object: Resource?) async throws -> Int {
        let request = APIRequest(
            method: method, path: path, contentType: "application/json", userAgent: Self.bootstrapUserAgent,
            body: object?.value.jsonBytes() ?? [])
        guard case .json(let status, let body, _) = await handle(request) else { return 200 }
        guard status < 300 || status == 404 || status == 409 else {
            throw SeedError(
                object: "\(object?.kind ?? "RBAC object") \(path)", message: APIError(status: body)?.message ?? "HTTP \(status)")
        }
        return status
    }

    /// kube creates the namespace of a namespaced bootstrap object when it is missing.
    private func ensureBootstrapNamespace(_ name: String) async throws {
        let namespace = Resource(apiVersion: "v1", kind: "Namespace", name: name)
        _ = try await bootstrapWrite("POST", "/api/v1/namespaces", namespace)
    }
}
