import OrderedCollections

/// One kind's schema as a server publishes it in an OpenAPI v3 group-version document
/// (`GET /openapi/v3/apis/<group>/<version>`): the kind's schema in `components.schemas`, marked
/// with `x-kubernetes-group-version-kind`, and the named schemas it refers to with `$ref`
/// (`ObjectMeta`, `PodSpec`…).
///
/// It answers what the server does with the fields of an object of that kind: which fields a
/// create keeps (``pruned(_:)``) and which a server-side apply refuses
/// (``applyConfigurationErrors(_:)``). Custom resources and built-in kinds read differently where
/// kube-apiserver treats them differently: a custom resource's own (inline) schema is structural
/// (an object without `properties` keeps nothing unless it preserves unknown fields), while a
/// named schema is a Go type (an object without `properties`, such as `RawExtension`, keeps
/// anything).
///
/// ```swift
/// let document = try await client.openAPIV3Document(path)
/// let schema = OpenAPIKindSchema(document: document, kind: GroupVersionKind(group: "example.com", version: "v1", kind: "Bar"))
/// schema?.pruned(object).droppedFields   // ["spec.foo"]
/// ```
public struct OpenAPIKindSchema: Sendable {
    /// The kind's own schema.
    public let root: JSONValue
    /// Named schemas by name, for `$ref` (`#/components/schemas/<name>`).
    public let components: JSONObject
    /// Whether the kind is a custom resource, whose inline schema is structural.
    public let isCustomResource: Bool

    /// The schema `root` with the named schemas `components`.
    public init(root: JSONValue, components: JSONObject, isCustomResource: Bool) {
        self.root = root
        self.components = components
        self.isCustomResource = isCustomResource
    }

    /// The schema of `kind` in an OpenAPI v3 group-version `document`, or `nil` when the document
    /// has none for it. The kind is a custom resource unless its schema has an upstream name
    /// (`io.k8s.api.…`, `io.k8s.apimachinery.…`, `io.k8s.apiextensions-apiserver.…`,
    /// `io.k8s.kube-aggregator.…`).
    public init?(document: JSONValue, kind: GroupVersionKind) {
        guard let components = document["components"]?["schemas"]?.objectValue else { return nil }
        for (name, schema) in components {
            let kinds = schema["x-kubernetes-group-version-kind"]?.arrayValue ?? []
            guard kinds.contains(where: {
                $0["group"]?.stringValue ?? "" == kind.group && $0["version"]?.stringValue == kind.version
                    && $0["kind"]?.stringValue == kind.kind
            }) else { continue }
            self.init(root: schema, components: components, isCustomResource: !Self.isUpstreamName(name))
            return
        }
        return nil
    }

    /// Whether `name` is the name of a schema of kube-apiserver's own types.
    static func isUpstreamName(_ name: String) -> Bool {
        ["io.k8s.api.", "io.k8s.apimachinery.", "io.k8s.apiextensions-apiserver.", "io.k8s.kube-aggregator."]
            .contains { name.hasPrefix($0) }
    }

    /// The schema `$ref` names: `{"$ref": "#/components/schemas/X"}` or
    /// `{"allOf": [{"$ref": "#/components/schemas/X"}], "description": …}`.
    static func referencedName(_ schema: JSONValue) -> String? {
        var reference = schema["$ref"]?.stringValue
        if reference == nil, let allOf = schema["allOf"]?.arrayValue, allOf.count == 1 {
            reference = allOf[0]["$ref"]?.stringValue
        }
        guard let reference, let slash = reference.lastIndex(of: "/") else { return nil }
        return String(reference[reference.index(after: slash)...])
    }

    /// `schema` with a `$ref` followed; `named` tells whether it came from a named schema.
    func resolve(_ schema: JSONValue) -> (schema: JSONValue, named: Bool) {
        var current = schema
        var named = false
        // A reference may name another reference; a few hops at most in practice.
        for _ in 0..<8 {
            guard let name = Self.referencedName(current) else { break }
            guard let target = components[name] else { return ([:], true) }
            current = target
            named = true
        }
        return (current, named)
    }

    /// The schema `ObjectMeta` has in this document, when it has one.
    var objectMeta: JSONValue? {
        components["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
    }

    /// The members an embedded resource (`x-kubernetes-embedded-resource`) has whether its
    /// schema declares them or not, as kube-apiserver publishes them.
    func embeddedEnvelope(_ name: String) -> JSONValue? {
        switch name {
        case "apiVersion", "kind": return ["type": "string"]
        case "metadata":
            return objectMeta == nil
                ? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
                : ["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
        default: return nil
        }
    }

    /// The schema of member `name` declared by `schema`: the envelope of the object itself
    /// (`isRoot`) and of an embedded resource (`x-kubernetes-embedded-resource`), which the server
    /// publishes whatever the CRD says, else its `properties`.
    func property(_ name: String, of schema: JSONValue, isRoot: Bool) -> JSONValue? {
        if isRoot || schema["x-kubernetes-embedded-resource"]?.boolValue == true, let envelope = embeddedEnvelope(name) {
            return envelope
        }
        return schema["properties"]?[name]
    }

    /// A path with a member appended: `spec` + `foo` → `spec.foo`.
    static func member(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : path + "." + name
    }
}
