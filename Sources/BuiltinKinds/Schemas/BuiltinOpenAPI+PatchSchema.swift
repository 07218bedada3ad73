public import APIMachinery
public import Resources
import OrderedCollections

extension BuiltinOpenAPI {
    /// How strategic merge patch and server-side apply merge a built-in kind, read from the
    /// upstream schema: `x-kubernetes-patch-merge-key` and `x-kubernetes-patch-strategy` (the
    /// `patchStrategy`/`patchMergeKey` struct tags), `x-kubernetes-list-type`,
    /// `x-kubernetes-list-map-keys` and `x-kubernetes-map-type`. A struct field Go always
    /// writes (upstream marks it `default: {}`, or a required list) is always present. `nil` for
    /// a kind that is not built in.
    ///
    /// ```swift
    /// let schema = BuiltinKinds.openAPI.patchSchema(of: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))!
    /// schema.root.field("spec").field("template").field("spec").field("containers").list   // .map(keys: ["name"])
    /// ```
    public func patchSchema(of kind: GroupVersionKind) -> PatchSchema? {
        guard let name = schemaName(of: kind) else { return nil }
        var visiting: Set<String> = []
        var root = patchNode(named: name, visiting: &visiting)
        root.isAlwaysPresent = false
        return PatchSchema(root: root)
    }

    private func patchNode(named name: String, visiting: inout Set<String>) -> PatchSchema.Node {
        // A type inside itself (JSONSchemaProps) merges as a plain struct below the first level.
        guard !visiting.contains(name), let schema = schemas[name] else { return PatchSchema.Node() }
        visiting.insert(name)
        defer { visiting.remove(name) }
        return patchNode(schema, visiting: &visiting)
    }

    /// The node of a property: its own annotations over those of the schema it refers to.
    private func patchNode(_ schema: JSONValue, visiting: inout Set<String>) -> PatchSchema.Node {
        var node: PatchSchema.Node
        if let name = Self.referencedName(schema) {
            node = patchNode(named: name, visiting: &visiting)
        } else {
            node = PatchSchema.Node()
            if let properties = schema["properties"]?.objectValue {
                let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                for (field, property) in properties {
                    var child = patchNode(property, visiting: &visiting)
                    let isArray = property["type"]?.stringValue == "array"
                    child.isAlwaysPresent = property["default"] == [:] || (isArray && required.contains(field))
                    node.setField(field, child)
                }
            } else if schema["type"]?.stringValue == "object" {
                // A map (`additionalProperties`) or a value of any shape (RawExtension, FieldsV1).
                node.isMap = true
                if let values = schema["additionalProperties"], values.objectValue != nil {
                    node.setMapValue(patchNode(values, visiting: &visiting))
                }
            }
            if let items = schema["items"] {
                node.setElement(patchNode(items, visiting: &visiting))
            }
        }
        if schema["x-kubernetes-map-type"]?.stringValue == "atomic" { node.isAtomicObject = true }
        if schema["type"]?.stringValue == "array" {
            switch schema["x-kubernetes-list-type"]?.stringValue {
            case "set"?:
                node.list = .set
            case "map"?:
                let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
                node.list = .map(keys: keys)
                let element = resolved(schema["items"] ?? [:])
                for key in keys {
                    if let value = element["properties"]?[key]?["default"], value.stringValue?.isEmpty == false {
                        node.keyDefaults[key] = value
                    }
                }
            default:
                node.list = .atomic
            }
        }
        if let strategy = schema["x-kubernetes-patch-strategy"]?.stringValue {
            let strategies = strategy.split(separator: ",")
            if strategies.contains("merge") {
                node.patchStrategy = .merge(mergeKey: schema["x-kubernetes-patch-merge-key"]?.stringValue)
            } else if strategies.contains("replace") {
                node.patchStrategy = .replace
            }
            if strategies.contains("retainKeys") { node.retainKeys = true }
        }
        return node
    }
}
