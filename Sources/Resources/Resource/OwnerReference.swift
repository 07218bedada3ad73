import OrderedCollections

/// A reference from an object to the object that owns it (`metadata.ownerReferences[]`).
public struct OwnerReference: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    /// Whether the owner is the managing controller; at most one reference may say so.
    public var controller: Bool?
    /// Whether the owner's foreground deletion waits for this object.
    public var blockOwnerDeletion: Bool?

    public init(
        apiVersion: String, kind: String, name: String, uid: String,
        controller: Bool? = nil, blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    /// Reads a reference; `nil` when a required string is missing.
    public init?(json: JSONValue) {
        guard let apiVersion = json["apiVersion"]?.stringValue, let kind = json["kind"]?.stringValue,
            let name = json["name"]?.stringValue
        else { return nil }
        self.init(
            apiVersion: apiVersion, kind: kind, name: name, uid: json["uid"]?.stringValue ?? "",
            controller: json["controller"]?.boolValue, blockOwnerDeletion: json["blockOwnerDeletion"]?.boolValue)
    }

    /// The reference as JSON, with the members in the order the API server prints them.
    public var json: JSONValue {
        var members: JSONObject = [
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
        ]
        if let controller { members["controller"] = .bool(controller) }
        if let blockOwnerDeletion { members["blockOwnerDeletion"] = .bool(blockOwnerDeletion) }
        return .object(members)
    }
}
