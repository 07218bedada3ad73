import Foundation
import OrderedCollections
import Resources
import Store
import Testing

let configMaps = ResourceType(
    group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true, hasStatus: false)
let deployments = ResourceType(
    group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true, hasStatus: true)
let clusterWidgets = ResourceType(
    group: "example.com", version: "v1", resource: "widgets", kind: "Widget", namespaced: false, hasStatus: true)

func configMap(_ name: String, namespace: String = "default", labels: [String: String] = [:], data: JSONValue = [:])
    -> Resource
{
    var object = Resource(apiVersion: "v1", kind: "ConfigMap", name: name, namespace: namespace)
    for (key, value) in labels.sorted(by: { $0.key < $1.key }) { object.setLabel(key, value) }
    object.object["data"] = data
    return object
}

func deployment(_ name: String, namespace: String = "default", replicas: Int64 = 1) -> Resource {
    var object = Resource(apiVersion: "apps/v1", kind: "Deployment", name: name, namespace: namespace)
    object.spec = ["replicas": .int(replicas)]
    return object
}

func namespaceObject(_ name: String) -> Resource {
    Resource(apiVersion: "v1", kind: "Namespace", name: name)
}

func ownerReference(to owner: Resource, block: Bool? = nil) -> OwnerReference {
    OwnerReference(
        apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid ?? "", controller: nil,
        blockOwnerDeletion: block)
}

func rv(_ object: Resource) -> Int64 { Int64(object.resourceVersion ?? "") ?? -1 }

/// A temporary directory removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "mizzen-store-tests-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Expects `body` to throw an ``APIError`` with this code and reason; returns it.
@discardableResult
func expectAPIError(
    code: Int, reason: APIError.Reason, sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> APIError? {
    do {
        try await body()
        Issue.record("expected \(code) \(reason), got success", sourceLocation: sourceLocation)
    } catch let error as APIError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(error.reason == reason, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected APIError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Reads watch events until `count` have arrived (or the stream ends).
func collect(_ count: Int, from stream: AsyncThrowingStream<WatchEvent, any Error>) async throws -> [WatchEvent] {
    var events: [WatchEvent] = []
    if count == 0 { return events }
    for try await event in stream {
        events.append(event)
        if events.count == count { break }
    }
    return events
}

extension ObjectStore {
    /// Whether the object exists.
    func exists(_ type: ResourceType, namespace: String?, name: String) async throws -> Bool {
        do {
            _ = try await get(type, namespace: namespace, name: name)
            return true
        } catch let error as APIError where error.reason == .notFound {
            return false
        }
    }
}
