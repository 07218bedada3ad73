public import Resources
import OrderedCollections

/// The Go types of the built-in kinds as kube-apiserver's JSON decoder sees them, built once from
/// the upstream schemas: structs with their fields, `map[string]T`, slices, scalars, and the
/// types that decode themselves (`intstr.IntOrString`, `resource.Quantity`, `metav1.Time`,
/// `[]byte`, `runtime.RawExtension`).
///
/// Nodes refer to each other by index, so recursive types (`JSONSchemaProps`) are finite.
///
/// ```swift
/// let graph = BuiltinTypeGraph.shared
/// let deployment = graph.root(of: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))!
/// let typed = try graph.decode(object, root: deployment)   // or throws a BuiltinTypeError
/// typed.unknownFields   // ["spec.x"]
/// ```
public struct BuiltinTypeGraph: Sendable {
    /// What Go decodes a value into.
    enum Shape: Sendable {
        /// A Go struct: its name (`DeploymentSpec`, for messages) and fields by JSON name.
        case structure(name: String, fields: [String: Int])
        /// `map[string]T`.
        case map(values: Int)
        /// `[]T`; `keys` are its `x-kubernetes-list-map-keys` (server-side apply names elements by them).
        case slice(elements: Int, keys: [String])
        case string
        case bool
        case integer(bits: Int)
        case float
        case intOrString
        case quantity
        /// `metav1.Time`, or `metav1.MicroTime` (`micro`).
        case time(micro: Bool)
        case bytes
        /// `runtime.RawExtension`, `apiextensions.JSON`, `FieldsV1`…: any JSON value.
        case any
    }

    struct Node: Sendable {
        var shape: Shape
        /// The Go type for messages: `v1.DeploymentSpec`, `[]v1.Container`, `map[string]string`.
        var goType: String
    }

    let nodes: [Node]
    /// Schema name → node.
    let named: [String: Int]
    let openAPI: BuiltinOpenAPI

    /// The graph of every upstream schema, built on first use.
    public static let shared = BuiltinTypeGraph(openAPI: BuiltinKinds.openAPI)

    public init(openAPI: BuiltinOpenAPI) {
        var builder = Builder(openAPI: openAPI)
        for name in openAPI.schemas.keys.sorted() { _ = builder.node(named: name) }
        nodes = builder.nodes
        named = builder.named
        self.openAPI = openAPI
    }

    /// The node of a built-in kind, or `nil` for a kind the upstream schemas do not describe.
    public func root(of kind: GroupVersionKind) -> Int? {
        openAPI.schemaName(of: kind).flatMap { named[$0] }
    }

    private struct Builder {
        let openAPI: BuiltinOpenAPI
        var nodes: [Node] = []
        var named: [String: Int] = [:]

        mutating func node(named name: String) -> Int {
            if let index = named[name] { return index }
            let index = nodes.count
            // A placeholder first, so that a type that contains itself finds its own index.
            nodes.append(Node(shape: .any, goType: ""))
            named[name] = index
            let schema = openAPI.schemas[name] ?? [:]
            nodes[index] = describe(schema, name: name)
            return index
        }

        mutating func node(for schema: JSONValue) -> Int {
            if let name = BuiltinOpenAPI.referencedName(schema) { return node(named: name) }
            let index = nodes.count
            nodes.append(Node(shape: .any, goType: ""))
            nodes[index] = describe(schema, name: nil)
            return index
        }

        private mutating func describe(_ schema: JSONValue, name: String?) -> Node {
            let goName = name.map(Self.goTypeName) ?? ""
            switch name {
            case "io.k8s.apimachinery.pkg.util.intstr.IntOrString"?: return Node(shape: .intOrString, goType: "intstr.IntOrString")
            case "io.k8s.apimachinery.pkg.api.resource.Quantity"?: return Node(shape: .quantity, goType: "resource.Quantity")
            default: break
            }
            if schema["format"]?.stringValue == "date-time" {
                return Node(shape: .time(micro: name?.hasSuffix(".MicroTime") == true), goType: goName.isEmpty ? "v1.Time" : goName)
            }
            switch schema["type"]?.stringValue {
            case "object"?:
                if let properties = schema["properties"]?.objectValue {
                    var fields: [String: Int] = [:]
                    for (field, property) in properties { fields[field] = node(for: property) }
                    let short = name.map { String($0.split(separator: ".").last ?? "") } ?? ""
                    return Node(shape: .structure(name: short, fields: fields), goType: goName)
                }
                if let values = schema["additionalProperties"], values.objectValue != nil {
                    let index = node(for: values)
                    return Node(shape: .map(values: index), goType: "map[string]" + nodes[index].goType)
                }
                return Node(shape: .any, goType: goName.isEmpty ? "map[string]interface {}" : goName)
            case "array"?:
                let index = node(for: schema["items"] ?? [:])
                let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
                return Node(shape: .slice(elements: index, keys: keys), goType: "[]" + nodes[index].goType)
            case "string"?:
                if schema["format"]?.stringValue == "byte" { return Node(shape: .bytes, goType: "[]uint8") }
                return Node(shape: .string, goType: "string")
            case "boolean"?:
                return Node(shape: .bool, goType: "bool")
            case "integer"?:
                let bits = schema["format"]?.stringValue == "int32" ? 32 : 64
                return Node(shape: .integer(bits: bits), goType: "int\(bits)")
            case "number"?:
                return Node(shape: .float, goType: "float64")
            default:
                return Node(shape: .any, goType: goName.isEmpty ? "interface {}" : goName)
            }
        }

        /// `io.k8s.api.apps.v1.DeploymentSpec` → `v1.DeploymentSpec`, as Go prints the type.
        static func goTypeName(_ name: String) -> String {
            name.split(separator: ".").suffix(2).joined(separator: ".")
        }
    }
}
