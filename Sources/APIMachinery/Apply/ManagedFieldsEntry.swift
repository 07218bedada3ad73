public import Resources
import OrderedCollections

/// One entry of `metadata.managedFields`: the fields one manager owns through one kind of
/// operation.
///
/// ```json
/// {"manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1",
///  "time": "2025-01-01T00:00:00Z", "fieldsType": "FieldsV1",
///  "fieldsV1": {"f:spec": {"f:replicas": {}}}}
/// ```
public struct ManagedFieldsEntry: Sendable, Hashable {
    /// The operation that gave a manager its fields.
    public enum Operation: String, Sendable, Hashable {
        case apply = "Apply"
        case update = "Update"
    }

    public var manager: String
    public var operation: Operation
    public var apiVersion: String
    /// RFC 3339, as kube-apiserver writes it (`2025-01-01T00:00:00Z`).
    public var time: String?
    /// `status` for writes through the status subresource.
    public var subresource: String?
    public var fields: FieldSet

    public init(
        manager: String, operation: Operation, apiVersion: String, time: String? = nil, subresource: String? = nil,
        fields: FieldSet
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    /// What makes two entries the same manager: the name, the operation, the subresource and,
    /// for updates, the API version (an applier keeps its fields across versions).
    struct Identity: Hashable {
        var manager: String
        var operation: Operation
        var apiVersion: String
        var subresource: String
    }

    var identity: Identity {
        Identity(
            manager: manager, operation: operation, apiVersion: operation == .apply ? "" : apiVersion,
            subresource: subresource ?? "")
    }

    /// How a conflict message names the manager: `"kubectl"`, `"kube-controller-manager" using
    /// apps/v1`, `"x" with subresource "status" using v1`.
    public var conflictName: String {
        var name = "\"\(manager)\""
        if let subresource, !subresource.isEmpty { name += " with subresource \"\(subresource)\"" }
        if operation == .update { name += " using \(apiVersion)" }
        return name
    }

    /// The entry as JSON, members in kube-apiserver's order.
    public var json: JSONValue {
        var members: JSONObject = [
            "manager": .string(manager), "operation": .string(operation.rawValue), "apiVersion": .string(apiVersion),
        ]
        if let time { members["time"] = .string(time) }
        members["fieldsType"] = "FieldsV1"
        members["fieldsV1"] = fields.fieldsV1
        if let subresource, !subresource.isEmpty { members["subresource"] = .string(subresource) }
        return .object(members)
    }

    /// Reads an entry; `nil` when it is malformed (unknown operation, no API version, a fields
    /// type other than `FieldsV1`).
    public init?(json: JSONValue) {
        guard let operation = json["operation"]?.stringValue.flatMap(Operation.init(rawValue:)),
            let apiVersion = json["apiVersion"]?.stringValue, !apiVersion.isEmpty,
            json["fieldsType"]?.stringValue == "FieldsV1"
        else { return nil }
        let fields = json["fieldsV1"].map { FieldSet(fieldsV1: $0) } ?? FieldSet()
        guard let fields else { return nil }
        self.init(
            manager: json["manager"]?.stringValue ?? "", operation: operation, apiVersion: apiVersion,
            time: json["time"]?.stringValue, subresource: json["subresource"]?.stringValue, fields: fields)
    }

    /// Apply entries first, then by time, manager, API version and subresource.
    static func precedes(_ a: ManagedFieldsEntry, _ b: ManagedFieldsEntry) -> Bool {
        if a.operation != b.operation { return a.operation == .apply }
        if (a.time ?? "") != (b.time ?? "") { return (a.time ?? "") < (b.time ?? "") }
        if a.manager != b.manager { return a.manager < b.manager }
        if a.apiVersion != b.apiVersion { return a.apiVersion < b.apiVersion }
        return (a.subresource ?? "") < (b.subresource ?? "")
    }
}

/// The managers of an object, keyed by identity, in the order they were read.
struct ManagedFields {
    var entries: OrderedDictionary<ManagedFieldsEntry.Identity, ManagedFieldsEntry> = [:]

    init() {}

    /// The entries of `metadata.managedFields`; entries of the same identity are merged.
    /// Malformed entries are dropped.
    init(object: JSONValue?) {
        for json in object?["metadata"]?["managedFields"]?.arrayValue ?? [] {
            guard let entry = ManagedFieldsEntry(json: json) else { continue }
            if var existing = entries[entry.identity] {
                existing.fields = existing.fields.union(entry.fields)
                existing.time = max(existing.time ?? "", entry.time ?? "")
                entries[entry.identity] = existing
            } else {
                entries[entry.identity] = entry
            }
        }
    }

    /// Whether the object lists managers at all.
    static func isPresent(in object: JSONValue?) -> Bool {
        !(object?["metadata"]?["managedFields"]?.arrayValue ?? []).isEmpty
    }

    /// Whether the object asks for its managers to be cleared (`managedFields: [{}]`).
    static func isReset(in object: JSONValue?) -> Bool {
        object?["metadata"]?["managedFields"] == [[:]]
    }

    mutating func removeEmpty() {
        entries.removeAll { $0.value.fields.isEmpty }
    }

    /// Writes the managers into `metadata.managedFields` of `object`, sorted as kube-apiserver
    /// sorts them; removes the member when there are none.
    func write(into object: inout JSONValue) {
        guard case .object(var members) = object else { return }
        object = .null
        members.withObject("metadata") { metadata in
            let sorted = entries.values.sorted(by: ManagedFieldsEntry.precedes)
            if sorted.isEmpty {
                metadata.removeValue(forKey: "managedFields")
            } else {
                metadata["managedFields"] = .array(sorted.map(\.json))
            }
        }
        object = .object(members)
    }

    /// `object` without `metadata.managedFields`.
    static func stripped(_ object: JSONValue) -> JSONValue {
        guard case .object(var members) = object, var metadata = members["metadata"]?.objectValue,
            metadata["managedFields"] != nil
        else { return object }
        members["metadata"] = .null
        metadata.removeValue(forKey: "managedFields")
        members["metadata"] = .object(metadata)
        return .object(members)
    }
}
