import KubeClient
import OAM
import OrderedCollections
import Resources

/// Status writes shared by the workload, trait and scope reconcilers: a status is written only
/// when it differs from the one the object has, and conditions keep their transition time while
/// their state holds.
enum StatusWriter {
    /// Replaces the status of `object` (of `kind`) with `status` unless it already is that;
    /// returns whether it wrote.
    @discardableResult
    static func write(_ status: JSONValue, of object: Resource, kind: GroupVersionKind, client: KubernetesClient)
        async throws -> Bool
    {
        guard object.status != status else { return false }
        _ = try await client.patch(
            kind, name: object.name, namespace: object.namespace,
            patch: [["op": "add", "path": "/status", "value": status]], type: .json, subresource: "status",
            options: WriteOptions(fieldManager: Controllers.fieldManager))
        return true
    }

    /// `status` (an object, or nothing) with its `conditions` holding `condition` in place of
    /// the one of the same type; the other conditions stay.
    static func setting(_ condition: JSONValue, in status: JSONValue?) -> JSONObject {
        var members = status?.objectValue ?? [:]
        var conditions = members["conditions"]?.arrayValue ?? []
        let type = condition["type"]
        if let index = conditions.firstIndex(where: { $0["type"] == type }) {
            conditions[index] = condition
        } else {
            conditions.append(condition)
        }
        members["conditions"] = .array(conditions)
        return members
    }

    /// The `Synced` condition (spec §1.4): `ReconcileSuccess`, or `ReconcileError` with
    /// `failure` as its message; the transition time of `old`'s is kept while the state holds.
    static func synced(failure: String?, old: JSONValue?) -> JSONValue {
        ApplicationConfigurationReconciler.syncedCondition(failure: failure, old: old)
    }

    /// Whether `object`'s `Synced` condition already reports `failure`: a failure that persists
    /// is told by one Warning Event, not one per retry.
    static func alreadyReports(_ failure: String, on object: Resource) -> Bool {
        ApplicationConfigurationReconciler.condition(of: object)?["message"]?.stringValue == failure
    }
}

extension Resource {
    /// Whether `self` and `other` differ in more than their status and bookkeeping metadata
    /// (resourceVersion, managedFields): a write of status only is not a change of the object.
    func differsBeyondStatus(from other: Resource) -> Bool {
        func essence(_ object: Resource) -> Resource {
            var object = object
            object.status = nil
            object.withMetadata { metadata in
                metadata["resourceVersion"] = nil
                metadata["managedFields"] = nil
            }
            return object
        }
        return essence(self) != essence(other)
    }
}
