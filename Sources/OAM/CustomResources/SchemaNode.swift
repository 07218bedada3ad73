import OrderedCollections
import Resources

/// Constructors for the nodes of an OpenAPI v3 schema as `apiextensions.k8s.io/v1` wants them:
/// every node typed, so that the schema is structural.
///
/// ```swift
/// SchemaNode.object(["name": SchemaNode.string], required: ["name"])
/// // {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
/// ```
enum SchemaNode {
    static let string: JSONValue = ["type": "string"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let int32: JSONValue = ["type": "integer", "format": "int32"]
    static let int64: JSONValue = ["type": "integer", "format": "int64"]
    /// A Kubernetes `IntOrString` (also used for quantities such as `500m` or `1Gi`).
    static let intOrString: JSONValue = ["x-kubernetes-int-or-string": true]
    /// A list of strings.
    static let strings: JSONValue = array(string)
    /// A string-to-string map, such as a label selector's `matchLabels`.
    static let stringMap: JSONValue = ["type": "object", "additionalProperties": ["type": "string"]]
    /// An object whose fields are not checked and never pruned.
    static let freeForm: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    /// A whole Kubernetes object inside another (a Component's workload, an AppConfig's trait):
    /// the API server requires its `apiVersion` and `kind` and checks its `metadata`.
    static let embeddedResource: JSONValue = [
        "type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true,
    ]

    /// An object with these fields, in this order.
    static func object(
        _ properties: KeyValuePairs<String, JSONValue>, required: [String] = [], preserveUnknownFields: Bool = false
    ) -> JSONValue {
        var members: JSONObject = ["type": "object"]
        var fields: JSONObject = [:]
        for (name, schema) in properties { fields[name] = schema }
        members["properties"] = .object(fields)
        if !required.isEmpty { members["required"] = .array(required.map { .string($0) }) }
        if preserveUnknownFields { members["x-kubernetes-preserve-unknown-fields"] = true }
        return .object(members)
    }

    /// A list of `items`.
    static func array(_ items: JSONValue) -> JSONValue {
        ["type": "array", "items": items]
    }

    /// A string that must be one of `values`.
    static func string(oneOf values: [String]) -> JSONValue {
        ["type": "string", "enum": .array(values.map { .string($0) })]
    }

    /// A string that must match `pattern`.
    static func string(pattern: String) -> JSONValue {
        ["type": "string", "pattern": .string(pattern)]
    }

    /// `schema` with a `description`, which `kubectl explain` shows.
    static func described(_ description: String, _ schema: JSONValue) -> JSONValue {
        var schema = schema
        schema["description"] = .string(description)
        return schema
    }
}
