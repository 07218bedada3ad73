public import KubeClient
import OrderedCollections
public import Resources
import Synchronization

/// Status writes shared by the reconcilers: a status is written only when it differs from the
/// one the object has, and conditions keep their transition time while their state holds.
public enum StatusWriter {
    /// Replaces the status of `object` (of `kind`) with `status` unless it already is that;
    /// returns whether it wrote.
    ///
    /// `object` usually comes from a cache, which learns of a write only when its watch event
    /// arrives: a reconcile that runs before then (a child's event brought the object back)
    /// would send the same status again. So the status written over each state of an object is
    /// remembered, and not sent twice over the same state.
    @discardableResult
    public static func write(
        _ status: JSONValue, of object: Resource, kind: GroupVersionKind, client: KubernetesClient,
        fieldManager: String
    ) async throws -> Bool {
        guard object.status != status else { return false }
        let written = WrittenStatus.Key(object: object, kind: kind)
        if let written, recentlyWritten.status(over: written) == status { return false }
        _ = try await client.patch(
            kind, name: object.name, namespace: object.namespace,
            patch: [["op": "add", "path": "/status", "value": status]], type: .json, subresource: "status",
            options: WriteOptions(fieldManager: fieldManager))
        if let written { recentlyWritten.remember(status, over: written) }
        return true
    }

    /// The statuses written lately, by the state they were written over.
    static let recentlyWritten = WrittenStatus()

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

/// Statuses written over states of objects (an object's uid and resourceVersion, as read), so
/// that the same status is not sent again over the same state. Bounded: when full it starts
/// again empty — the entries that count are those of the last moments.
final class WrittenStatus: Sendable {
    struct Key: Hashable, Sendable {
        var kind: GroupVersionKind
        var uid: String
        var resourceVersion: String

        /// `nil` for an object without uid or resourceVersion (not read from a server).
        init?(object: Resource, kind: GroupVersionKind) {
            guard let uid = object.uid, let resourceVersion = object.resourceVersion else { return nil }
            self.kind = kind
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }

    private let entries = Mutex<[Key: JSONValue]>([:])
    let capacity: Int

    init(capacity: Int = 8_192) {
        self.capacity = max(1, capacity)
    }

    func status(over key: Key) -> JSONValue? {
        entries.withLock { $0[key] }
    }

    func remember(_ status: JSONValue, over key: Key) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = status
        }
    }
}
