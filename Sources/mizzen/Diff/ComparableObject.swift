import OrderedCollections
import Resources

/// An object as `diff` and `revisions` compare it: what a user wrote or would write, without
/// what the server and the controllers keep on it (status, managed fields, resource version,
/// uid, generation, timestamps, the controllers' bookkeeping annotations), members sorted by
/// key so that two reads of the same object print the same YAML.
enum ComparableObject {
    /// Metadata the server writes.
    static let serverMetadata: Set<String> = [
        "managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink",
        "deletionTimestamp", "deletionGracePeriodSeconds",
    ]

    /// Annotations of tools rather than users: the controllers' (`mizzen.oam.dev/…`, such as
    /// the applied-hash the reconcilers stamp) and kubectl's client-side apply record.
    static func isBookkeeping(annotation key: String) -> Bool {
        key.hasPrefix("mizzen.oam.dev/") || key == "kubectl.kubernetes.io/last-applied-configuration"
            || key == "deployment.kubernetes.io/revision"
    }

    /// `object` without status and server-managed fields, keys sorted.
    static func normalized(_ object: JSONValue) -> JSONValue {
        guard case .object(var members) = object else { return object }
        members.removeValue(forKey: "status")
        if case .object(var metadata)? = members["metadata"] {
            for key in serverMetadata { metadata.removeValue(forKey: key) }
            if case .object(var annotations)? = metadata["annotations"] {
                for key in annotations.keys where isBookkeeping(annotation: key) { annotations.removeValue(forKey: key) }
                metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
            }
            members["metadata"] = .object(metadata)
        }
        return sorted(.object(members))
    }

    /// `value` with the members of every object sorted by key.
    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var result = JSONObject(minimumCapacity: members.count)
            for key in members.keys.sorted() { result[key] = sorted(members[key]!) }
            return .object(result)
        case .array(let elements):
            return .array(elements.map(sorted))
        default:
            return value
        }
    }

    /// The normalised YAML of `object`; the empty string for none.
    static func yaml(_ object: JSONValue?) -> String {
        object.map { normalized($0).yamlString() } ?? ""
    }

    /// The two sides of a Secret with their `data` and `stringData` values hidden, as
    /// `kubectl diff` hides them: `***` where both sides hold the same value, `*** (before)` and
    /// `*** (after)` where they differ. Other objects are returned as they are.
    static func maskingSecrets(live: JSONValue?, desired: JSONValue?) -> (live: JSONValue?, desired: JSONValue?) {
        let kind = (desired ?? live)?["kind"]?.stringValue
        let apiVersion = (desired ?? live)?["apiVersion"]?.stringValue
        guard kind == "Secret", apiVersion == "v1" else { return (live, desired) }
        var live = live
        var desired = desired
        for field in ["data", "stringData"] {
            let before = live?[field]?.objectValue ?? [:]
            let after = desired?[field]?.objectValue ?? [:]
            func masked(_ values: JSONObject, other: JSONObject, label: String) -> JSONValue {
                var result = JSONObject(minimumCapacity: values.count)
                for (key, value) in values { result[key] = .string(other[key] == value ? "***" : "*** (\(label))") }
                return .object(result)
            }
            if live?[field] != nil { live = replacing(field, in: live, with: masked(before, other: after, label: "before")) }
            if desired?[field] != nil {
                desired = replacing(field, in: desired, with: masked(after, other: before, label: "after"))
            }
        }
        return (live, desired)
    }

    private static func replacing(_ field: String, in value: JSONValue?, with replacement: JSONValue) -> JSONValue? {
        guard case .object(var members)? = value else { return value }
        members[field] = replacement
        return .object(members)
    }
}
