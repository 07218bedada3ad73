import APIMachinery
import BuiltinKinds
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
                throw APIError.badRequest(Self.cannotBeHandled(type, error.message))
            }
        } else if let schema = registry.schema(for: type) {
            unknown = schema.unknownFields(in: object.value)
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

    static func fieldValidation(_ request: APIRequest) throws -> FieldValidation {
        guard let value = request.query["fieldValidation"], !value.isEmpty else { return .warn }
        guard let validation = FieldValidation(rawValue: value) else {
            throw APIError.badRequest(
                "fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got \"\(value)\"")
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

    /// Adds a warning to the current request's, if a recorder listens.
    static func record(_ warning: String) {
        current?.recorded.withLock { $0.append(warning) }
    }
}
