public import Resources
import OrderedCollections

/// A custom resource's `openAPIV3Schema`, read once and then used to check, prune and default
/// objects the way kube-apiserver does for custom resources.
///
/// Only the structural parts of the schema are read: `type`, `properties`, `items`,
/// `additionalProperties`, `required`, the value checks (`enum`, `minimum`/`maximum` and their
/// `exclusive…` flags, `minLength`/`maxLength`, `minItems`/`maxItems`, `pattern`), `nullable`,
/// `default` and the `x-kubernetes-int-or-string`, `x-kubernetes-preserve-unknown-fields` and
/// `x-kubernetes-embedded-resource` extensions. Logical junctors (`allOf`, `anyOf`, `oneOf`,
/// `not`) are not evaluated.
///
/// ```swift
/// let schema = StructuralSchema(openAPIV3Schema: version["schema"]?["openAPIV3Schema"] ?? [:])
/// let object = schema.applyDefaults(schema.prune(body))
/// let causes = schema.validate(object)   // empty when valid
/// ```
///
/// Build one per served version and keep it: patterns are compiled when the schema is read.
public struct StructuralSchema: Sendable {
    let root: SchemaNode

    /// Reads `openAPIV3Schema`. Parts that are not well-formed (a `properties` that is not an
    /// object, a `pattern` that does not compile) are ignored; ``CRDTypes/validate(_:)`` reports
    /// them when the CustomResourceDefinition is written.
    public init(openAPIV3Schema: JSONValue) {
        root = SchemaNode(openAPIV3Schema)
    }
}

/// One node of a structural schema. Immutable once built, so it is shared freely.
final class SchemaNode: Sendable {
    enum Additional: Sendable {
        /// `additionalProperties` absent.
        case unspecified
        /// `additionalProperties: true` or `false`.
        case allowed(Bool)
        case schema(SchemaNode)
    }

    let type: String?
    let properties: OrderedDictionary<String, SchemaNode>
    let required: [String]
    let items: SchemaNode?
    let additionalProperties: Additional
    let enumValues: [JSONValue]?
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool
    let minLength: Int?
    let maxLength: Int?
    let minItems: Int?
    let maxItems: Int?
    let pattern: CompiledPattern?
    let nullable: Bool
    let defaultValue: JSONValue?
    let intOrString: Bool
    let preserveUnknownFields: Bool
    let embeddedResource: Bool

    init(_ json: JSONValue) {
        type = json["type"]?.stringValue
        var properties = OrderedDictionary<String, SchemaNode>()
        for (name, child) in json["properties"]?.objectValue ?? [:] {
            properties[name] = SchemaNode(child)
        }
        self.properties = properties
        required = json["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        items = json["items"].flatMap { $0.objectValue != nil ? SchemaNode($0) : nil }
        switch json["additionalProperties"] {
        case .bool(let allowed)?: additionalProperties = .allowed(allowed)
        case .object(let members)?: additionalProperties = .schema(SchemaNode(.object(members)))
        default: additionalProperties = .unspecified
        }
        enumValues = json["enum"]?.arrayValue
        minimum = json["minimum"]?.doubleValue
        maximum = json["maximum"]?.doubleValue
        exclusiveMinimum = json["exclusiveMinimum"]?.boolValue ?? false
        exclusiveMaximum = json["exclusiveMaximum"]?.boolValue ?? false
        minLength = json["minLength"]?.intValue.map(Int.init)
        maxLength = json["maxLength"]?.intValue.map(Int.init)
        minItems = json["minItems"]?.intValue.map(Int.init)
        maxItems = json["maxItems"]?.intValue.map(Int.init)
        pattern = json["pattern"]?.stringValue.flatMap(CompiledPattern.init)
        nullable = json["nullable"]?.boolValue ?? false
        defaultValue = json["default"]
        intOrString = json["x-kubernetes-int-or-string"]?.boolValue ?? false
        preserveUnknownFields = json["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
        embeddedResource = json["x-kubernetes-embedded-resource"]?.boolValue ?? false
    }

    /// The schema of a member named `name` of an object this node describes: a declared property,
    /// else the `additionalProperties` schema.
    func member(_ name: String) -> SchemaNode? {
        if let property = properties[name] { return property }
        if case .schema(let schema) = additionalProperties { return schema }
        return nil
    }

    /// Whether members not declared in `properties` are kept (not pruned).
    var keepsUnknownMembers: Bool {
        if preserveUnknownFields { return true }
        switch additionalProperties {
        case .schema: return true
        case .allowed(let allowed): return allowed && properties.isEmpty
        case .unspecified: return false
        }
    }
}

/// A compiled `pattern`.
///
/// `Regex` is not `Sendable`, but a compiled `Regex` is an immutable value: its program is built
/// on first use behind an atomic one-time initialisation in the standard library. The
/// initialiser runs one match so that even that happens before the pattern is shared.
struct CompiledPattern: @unchecked Sendable {
    let source: String
    let regex: Regex<AnyRegexOutput>

    init?(_ source: String) {
        guard let regex = try? Regex(source) else { return nil }
        self.source = source
        self.regex = regex
        _ = "".contains(regex)
    }

    /// Whether the pattern matches somewhere in `text` (patterns are not anchored, as in kube).
    func matches(_ text: String) -> Bool {
        text.contains(regex)
    }
}
