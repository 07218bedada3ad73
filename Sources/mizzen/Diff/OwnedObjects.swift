import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources

/// The objects an ApplicationConfiguration owns, directly or through other objects: its
/// workloads and traits, and what those own in turn (the Deployment and Service of a
/// ContainerizedWorkload…), found by following `ownerReferences` across the kinds its status,
/// its spec and its Components name, and the kinds the workload controllers create.
///
/// Scopes and Components are not owned by an AppConfig and are not among them.
struct OwnedObjects {
    /// An owned object and the owner it was found under.
    struct Entry: Sendable {
        var object: Resource
        var owner: Resource
        /// 1 for the AppConfig's own dependents, 2 for theirs, …
        var depth: Int

        var reference: String { "\(object.kind)/\(object.name)" }
    }

    /// Kinds the workload controllers (and, on a cluster, the Deployment controller) create for
    /// the workloads they run.
    static let childKinds = [
        GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
        GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet"),
        GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet"),
        GroupVersionKind(group: "", version: "v1", kind: "Service"),
        GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"),
    ]

    let client: KubernetesClient

    /// Every object `appConfig` owns, its direct dependents first, then theirs; each level in
    /// kind and name order.
    func collect(_ appConfig: Resource) async throws -> [Entry] {
        let namespace = appConfig.namespace ?? client.defaultNamespace
        guard let rootUID = appConfig.uid else { return [] }
        var kinds = OrderedSet(try await namedKinds(appConfig, namespace: namespace))
        kinds.append(contentsOf: Self.childKinds)
        var listed: [GroupVersionKind: [Resource]] = [:]
        var owners: [String: (object: Resource, depth: Int)] = [rootUID: (appConfig, 0)]
        var found: [Entry] = []
        var seen: Set<String> = [rootUID]
        while true {
            for kind in kinds where listed[kind] == nil {
                // A kind the server does not serve (a definition whose CRD is missing) owns nothing.
                listed[kind] = (try? await client.listAll(kind, namespace: namespace))?.items ?? []
            }
            var added = false
            for kind in kinds {
                for object in listed[kind] ?? [] {
                    guard let uid = object.uid, !seen.contains(uid),
                        let owner = object.ownerReferences.lazy.compactMap({ owners[$0.uid] }).first
                    else { continue }
                    seen.insert(uid)
                    owners[uid] = (object, owner.depth + 1)
                    found.append(Entry(object: object, owner: owner.object, depth: owner.depth + 1))
                    for child in Self.references(in: object.status?["resources"]) { kinds.append(child) }
                    added = true
                }
            }
            if !added, kinds.allSatisfy({ listed[$0] != nil }) { break }
        }
        return found.sorted { ($0.depth, $0.object.kind, $0.object.name) < ($1.depth, $1.object.kind, $1.object.name) }
    }

    /// The kinds of the workloads and traits the AppConfig's status and spec name, and of the
    /// workloads of its Components.
    private func namedKinds(_ appConfig: Resource, namespace: String) async throws -> [GroupVersionKind] {
        var kinds: [GroupVersionKind] = []
        for workload in appConfig.status?["workloads"]?.arrayValue ?? [] {
            kinds += Self.references(in: .array([workload["workloadRef"] ?? .null]))
            kinds += Self.references(in: .array((workload["traits"]?.arrayValue ?? []).map { $0["traitRef"] ?? .null }))
        }
        for entry in appConfig.spec?["components"]?.arrayValue ?? [] {
            kinds += Self.references(in: .array((entry["traits"]?.arrayValue ?? []).map { $0["trait"] ?? .null }))
            guard let name = entry["componentName"]?.stringValue,
                let component = try? await client.get(OAMKinds.component, name: name, namespace: namespace)
            else { continue }
            kinds += Self.references(in: .array([component.spec?["workload"] ?? .null]))
        }
        return kinds
    }

    /// The kinds of the `{apiVersion, kind}` objects in an array.
    private static func references(in value: JSONValue?) -> [GroupVersionKind] {
        (value?.arrayValue ?? []).compactMap { reference in
            guard let apiVersion = reference["apiVersion"]?.stringValue, let kind = reference["kind"]?.stringValue,
                !apiVersion.isEmpty, !kind.isEmpty
            else { return nil }
            return GroupVersionKind(apiVersion: apiVersion, kind: kind)
        }
    }
}
