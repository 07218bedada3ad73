import OrderedCollections

/// An object without the fields its kind's schema does not declare, and the paths of what went.
public struct PrunedObject: Sendable, Equatable {
    /// The object as a create would store it (before defaulting).
    public var value: JSONValue
    /// The dropped fields in document order, as kube-apiserver names them in its
    /// `unknown field "…"` warnings: `spec.foo`, `spec.items[0].extra`, `metadata.bogus`.
    public var droppedFields: [String]

    public init(value: JSONValue, droppedFields: [String]) {
        self.value = value
        self.droppedFields = droppedFields
    }
}

extension OpenAPIKindSchema {
    /// `object` without the fields the schema does not declare, as kube-apiserver drops them on a
    /// create: a built-in kind's unknown fields are not decoded into its Go type, a custom
    /// resource's are pruned by its structural schema.
    ///
    /// Kept: declared fields; members described by `additionalProperties`; members of an object
    /// that says `x-kubernetes-preserve-unknown-fields: true` (declared members below it are
    /// still pruned by their own schemas); `apiVersion`, `kind` and `metadata` of the object and
    /// of embedded resources (`metadata` pruned as `ObjectMeta`); anything under a schema without
    /// a type (int-or-string, untyped) and, in a named (Go) schema, under an object without
    /// `properties` (`RawExtension`). Dropped: any other member — in a custom resource's own
    /// schema that includes every member of an object declaring no `properties`.
    ///
    /// ```swift
    /// // spec: {type: object, properties: {replicas: {type: integer}}}
    /// schema.pruned(["spec": ["replicas": 1, "foo": "x"]])
    /// // PrunedObject(value: ["spec": ["replicas": 1]], droppedFields: ["spec.foo"])
    /// ```
    public func pruned(_ object: JSONValue) -> PrunedObject {
        var dropped: [String] = []
        let value = prune(object, root, path: "", inNamedSchema: !isCustomResource, isRoot: true, dropped: &dropped)
        return PrunedObject(value: value, droppedFields: dropped)
    }

    private func prune(
        _ value: JSONValue, _ schema: JSONValue, path: String, inNamedSchema: Bool, isRoot: Bool = false,
        dropped: inout [String]
    ) -> JSONValue {
        let (resolved, named) = resolve(schema)
        let goTyped = inNamedSchema || named
        switch value {
        case .object(let members):
            let preserves = resolved["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            let declaresMembers = resolved["properties"]?.objectValue != nil
            let additional = resolved["additionalProperties"]
            let typed = resolved["type"]?.stringValue != nil
            var kept = JSONObject(minimumCapacity: members.count)
            for (name, member) in members {
                let childPath = Self.member(path, name)
                if let declared = property(name, of: resolved, isRoot: isRoot) {
                    kept[name] = prune(member, declared, path: childPath, inNamedSchema: goTyped, dropped: &dropped)
                } else if case .object? = additional {
                    kept[name] = prune(member, additional!, path: childPath, inNamedSchema: goTyped, dropped: &dropped)
                } else if additional?.boolValue == true || preserves {
                    kept[name] = member
                } else if !declaresMembers, additional == nil, goTyped || !typed {
                    // A Go type without fields (RawExtension), or a schema that types nothing.
                    kept[name] = member
                } else {
                    dropped.append(childPath)
                }
            }
            return .object(kept)
        case .array(let elements):
            guard let items = resolved["items"], items.objectValue != nil else { return value }
            return .array(elements.enumerated().map { index, element in
                prune(element, items, path: "\(path)[\(index)]", inNamedSchema: goTyped, dropped: &dropped)
            })
        default:
            return value
        }
    }
}
