public import Resources
import OrderedCollections

extension PatchSchema {
    /// The schema of a custom resource, from the `openAPIV3Schema` of a CRD version.
    ///
    /// Reads `properties`, `items`, `additionalProperties`, `x-kubernetes-list-type`,
    /// `x-kubernetes-list-map-keys` (with key `default`s), `x-kubernetes-map-type`,
    /// `x-kubernetes-preserve-unknown-fields` and, where present, `x-kubernetes-patch-strategy`
    /// and `x-kubernetes-patch-merge-key`. `metadata` always has `ObjectMeta`'s semantics.
    ///
    /// ```swift
    /// let schema = PatchSchema(openAPIV3Schema: crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!)
    /// ```
    public init(openAPIV3Schema: JSONValue) {
        var root = Self.node(from: openAPIV3Schema)
        var metadata = root.children[.field("metadata")] ?? Node()
        metadata.isMap = false
        metadata.isAlwaysPresent = true
        let meta = PatchSchema(rules: Self.objectMetaRules(at: "metadata")).root.field("metadata")
        for (child, node) in meta.children { metadata.children[child] = node }
        root.setField("metadata", metadata)
        self.root = root
    }

    private static func node(from schema: JSONValue) -> Node {
        var node = Node()
        if let properties = schema["properties"]?.objectValue {
            for (name, property) in properties { node.setField(name, self.node(from: property)) }
        }
        switch schema["additionalProperties"] {
        case .object(let members)?:
            node.isMap = true
            node.setMapValue(self.node(from: .object(members)))
        case .bool(true)?:
            node.isMap = true
        default:
            break
        }
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true {
            // Members not in `properties` are of unknown shape: owned entry by entry.
            node.isMap = true
        }
        if schema["x-kubernetes-map-type"]?.stringValue == "atomic" {
            node.isAtomicObject = true
        }
        if let items = schema["items"] {
            node.setElement(self.node(from: items))
        }
        if schema["type"]?.stringValue == "array" {
            switch schema["x-kubernetes-list-type"]?.stringValue {
            case "set":
                node.list = .set
            case "map":
                let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
                node.list = .map(keys: keys)
                for key in keys {
                    if let value = schema["items"]?["properties"]?[key]?["default"] { node.keyDefaults[key] = value }
                }
            default:
                node.list = .atomic
            }
        }
        let strategies = (schema["x-kubernetes-patch-strategy"]?.stringValue ?? "").split(separator: ",")
        if strategies.contains("merge") {
            node.patchStrategy = .merge(mergeKey: schema["x-kubernetes-patch-merge-key"]?.stringValue)
        } else if strategies.contains("replace") {
            node.patchStrategy = .replace
        }
        node.retainKeys = strategies.contains("retainKeys")
        return node
    }
}
