public import ControllerRuntime
import Foundation
import OrderedCollections
public import Resources

/// What the controllers of the plane read from Pods, as kube-controller-manager reads it.
public enum Pods {
    /// The kind.
    public static let kind = GroupVersionKind(group: "", version: "v1", kind: "Pod")

    /// `status.phase`; `Pending` when unset.
    public static func phase(of pod: Resource) -> String {
        pod.valueIfPresent(at: "status.phase")?.stringValue ?? "Pending"
    }

    /// Neither finished (Succeeded/Failed) nor being deleted: the Pods a ReplicaSet, Job or
    /// StatefulSet counts as its own running ones.
    public static func isActive(_ pod: Resource) -> Bool {
        let phase = phase(of: pod)
        return phase != "Succeeded" && phase != "Failed" && !pod.isBeingDeleted
    }

    /// The `Ready` condition is `True`.
    public static func isReady(_ pod: Resource) -> Bool {
        readyCondition(of: pod)?["status"]?.stringValue == "True"
    }

    /// Ready for more than `minReadySeconds` at `now` (kube's "available": strictly after).
    public static func isAvailable(_ pod: Resource, minReadySeconds: Int, now: Date) -> Bool {
        guard isReady(pod) else { return false }
        guard minReadySeconds > 0 else { return true }
        guard let since = readyCondition(of: pod)?["lastTransitionTime"]?.stringValue.flatMap(KubernetesTime.parse)
        else { return false }
        return since.addingTimeInterval(TimeInterval(minReadySeconds)) < now
    }

    /// The `Ready` condition, if any.
    public static func readyCondition(of pod: Resource) -> JSONValue? {
        pod.valueIfPresent(at: "status.conditions")?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
    }

    /// A Pod made from `template` (a `PodTemplateSpec`) for `owner` (of `kind`), as the workload
    /// controllers create them: the template's labels, annotations and finalizers, its spec, a
    /// controller reference to the owner, and a generated name `prefix` + five characters (the
    /// owner's name and `-` unless told otherwise).
    public static func pod(
        from template: JSONValue, owner: Resource, kind: GroupVersionKind, generateName prefix: String? = nil
    ) -> Resource {
        var pod = Resource(apiVersion: "v1", kind: "Pod", namespace: owner.namespace)
        let metadata = template["metadata"]?.objectValue ?? [:]
        pod.withMetadata { members in
            members["generateName"] = .string(prefix ?? "\(owner.name)-")
            for field in ["labels", "annotations", "finalizers"] {
                if let value = metadata[field], value != .null { members[field] = value }
            }
            members["ownerReferences"] = [ControllerReferences.reference(to: owner, kind: kind)]
        }
        pod.object["spec"] = template["spec"] ?? .object([:])
        return pod
    }
}

/// Controller references: the one owner reference with `controller: true`.
public enum ControllerReferences {
    /// A controller reference to `owner` (of `kind`), blocking its deletion while it exists,
    /// as every workload controller writes it.
    public static func reference(to owner: Resource, kind: GroupVersionKind) -> JSONValue {
        OwnerReference(
            apiVersion: kind.apiVersion, kind: kind.kind, name: owner.name, uid: owner.uid ?? "",
            controller: true, blockOwnerDeletion: true
        ).json
    }

    /// Whether `object` is controlled by `owner` (same uid).
    public static func isControlled(_ object: Resource, by owner: Resource) -> Bool {
        guard let uid = owner.uid, let reference = object.controllerReference else { return false }
        return reference.uid == uid
    }

    /// An index function keying objects by their controller's uid, for caches of Pods,
    /// ReplicaSets and the like: `cache.keys(index: name, value: owner.uid)`.
    public static let index: IndexFunction = { object in
        object.controllerReference.map { [$0.uid] } ?? []
    }
}
