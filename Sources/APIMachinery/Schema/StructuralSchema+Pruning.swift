public import Resources
import OrderedCollections

extension StructuralSchema {
    /// `object` without the members the schema does not declare, as kube-apiserver prunes custom
    /// resources before storing them.
    ///
    /// Members are kept where the schema says `x-kubernetes-preserve-unknown-fields: true` (and
    /// declared members below such a node are still pruned by their own schemas), where an
    /// `additionalProperties` schema describes them, and at the root (and in embedded resources)
    /// for `apiVersion`, `kind` and `metadata`.
    ///
    /// ```swift
    /// // properties: {spec: {type: object, properties: {size: {type: integer}}}}
    /// schema.prune(["spec": ["size": 3, "colour": "red"]])   // ["spec": ["size": 3]]
    /// ```
    public func prune(_ object: JSONValue) -> JSONValue {
        SchemaNode.prune(object, with: root, isRoot: true)
    }

    /// The paths of the members ``prune(_:)`` would remove (`spec.colour`,
    /// `spec.items[0].extra`), in document order: what a write with `fieldValidation=Strict`
    /// rejects with 400 `strict decoding error: unknown field "spec.colour", unknown field "…"`,
    /// and `fieldValidation=Warn` reports as `Warning: unknown field "spec.colour"` headers.
    public func unknownFields(in object: JSONValue) -> [String] {
        var paths: [String] = []
        SchemaNode.collectUnknown(object, with: root, at: "", isRoot: true, into: &paths)
        return paths
    }

    /// `object` with the schema's `default`s filled in, as kube-apiserver defaults custom
    /// resources: a missing member (or a `null` one whose schema is not `nullable`) gets its
    /// property's default, and defaulted values are themselves defaulted further down.
    ///
    /// ```swift
    /// // properties: {spec: {type: object, properties: {size: {type: integer, default: 1}}}}
    /// schema.applyDefaults(["spec": [:]])   // ["spec": ["size": 1]]
    /// ```
    public func applyDefaults(_ object: JSONValue) -> JSONValue {
        SchemaNode.applyDefaults(object, with: root)
    }
}

extension SchemaNode {
    static func prune(_ value: JSONValue, with schema: SchemaNode, isRoot: Bool = false) -> JSONValue {
        switch value {
        case .object(let members):
            let keepsEnvelope = isRoot || schema.embeddedResource
            var kept = JSONObject(minimumCapacity: members.count)
            for (name, member) in members {
                if keepsEnvelope, rootMembers.contains(name) {
                    kept[name] = member
                } else if let memberSchema = schema.member(name) {
                    kept[name] = prune(member, with: memberSchema)
                } else if schema.keepsUnknownMembers {
                    kept[name] = member
                }
            }
            return .object(kept)
        case .array(let elements):
            guard let items = schema.items else { return value }
            return .array(elements.map { prune($0, with: items) })
        default:
            return value
        }
    }

    static func collectUnknown(
        _ value: JSONValue, with schema: SchemaNode, at path: String, isRoot: Bool = false, into paths: inout [String]
    ) {
        switch value {
        case .object(let members):
            let keepsEnvelope = isRoot || schema.embeddedResource
            for (name, member) in members {
                if keepsEnvelope, rootMembers.contains(name) { continue }
                if let memberSchema = schema.member(name) {
                    collectUnknown(member, with: memberSchema, at: child(path, name), into: &paths)
                } else if !schema.keepsUnknownMembers {
                    paths.append(child(path, name))
                }
            }
        case .array(let elements):
            guard let items = schema.items else { return }
            for (index, element) in elements.enumerated() {
                collectUnknown(element, with: items, at: "\(path)[\(index)]", into: &paths)
            }
        default:
            return
        }
    }

    static func applyDefaults(_ value: JSONValue, with schema: SchemaNode) -> JSONValue {
        switch value {
        case .object(var members):
            for (name, property) in schema.properties {
                guard let defaultValue = property.defaultValue else { continue }
                let current = members[name]
                if current == nil || (current?.isNull == true && !property.nullable) {
                    members[name] = defaultValue
                }
            }
            for index in members.values.indices {
                let name = members.keys[index]
                guard let memberSchema = schema.member(name) else { continue }
                members.values[index] = applyDefaults(members.values[index], with: memberSchema)
            }
            return .object(members)
        case .array(let elements):
            guard let items = schema.items else { return value }
            return .array(elements.map { element in
                if element.isNull, !items.nullable, let defaultValue = items.defaultValue {
                    return applyDefaults(defaultValue, with: items)
                }
                return applyDefaults(element, with: items)
            })
        default:
            return value
        }
    }
}
