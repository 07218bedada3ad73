import APIMachinery
import BuiltinKinds
import Foundation
import OrderedCollections
import Resources
import Synchronization

extension APIHandler {
    /// How a write treats fields its kind does not have (`?fieldValidation=`).
    enum FieldValidation: String {
        /// 400 BadRequest `strict decoding error: unknown field "spec.x"`.
        case strict = "Strict"
        /// Dropped, each with a `Warning` header (kube-apiserver's default).
        case warn = "Warn"
        /// Dropped silently.
        case ignore = "Ignore"
    }

    /// The decoding step of a write, as kube-apiserver's decoder does it: a built-in kind is
    /// decoded as its Go type (from the upstream OpenAPI schema), so a value of the wrong type is
    /// a 400 and unknown fields are dropped; a custom kind's unknown fields are found from its
    /// structural schema (pruned later). Unknown fields then follow `fieldValidation`.
    func typed(_ object: Resource, _ served: ServedResource, _ request: APIRequest) throws -> Resource {
        let type = served.type
        let validation = try Self.fieldValidation(request)
        var typed = object
        let unknown: [String]
        if served.openAPIV3Schema == nil, let root = BuiltinTypeGraph.shared.root(of: type.groupVersionKind) {
            do {
                let decoded = try BuiltinTypeGraph.shared.decode(object.value, root: root)
                unknown = decoded.unknownFields
                if case .object(let members) = decoded.value { typed = Resource(object: members) }
            } catch {
                if request.method.uppercased() == "PATCH" { throw Self.invalidPatch(object.value, error.message) }
                throw APIError.badRequest(Self.cannotBeHandled(type, error.message))
            }
        } else if let schema = registry.schema(for: type), let openAPIV3Schema = served.openAPIV3Schema {
            // The structural schema's unknown fields, and those of the metadata of the object and
            // of its embedded resources, which kube decodes as ObjectMeta (listed first and last).
            let structural = schema.unknownFields(in: object.value)
            let pruned = OpenAPIKindSchema(root: openAPIV3Schema, components: Self.objectMetaSchemas, isCustomResource: true)
                .pruned(object.value)
            let known = Set(structural)
            let metadata = pruned.droppedFields.filter { !known.contains($0) }
            // kube lists the structural schema's in sorted order.
            unknown = metadata.filter { $0.hasPrefix("metadata.") } + structural.sorted()
                + metadata.filter { !$0.hasPrefix("metadata.") }
            // Pruned again with the schema's defaults when it is stored, which changes nothing more.
            if !metadata.isEmpty, case .object(let members) = pruned.value { typed = Resource(object: members) }
        } else {
            return object
        }
        guard !unknown.isEmpty else { return typed }
        switch validation {
        case .strict:
            throw APIError.badRequest(Self.cannotBeHandled(
                type, "strict decoding error: " + unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", ")))
        case .warn:
            for field in unknown { WarningRecorder.record("unknown field \"\(field)\"") }
        case .ignore:
            break
        }
        return typed
    }

    /// `Deployment in version "v1" cannot be handled as a Deployment: <reason>`.
    static func cannotBeHandled(_ type: ResourceType, _ reason: String) -> String {
        "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): \(reason)"
    }

    /// A patched object that does not decode: kube's 422 on the `patch` field, quoting the object.
    static func invalidPatch(_ patched: JSONValue, _ reason: String) -> APIError {
        let quoted = String(decoding: patched.jsonBytes(), as: UTF8.self)
            .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let cause = APIError.Cause(type: "FieldValueInvalid", message: "Invalid value: \"\(quoted)\": \(reason)", field: "patch")
        return APIError(code: 422, reason: .invalid, message: " \"\" is invalid: patch: \(cause.message)", causes: [cause])
    }

    /// Checks the configuration of a server-side apply before it is merged, as kube-apiserver
    /// does (structured-merge-diff): a field the schema does not declare or a value of the wrong
    /// kind is a 500 naming its path, whatever `fieldValidation` says —
    /// `failed to create typed patch object (ns/name; example.com/v1, Kind=Bar): .spec.foo: field
    /// not declared in schema`, the namespace and name those of the configuration. A custom
    /// resource is checked against its structural schema (with `ObjectMeta` for the metadata of
    /// the object and of its embedded resources), a built-in kind against its Go type.
    func checkApplyConfiguration(_ applied: JSONValue, _ served: ServedResource) throws {
        let type = served.type
        var errors: [String] = []
        if let schema = served.openAPIV3Schema {
            errors = OpenAPIKindSchema(root: schema, components: Self.objectMetaSchemas, isCustomResource: true)
                .applyConfigurationErrors(applied)
        } else if let root = BuiltinTypeGraph.shared.root(of: type.groupVersionKind),
                  let problem = BuiltinTypeGraph.shared.applyConfigurationProblem(applied, root: root) {
            errors = [problem]
        }
        guard !errors.isEmpty else { return }
        throw APIError(
            code: 500, reason: APIError.Reason(rawValue: ""),
            message: OpenAPIKindSchema.typedPatchFailure(errors, configuration: applied, kind: type.groupVersionKind))
    }

    /// `ObjectMeta` and the schemas it refers to, for checking custom resources.
    static let objectMetaSchemas: JSONObject = {
        var schemas = JSONObject()
        for (name, schema) in BuiltinKinds.openAPI.closure(of: [OpenAPIDocuments.objectMetaName]).sorted(by: { $0.key < $1.key }) {
            schemas[name] = schema
        }
        return schemas
    }()

    /// `?fieldValidation=`, Warn when absent; any other value is kube's 422 on the request's
    /// options (`CreateOptions`, `UpdateOptions`, `PatchOptions`).
    static func fieldValidation(_ request: APIRequest) throws -> FieldValidation {
        guard let value = request.query["fieldValidation"], !value.isEmpty else { return .warn }
        guard let validation = FieldValidation(rawValue: value) else {
            let options = switch request.method.uppercased() {
            case "POST": "CreateOptions"
            case "PUT": "UpdateOptions"
            default: "PatchOptions"
            }
            throw APIError.invalid(kind: options, group: "meta.k8s.io", name: "", causes: [APIError.Cause(
                type: "FieldValueNotSupported",
                message: "Unsupported value: \"\(value)\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
                field: "fieldValidation")])
        }
        return validation
    }

    /// The answer to `request` with the warnings its handling recorded.
    public func handleWithWarnings(_ request: APIRequest) async -> APIResponse {
        let recorder = WarningRecorder()
        let answer = await WarningRecorder.$current.withValue(recorder) { await handle(request) }
        let warnings = recorder.warnings
        return warnings.isEmpty ? answer : .warned(answer, warnings: warnings)
    }
}

/// The warnings of the request being handled (`unknown field "spec.x"`), which the server sends
/// back as `Warning: 299 - "…"` headers. Steps deep in the handling record into the task's
/// recorder instead of threading a list through every call.
final class WarningRecorder: Sendable {
    @TaskLocal static var current: WarningRecorder?

    private let recorded = Mutex<[String]>([])

    var warnings: [String] { recorded.withLock { $0 } }

    /// Adds a warning to the current request's, if a recorder listens; an empty one or one
    /// already recorded is dropped, as kube-apiserver's recorder does.
    static func record(_ warning: String) {
        guard !warning.isEmpty else { return }
        current?.recorded.withLock { if !$0.contains(warning) { $0.append(warning) } }
    }
}
