import APIMachinery
import Logging
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
