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
