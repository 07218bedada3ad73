import ControllerRuntime
import KubeClient
import Resources

/// The `autoscaling/v1` Scale of a workload, as the HPA and disruption controllers read it:
/// its uid, `spec.replicas`, `status.replicas` and the selector of its pods (a string).
struct WorkloadScale: Hashable, Sendable {
    var uid: String
    var replicas: Int64
    var statusReplicas: Int64
    var selector: String
}

/// Reads the scale of a workload: Deployments, ReplicaSets and StatefulSets from the informer
/// caches, other kinds with a `scale` subresource (custom resources) through the API, from the
/// paths their CRD declares.
struct ScaleReader: Sendable {
    /// Why a scale could not be read, worded as kube's scale client reports it.
    struct Failure: Error, Equatable, CustomStringConvertible {
        var message: String
        /// The kind is served but has no `scale` subresource.
        var hasNoScale = false
        var description: String { message }
    }

    static let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let replicaSet = GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet")
    static let statefulSet = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
    static let customResourceDefinition = GroupVersionKind(
        group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")

    let client: KubernetesClient
    let deployments: Informer
    let replicaSets: Informer
    let statefulSets: Informer

    init(manager: Manager) {
        client = manager.client
        deployments = manager.informer(for: Self.deployment)
        replicaSets = manager.informer(for: Self.replicaSet)
        statefulSets = manager.informer(for: Self.statefulSet)
    }

    /// The cache of a kind read from the caches (`apps` Deployments, ReplicaSets and
    /// StatefulSets, any served version), with its resource name.
    func cached(_ kind: GroupVersionKind) -> (Informer, String)? {
        guard kind.group == "apps" || kind.group == "extensions" else { return nil }
        switch kind.kind {
        case "Deployment": return (deployments, "deployments")
        case "ReplicaSet": return (replicaSets, "replicasets")
        case "StatefulSet" where kind.group == "apps": return (statefulSets, "statefulsets")
        default: return nil
        }
    }

    /// The scale of the object `name` of `kind` in `namespace`.
    func scale(of kind: GroupVersionKind, name: String, namespace: String) async throws -> WorkloadScale {
        if let (informer, resource) = cached(kind) {
            guard let object = informer.cache.get(namespace: namespace, name: name) else {
                throw Failure(message: "\(resource).apps \"\(name)\" not found")
            }
            return Self.scale(of: object)
        }
        let mapping: RESTMapping
        do {
            mapping = try await client.mapper.mapping(for: kind)
        } catch {
            throw Failure(message: "no matches for kind \"\(kind.kind)\" in group \"\(kind.group)\"")
        }
        let resource = mapping.groupVersionResource
        let groupResource = resource.group.isEmpty ? resource.resource : "\(resource.resource).\(resource.group)"
        guard mapping.subresources.contains("scale") else {
            throw Failure(message: "\(groupResource) does not implement the scale subresource", hasNoScale: true)
        }
        let object: Resource
        do {
            object = try await client.get(kind, name: name, namespace: namespace)
        } catch let error as APIError {
            throw Failure(message: error.message)
        }
        return try await customScale(of: object, groupResource: groupResource, version: kind.version)
    }

    /// The scale of a Deployment, ReplicaSet or StatefulSet (`spec.replicas` defaults to 1).
    static func scale(of object: Resource) -> WorkloadScale {
        let selector = (try? LabelSelector(json: object.spec?["selector"] ?? .null))?.description ?? ""
        return WorkloadScale(
            uid: object.uid ?? "", replicas: object.spec?["replicas"]?.intValue ?? 1,
            statusReplicas: object.status?["replicas"]?.intValue ?? 0, selector: selector)
    }

    /// The scale of a custom resource, from its CRD's `subresources.scale` paths.
    private func customScale(of object: Resource, groupResource: String, version: String) async throws -> WorkloadScale {
        let crd: Resource
        do {
            crd = try await client.get(Self.customResourceDefinition, name: groupResource, namespace: nil)
        } catch let error as APIError {
            throw Failure(message: error.message)
        }
        let versions = crd.spec?["versions"]?.arrayValue ?? []
        let scale = versions.first { $0["name"]?.stringValue == version }?["subresources"]?["scale"] ?? .emptyObject
        func value(_ key: String) -> JSONValue? {
            guard let path = scale[key]?.stringValue, let field = try? FieldPath(parsing: String(path.drop { $0 == "." }))
            else { return nil }
            return object.valueIfPresent(at: field)
        }
        return WorkloadScale(
            uid: object.uid ?? "", replicas: value("specReplicasPath")?.intValue ?? 0,
            statusReplicas: value("statusReplicasPath")?.intValue ?? 0,
            selector: value("labelSelectorPath")?.stringValue ?? "")
    }

    /// Sets the `spec.replicas` of the object through its `scale` subresource.
    func setReplicas(_ replicas: Int64, of kind: GroupVersionKind, name: String, namespace: String, fieldManager: String)
        async throws
    {
        _ = try await client.patch(
            kind, name: name, namespace: namespace, patch: ["spec": ["replicas": .int(replicas)]], type: .merge,
            subresource: "scale", options: WriteOptions(fieldManager: fieldManager))
    }
}
