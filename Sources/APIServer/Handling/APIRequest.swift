import OrderedCollections
import Foundation
import Resources

/// A request as the API logic sees it, independent of the HTTP library.
public struct APIRequest: Sendable {
    public var method: String
    /// The path, without the query.
    public var path: String
    /// Query parameters; a repeated parameter keeps its first value.
    public var query: [String: String]
    public var accept: String
    public var contentType: String
    public var userAgent: String
    public var body: [UInt8]
    /// Who sends the request, once authenticated (and impersonation applied); requests made
    /// in-process by the plane itself act as the admin.
    public var user: UserInfo = .admin
    /// Whether a list may be answered with its items as the store holds them
    /// (``APIResponse/encodedList(envelope:items:)``), not decoded: the HTTP server sets it, since
    /// it writes them out as they are; callers that read answers as values leave it off.
    public var takesEncodedItems = false

    public init(method: String, path: String, query: [String: String] = [:], accept: String = "application/json",
                contentType: String = "application/json", userAgent: String = "", body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.accept = accept
        self.contentType = contentType
        self.userAgent = userAgent
        self.body = body
    }

    /// Splits `path?query` and decodes the query.
    public static func parseQuery(_ text: Substring) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecoded(parts[0])
            let value = parts.count > 1 ? percentDecoded(parts[1]) : ""
            if out[key] == nil { out[key] = value }
        }
        return out
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether a Boolean query parameter is set (`watch=1`, `watch=true`).
    func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return value == "1" || value.lowercased() == "true"
    }

    /// The field manager of a write: `fieldManager`, else the user agent's program name as
    /// kube-apiserver derives it (`kubectl/v1.32.4 (linux/amd64)…` → `kubectl`).
    var fieldManager: String {
        if let manager = query["fieldManager"], !manager.isEmpty { return manager }
        let program = userAgent.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return program.isEmpty ? "unknown" : program
    }

    var isDryRun: Bool { query["dryRun"] == "All" }
}

/// What the API logic answers.
public enum APIResponse: Sendable {
    /// A JSON document with its status code and content type.
    case json(status: Int, body: JSONValue, contentType: String)
    /// A stream of watch events, each a JSON object written on its own line.
    case watch(AsyncThrowingStream<JSONValue, any Error>, contentType: String)
    /// A list (200, JSON) whose items are JSON documents as the store holds them, written as
    /// they are: `envelope` is the list without its `items`. Only for requests that take them
    /// (``APIRequest/takesEncodedItems``).
    case encodedList(envelope: JSONObject, items: [Data])
    /// An answer with warnings for the client, sent as `Warning: 299 - "…"` headers
    /// (``APIHandler/handleWithWarnings(_:)``; ``APIHandler/handle(_:)`` never wraps).
    indirect case warned(APIResponse, warnings: [String])

    static func ok(_ body: JSONValue, contentType: String = "application/json") -> APIResponse {
        .json(status: 200, body: body, contentType: contentType)
    }

    static func error(_ error: APIError) -> APIResponse {
        .json(status: error.code, body: error.status, contentType: "application/json")
    }

    /// The answer with an encoded list decoded into a value, for readers of values.
    var decoded: APIResponse {
        switch self {
        case .encodedList(var envelope, let items):
            envelope["items"] = .array(items.map { (try? JSONValue(parsingJSON: $0)) ?? .null })
            return .ok(.object(envelope))
        case .warned(let inner, let warnings):
            return .warned(inner.decoded, warnings: warnings)
        case .json, .watch:
            return self
        }
    }

    /// The bytes of an encoded list: the envelope's members, then `"items"` with each item as
    /// it is.
    static func listBytes(envelope: JSONObject, items: [Data]) -> [UInt8] {
        var bytes = JSONValue.object(envelope).jsonBytes()
        bytes.reserveCapacity(bytes.count + items.reduce(16) { $0 + $1.count + 1 })
        bytes.removeLast()  // the envelope's closing brace
        bytes.append(contentsOf: envelope.isEmpty ? Array(#""items":["#.utf8) : Array(#","items":["#.utf8))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: item)
        }
        bytes.append(contentsOf: Array("]}".utf8))
        return bytes
    }
}

/// What an admission step is asked about.
public enum AdmissionOperation: String, Sendable {
    case create = "CREATE"
    case update = "UPDATE"
}

/// A step every create and update passes through before it is stored, as admission webhooks do
/// in a cluster: it may change the object (mutation) or refuse it with an ``APIError``.
public protocol AdmissionController: Sendable {
    /// The object to store.
    ///
    /// - Throws: ``APIError`` (usually 422 Invalid or 403 Forbidden) to refuse the request.
    func admit(_ object: Resource, old: Resource?, operation: AdmissionOperation, type: ResourceType) async throws
        -> Resource
}

extension AdmissionController {
    /// Tells the client `warning` with the answer to the request being admitted, as a
    /// `Warning: 299 - "…"` header — what kube-apiserver does with an admission webhook's
    /// `warnings` (unprefixed; the same text twice is sent once). Call it from ``admit(_:old:operation:type:)``.
    ///
    /// ```swift
    /// warn("spec.components[0].componentName: component \"web\" not found")
    /// ```
    public func warn(_ warning: String) {
        WarningRecorder.record(warning)
    }
}
