public import KubeClient
import OrderedCollections
public import Resources

/// Status writes shared by the reconcilers: a status is written only when it differs from the
/// one the object has, and conditions keep their transition time while their state holds.
public enum StatusWriter {
    /// Replaces the status of `object` (of `kind`) with `status` unless it already is that;
    /// returns whether it wrote.
    @discardableResult
    public static func write(
        _ status: JSONValue, of object: Resource, kind: GroupVersionKind, client: KubernetesClient,
        fieldManager: String
    ) async throws -> Bool {
        guard object.status != status else { return false }
        _ = try await client.patch(
            kind, name: object.name, namespace: object.namespace,
            patch: [["op": "add", "path": "/status", "value": status]], type: .json, subresource: "status",
            options: WriteOptions(fieldManager: fieldManager))
        return true
    }

    /// `status` (an object, or nothing) with its `conditions` holding `condition` in place of
    /// the one of the same type; the other conditions stay.
    public static func setting(_ condition: JSONValue, in status: JSONValue?) -> JSONObject {
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
}

extension Resource {
    /// Whether `self` and `other` differ in more than their status and bookkeeping metadata
    /// (resourceVersion, managedFields): a write of status only is not a change of the object.
    public func differsBeyondStatus(from other: Resource) -> Bool {
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
