import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources

/// Adoption and release of Pods and ControllerRevisions by a StatefulSet or DaemonSet, as kube's
/// controller-ref manager does them: an orphan (no controller) that the owner's selector matches
/// is adopted (the owner becomes its controller); an object the owner controls that the selector
/// no longer matches is released (the reference removed). So a set deleted with
/// `--cascade=orphan` and created again takes its Pods and revisions back.
///
/// Used by both controllers.
struct Ownership {
    let client: KubernetesClient

    /// What a claim leaves: the objects the owner controls, and whether it wrote (adopted or
    /// released something).
    struct Claimed {
        var objects: [Resource] = []
        var changed = false
    }

    /// The objects `owner` (of `ownerKind`) controls once `controlled` and `orphans` are claimed:
    /// `matches` says which it wants.
    func claim(
        controlled: [Resource], orphans: [Resource], owner: Resource, ownerKind: GroupVersionKind,
        objectKind: GroupVersionKind, matches: (Resource) -> Bool
    ) async throws -> Claimed {
        var claimed = Claimed()
        for object in controlled {
            if matches(object) {
                claimed.objects.append(object)
            } else if !object.isBeingDeleted {
                try await release(object, from: owner, kind: objectKind)
                claimed.changed = true
            }
        }
        let adoptable = orphans.filter { !$0.isBeingDeleted && matches($0) }
        guard !adoptable.isEmpty, try await canAdopt(owner, kind: ownerKind) else { return claimed }
        for object in adoptable {
            if let adopted = try await adopt(object, by: owner, ownerKind: ownerKind, kind: objectKind) {
                claimed.objects.append(adopted)
                claimed.changed = true
            }
        }
        return claimed
    }

    /// The labels of `object` as a selector reads them.
    static func labels(of object: Resource) -> [String: String] {
        Dictionary(object.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The owner is still there, the same one, and not being deleted (read from the server,
    /// not a cache, as kube does before adopting).
    private func canAdopt(_ owner: Resource, kind: GroupVersionKind) async throws -> Bool {
        do {
            let fresh = try await client.get(kind, name: owner.name, namespace: owner.namespace)
            return fresh.uid == owner.uid && !fresh.isBeingDeleted
        } catch let error as APIError where error.reason == .notFound {
            return false
        }
    }

    private func adopt(_ object: Resource, by owner: Resource, ownerKind: GroupVersionKind, kind: GroupVersionKind)
        async throws -> Resource?
    {
        var references = object.object["metadata"]?["ownerReferences"]?.arrayValue ?? []
        references.append(ControllerReferences.reference(to: owner, kind: ownerKind))
        return try await write(object, kind: kind, references: references)
    }

    private func release(_ object: Resource, from owner: Resource, kind: GroupVersionKind) async throws {
        let references = (object.object["metadata"]?["ownerReferences"]?.arrayValue ?? []).filter {
            $0["uid"]?.stringValue != owner.uid
        }
        _ = try await write(object, kind: kind, references: references)
    }

    /// Replaces the object's owner references, provided it is still the version read.
    private func write(_ object: Resource, kind: GroupVersionKind, references: [JSONValue]) async throws -> Resource? {
        var patch: [JSONValue] = [["op": "test", "path": "/metadata/uid", "value": .string(object.uid ?? "")]]
        if let version = object.resourceVersion {
            patch.append(["op": "test", "path": "/metadata/resourceVersion", "value": .string(version)])
        }
        patch.append(["op": "add", "path": "/metadata/ownerReferences", "value": .array(references)])
        do {
            return try await client.patch(
                kind, name: object.name, namespace: object.namespace, patch: .array(patch), type: .json,
                options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        } catch let error as APIError where error.reason == .notFound {
            return nil
        }
    }
}
