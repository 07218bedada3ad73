import OrderedCollections

/// A Kubernetes API error: the `metav1.Status` an API server returns, as a Swift error.
///
/// The embedded API server sends these as its responses; the client turns responses back into
/// them, so callers test `error.reason == .notFound` wherever the error came from.
///
/// ```swift
/// throw APIError.notFound(kind: "Deployment", name: "web")
/// ```
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The machine-readable reason (`metav1.StatusReason`).
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let badRequest = Reason(rawValue: "BadRequest")
        public static let unauthorized = Reason(rawValue: "Unauthorized")
        public static let forbidden = Reason(rawValue: "Forbidden")
        public static let notFound = Reason(rawValue: "NotFound")
        public static let alreadyExists = Reason(rawValue: "AlreadyExists")
        public static let conflict = Reason(rawValue: "Conflict")
        public static let gone = Reason(rawValue: "Gone")
        public static let expired = Reason(rawValue: "Expired")
        public static let invalid = Reason(rawValue: "Invalid")
        public static let methodNotAllowed = Reason(rawValue: "MethodNotAllowed")
        public static let notAcceptable = Reason(rawValue: "NotAcceptable")
        public static let unsupportedMediaType = Reason(rawValue: "UnsupportedMediaType")
        public static let requestEntityTooLarge = Reason(rawValue: "RequestEntityTooLarge")
        public static let tooManyRequests = Reason(rawValue: "TooManyRequests")
        public static let internalError = Reason(rawValue: "InternalError")
        public static let serviceUnavailable = Reason(rawValue: "ServiceUnavailable")
        public static let timeout = Reason(rawValue: "Timeout")
    }

    /// One field-level problem (`metav1.StatusCause`).
    public struct Cause: Sendable, Hashable {
        /// `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldManagerConflict`…
        public var type: String
        public var message: String
        /// The field, as Kubernetes writes it (`spec.replicas`, `spec.containers[0].image`).
        public var field: String

        public init(type: String, message: String, field: String) {
            self.type = type
            self.message = message
            self.field = field
        }
    }

    /// The HTTP status code.
    public var code: Int
    public var reason: Reason
    public var message: String
    /// `details.kind`, `details.name`, `details.group` and the causes.
    public var kind: String?
    public var name: String?
    public var group: String?
    public var causes: [Cause]
    /// `details.retryAfterSeconds`.
    public var retryAfterSeconds: Int?
    /// Whether the Status carries `"details": {}` when there is nothing to put in it, as
    /// kube-apiserver's generic server responses (404 of an unserved path, 405, most 415s) do.
    public var keepsEmptyDetails = false

    public init(
        code: Int, reason: Reason, message: String, kind: String? = nil, name: String? = nil, group: String? = nil,
        causes: [Cause] = [], retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.kind = kind
        self.name = name
        self.group = group
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { message }

    // MARK: The errors every API server returns, worded as kube-apiserver words them.

    /// `<resource> "<name>" not found` (404).
    public static func notFound(resource: String, group: String = "", name: String) -> APIError {
        APIError(code: 404, reason: .notFound, message: "\(qualified(resource, group)) \"\(name)\" not found",
                 kind: resource, name: name, group: group)
    }

    /// `<resource> "<name>" already exists` (409).
    public static func alreadyExists(resource: String, group: String = "", name: String) -> APIError {
        APIError(code: 409, reason: .alreadyExists,
                 message: "\(qualified(resource, group)) \"\(name)\" already exists", kind: resource, name: name,
                 group: group)
    }

    /// A write that carried a stale resourceVersion (409).
    public static func conflict(resource: String, group: String = "", name: String, reason detail: String) -> APIError {
        APIError(code: 409, reason: .conflict,
                 message: "Operation cannot be fulfilled on \(qualified(resource, group)) \"\(name)\": \(detail)",
                 kind: resource, name: name, group: group)
    }

    /// An object that fails validation (422), with a cause per field.
    public static func invalid(kind: String, group: String = "", name: String, causes: [Cause]) -> APIError {
        let list = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
        return APIError(code: 422, reason: .invalid,
                        message: "\(qualified(kind, group)) \"\(name)\" is invalid: \(list)",
                        kind: kind, name: name, group: group, causes: causes)
    }

    /// A generic server response (`NewGenericServerResponse` in apimachinery): an answer about the
    /// request rather than an object, whose Status keeps an empty `details`.
    ///
    /// ```swift
    /// throw APIError.generic(code: 405, reason: .methodNotAllowed,
    ///                        message: "the server does not allow this method on the requested resource")
    /// ```
    public static func generic(code: Int, reason: Reason, message: String) -> APIError {
        var error = APIError(code: code, reason: reason, message: message)
        error.keepsEmptyDetails = true
        return error
    }

    /// A request the server cannot make sense of (400).
    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: .badRequest, message: message)
    }

    /// A watch or list from a resourceVersion older than the history kept (410).
    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: .expired, message: message)
    }

    /// A server-side failure (500).
    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: .internalError, message: "Internal error occurred: \(message)")
    }

    private static func qualified(_ resource: String, _ group: String) -> String {
        group.isEmpty ? resource : "\(resource).\(group)"
    }

    // MARK: Status objects

    /// The `metav1.Status` object for this error.
    public var status: JSONValue {
        var details: JSONObject = [:]
        // Go's `omitempty`: an empty name (a DeleteOptions, a generateName object) is left out.
        if let name, !name.isEmpty { details["name"] = .string(name) }
        if let group, !group.isEmpty { details["group"] = .string(group) }
        if let kind { details["kind"] = .string(kind) }
        if !causes.isEmpty {
            details["causes"] = .array(causes.map {
                ["reason": .string($0.type), "message": .string($0.message), "field": .string($0.field)]
            })
        }
        if let retryAfterSeconds { details["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
        var members: JSONObject = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message),
        ]
        // `omitempty`: a 500 from server-side apply has no reason.
        if !reason.rawValue.isEmpty { members["reason"] = .string(reason.rawValue) }
        if !details.isEmpty || keepsEmptyDetails { members["details"] = .object(details) }
        members["code"] = .int(Int64(code))
        return .object(members)
    }

    /// Reads a `metav1.Status` object; `nil` when `value` is not one.
    public init?(status value: JSONValue) {
        guard value["kind"]?.stringValue == "Status", let code = value["code"]?.intValue else { return nil }
        let details = value["details"]
        self.init(
            code: Int(code), reason: Reason(rawValue: value["reason"]?.stringValue ?? ""),
            message: value["message"]?.stringValue ?? "", kind: details?["kind"]?.stringValue,
            name: details?["name"]?.stringValue, group: details?["group"]?.stringValue,
            causes: details?["causes"]?.arrayValue?.map {
                Cause(type: $0["reason"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "",
                      field: $0["field"]?.stringValue ?? "")
            } ?? [],
            retryAfterSeconds: details?["retryAfterSeconds"]?.intValue.map(Int.init))
        keepsEmptyDetails = details?.objectValue?.isEmpty == true
    }
}
