public import APIMachinery
import Foundation
public import Resources
import OrderedCollections

extension BuiltinKinds {
    /// The upstream OpenAPI v3 `components.schemas` of the built-in group versions
    /// (`builtin-openapi.json`, written by `scripts/gen-builtin-openapi.py`), read from the
    /// bundle on first use.
    ///
    /// ```swift
    /// BuiltinKinds.openAPI.schemaName(of: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
    /// // "io.k8s.api.apps.v1.Deployment"
    /// ```
    public static var openAPI: BuiltinOpenAPI { BuiltinOpenAPI.shared }
}

/// The upstream schemas by name, and the kinds they describe.
public struct BuiltinOpenAPI: Sendable {
    /// `io.k8s.api.apps.v1.Deployment` → its schema, with descriptions and `$ref`s as upstream.
    public let schemas: [String: JSONValue]
    /// `apps/v1/Deployment` → `io.k8s.api.apps.v1.Deployment`.
    private let namesByKind: [String: String]

    /// Loaded once, the first time any caller asks (Swift runs a `static let` initialiser once,
    /// thread-safely).
    static let shared: BuiltinOpenAPI = {
        guard let url = Bundle.module.url(forResource: "builtin-openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url),
              let document = try? JSONValue(parsingJSON: data)
        else {
            preconditionFailure("the BuiltinKinds bundle lacks a readable builtin-openapi.json")
        }
        return BuiltinOpenAPI(schemas: document["schemas"]?.objectValue.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key, $0.value) }) } ?? [:])
    }()

    /// The schemas of a document shaped like `builtin-openapi.json`; tests build small ones.
    public init(schemas: [String: JSONValue]) {
        self.schemas = schemas
        var names: [String: String] = [:]
        for (name, schema) in schemas {
            for gvk in schema["x-kubernetes-group-version-kind"]?.arrayValue ?? [] {
                let key = Self.key(gvk["group"]?.stringValue ?? "", gvk["version"]?.stringValue ?? "",
                                   gvk["kind"]?.stringValue ?? "")
                names[key] = name   // upstream gives each kind one schema
            }
        }
        namesByKind = names
    }

    /// The schema name of a kind, or `nil` when the kind is not built in.
    public func schemaName(of kind: GroupVersionKind) -> String? {
        namesByKind[Self.key(kind.group, kind.version, kind.kind)]
    }

    /// The schema a `$ref` (`#/components/schemas/<name>`) or `allOf: [{$ref}]` points to, else
    /// `schema` itself.
    public func resolved(_ schema: JSONValue) -> JSONValue {
        guard let name = Self.referencedName(schema) else { return schema }
        return schemas[name] ?? [:]
    }

    /// The name `schema` refers to with `$ref` or `allOf: [{$ref}]`.
    public static func referencedName(_ schema: JSONValue) -> String? {
        let reference = schema["$ref"]?.stringValue
            ?? schema["allOf"]?.arrayValue?.first?["$ref"]?.stringValue
        guard let reference, reference.hasPrefix(refPrefix) else { return nil }
        return String(reference.dropFirst(refPrefix.count))
    }

    static let refPrefix = "#/components/schemas/"

    /// The schemas named, and every schema they reference, directly or not: what an OpenAPI
    /// document needs in `components.schemas` to describe those kinds.
    public func closure(of names: [String]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        var pending = names
        while let name = pending.popLast() {
            guard out[name] == nil, let schema = schemas[name] else { continue }
            out[name] = schema
            Self.collectReferences(schema, into: &pending)
        }
        return out
    }

    private static func collectReferences(_ value: JSONValue, into names: inout [String]) {
        switch value {
        case .object(let members):
            for (key, member) in members {
                if key == "$ref", let reference = member.stringValue, reference.hasPrefix(refPrefix) {
                    names.append(String(reference.dropFirst(refPrefix.count)))
                } else if key != "description" {
                    collectReferences(member, into: &names)
                }
            }
        case .array(let elements):
            for element in elements { collectReferences(element, into: &names) }
        default:
            break
        }
    }

    private static func key(_ group: String, _ version: String, _ kind: String) -> String {
        "\(group)/\(version)/\(kind)"
    }
}

extension BuiltinOpenAPI {
    /// These schemas as the OpenAPI v3 documents of the API server take them.
    public var components: OpenAPIDocuments.BuiltinComponents {
        // The bundled schemas are kube-apiserver v1.36.2's (scripts/gen-builtin-openapi.py).
        OpenAPIDocuments.BuiltinComponents(
            identity: "kube-apiserver v1.36.2", schemaName: { schemaName(of: $0) }, closure: { closure(of: $0) })
    }
}
