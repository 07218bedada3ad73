import APIMachinery
import Logging
import OrderedCollections
import Resources
import Store

/// What starting the server did with one of ``APIServerConfiguration/seedObjects``.
public enum SeedOutcome: String, Sendable, Hashable {
    case created
    case configured
    case unchanged
}

/// A seed object the server could not store.
public struct SeedError: Error, Sendable, CustomStringConvertible {
    /// `Kind/name` of the object.
    public var object: String
    public var message: String

    public var description: String {
        "cannot install \(object) at start: \(message); this is a bug in the objects the server was given to seed"
    }
}

extension APIHandler {
    /// Makes the store hold `objects` by server-side apply (field manager `mizzen`, forced):
    /// missing objects are created, fields that differ from the object are set back, and an object
    /// that already says what it should is not written at all.
    ///
    /// CustomResourceDefinitions go first and are established before the other objects, so that
    /// those may be of the kinds the CRDs define. Writes pass through the same validation and
    /// admission as requests.
    ///
    /// - Returns: the outcome per object (`Kind/name`), in the order written.
    /// - Throws: ``SeedError`` naming the first object that could not be stored.
    func seed(_ objects: [Resource], logger: Logger) async throws -> [(object: String, outcome: SeedOutcome)] {
        let isCRD = { (object: Resource) in
            object.groupVersionKind.group == "apiextensions.k8s.io" && object.kind == "CustomResourceDefinition"
        }
        let ordered = objects.filter(isCRD) + objects.filter { !isCRD($0) }
        var outcomes: [(object: String, outcome: SeedOutcome)] = []
        for object in ordered {
            let outcome = try await seed(object)
            if outcome != .unchanged {
                logger.info("seeded", metadata: ["object": "\(object.kind)/\(object.name)", "outcome": "\(outcome)"])
            }
            outcomes.append(("\(object.kind)/\(object.name)", outcome))
        }
        return outcomes
    }

    private func seed(_ desired: Resource) async throws -> SeedOutcome {
        let label = "\(desired.kind)/\(desired.name)"
        guard let served = registry.resource(for: desired.groupVersionKind) else {
            throw SeedError(object: label, message: "the server does not serve \(desired.apiVersion) \(desired.kind)")
        }
        let type = served.type
        let namespace = type.namespaced ? (desired.namespace ?? "default") : nil
        let stored: Resource?
        do {
            stored = try await store.get(type, namespace: namespace, name: desired.name)
        } catch let error as APIError where error.reason == .notFound {
            stored = nil
        }
        let request = APIRequest(
            method: "PATCH", path: "\(Self.collectionPath(type, namespace: namespace))/\(desired.name)",
            query: ["fieldManager": "mizzen", "force": "true"], contentType: "application/apply-patch+yaml",
            userAgent: "mizzen", body: desired.value.jsonBytes())
        guard case .json(let status, let body, _) = await handle(request) else {
            throw SeedError(object: label, message: "the server answered with a stream")
        }
        guard status < 300 else {
            throw SeedError(object: label, message: APIError(status: body)?.message ?? "HTTP \(status)")
        }
        guard let stored else { return .created }
        return body["metadata"]?["resourceVersion"]?.stringValue == stored.resourceVersion ? .unchanged : .configured
    }

    private static func collectionPath(_ type: ResourceType, namespace: String?) -> String {
        let root = type.group.isEmpty ? "/api/\(type.version)" : "/apis/\(type.group)/\(type.version)"
        let scope = namespace.map { "/namespaces/\($0)" } ?? ""
        return "\(root)\(scope)/\(type.resource)"
    }
}

extension APIHandler {
    /// What kube-apiserver keeps in every cluster from its start: the `kubernetes` Service in
    /// `default` (the first service IP, port 443 to the server's own port; no Endpoints, as with
    /// `--endpoint-reconciler-type=none`), and the name label of the `default` namespace, which
    /// the store creates before there is any defaulting. An existing Service is left as it is.
    func ensureClusterObjects(serverPort: Int) async throws {
        let namespaces = BuiltinTypes.namespaces.type
        var namespace = try await store.get(namespaces, namespace: nil, name: "default")
        if namespace.labels["kubernetes.io/metadata.name"] == nil {
            namespace.setLabel("kubernetes.io/metadata.name", "default")
            _ = try await store.update(namespace, as: namespaces, subresource: .main, dryRun: false)
        }
        do {
            _ = try await store.get(BuiltinTypes.services.type, namespace: "default", name: "kubernetes")
            return
        } catch let error as APIError where error.reason == .notFound {}
        let service: JSONValue = [
            "apiVersion": "v1", "kind": "Service",
            "metadata": [
                "name": "kubernetes", "namespace": "default",
                "labels": ["component": "apiserver", "provider": "kubernetes"],
            ],
            "spec": [
                "clusterIP": .string(ServiceAllocation.kubernetesServiceIP),
                "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": .int(Int64(serverPort))]],
            ],
        ]
        let request = APIRequest(
            method: "POST", path: "/api/v1/namespaces/default/services", contentType: "application/json",
            userAgent: "mizzen", body: service.jsonBytes())
        guard case .json(let status, let body, _) = await handle(request) else {
            throw SeedError(object: "Service/kubernetes", message: "the server answered with a stream")
        }
        // 409: another server on the same store created it first.
        guard status < 300 || status == 409 else {
            throw SeedError(object: "Service/kubernetes", message: APIError(status: body)?.message ?? "HTTP \(status)")
        }
    }
}
