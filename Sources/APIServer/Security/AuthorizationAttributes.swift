import OrderedCollections
import Foundation
import Resources

/// What a request asks to do, as kube-apiserver's authorizers see it (`authorizer.Attributes`,
/// built by its `RequestInfoFactory`): a verb on a resource (group, resource, subresource,
/// namespace, name), or a verb on a non-resource path such as `/version` or `/apis`.
///
/// ```swift
/// AuthorizationAttributes(method: "GET", path: "/api/v1/namespaces/web/pods", query: [:])
/// // verb "list", resource "pods", namespace "web"
/// ```
public struct AuthorizationAttributes: Sendable, Hashable {
    public var verb: String
    public var isResourceRequest: Bool
    public var apiGroup = ""
    public var apiVersion = ""
    public var resource = ""
    public var subresource = ""
    public var namespace = ""
    public var name = ""
    /// The request path, for non-resource requests.
    public var path = ""

    public init(
        verb: String, isResourceRequest: Bool, apiGroup: String = "", apiVersion: String = "", resource: String = "",
        subresource: String = "", namespace: String = "", name: String = "", path: String = ""
    ) {
        self.verb = verb
        self.isResourceRequest = isResourceRequest
        self.apiGroup = apiGroup
        self.apiVersion = apiVersion
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.path = path
    }

    /// The attributes of an HTTP request, read from its path and query as kube-apiserver reads
    /// them: `/api/v1/…` and `/apis/<group>/<version>/…` with at least a resource are resource
    /// requests (GET without a name is `list`, or `watch` with `watch=true`; DELETE without a
    /// name is `deletecollection`; a `fieldSelector=metadata.name=x` names the object); every
    /// other path is a non-resource request whose verb is the lower-cased method.
    public init(method: String, path: String, query: [String: String]) {
        let parts = path.split(separator: "/").map(String.init)
        let method = method.uppercased()
        self.init(verb: method.lowercased(), isResourceRequest: false, path: path.isEmpty ? "/" : path)
        guard parts.count >= 3, parts[0] == "api" || parts[0] == "apis" else { return }
        var rest = parts.dropFirst()
        if parts[0] == "apis" {
            guard parts.count >= 4 else { return }
            apiGroup = rest.removeFirst()
        }
        apiVersion = rest.removeFirst()
        isResourceRequest = true
        self.path = path
        if let first = rest.first, first == "watch" || first == "proxy" {
            guard rest.count >= 2 else {
                // kube reads `/api/v1/watch` as a non-resource request.
                self = AuthorizationAttributes(verb: method.lowercased(), isResourceRequest: false, path: path)
                return
            }
            verb = first
            rest = rest.dropFirst()
        } else {
            switch method {
            case "POST": verb = "create"
            case "GET", "HEAD": verb = "get"
            case "PUT": verb = "update"
            case "PATCH": verb = "patch"
            case "DELETE": verb = "delete"
            default: verb = ""
            }
        }
        var segments = Array(rest)
        if segments.first == "namespaces", segments.count > 1 {
            namespace = segments[1]
            if segments.count > 2, !["status", "finalize"].contains(segments[2]) {
                segments = Array(segments.dropFirst(2))
            }
        }
        if segments.count >= 1 { resource = segments[0] }
        if segments.count >= 2 { name = segments[1] }
        if segments.count >= 3 { subresource = segments[2] }
        if name.isEmpty, verb == "get" {
            let watch = query["watch"].map { $0 == "true" || $0 == "1" } ?? false
            verb = watch ? "watch" : "list"
            if let selected = Self.exactName(query["fieldSelector"]) { name = selected }
        }
        if name.isEmpty, verb == "delete" { verb = "deletecollection" }
    }

    /// The name a field selector requires exactly (`metadata.name=x` or `metadata.name==x`, alone
    /// or among other requirements), when it is a valid path segment.
    static func exactName(_ selector: String?) -> String? {
        guard let selector else { return nil }
        for requirement in selector.split(separator: ",") {
            for op in ["==", "="] {
                guard let range = requirement.range(of: op) else { continue }
                let key = requirement[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                guard key == "metadata.name", !requirement[..<range.lowerBound].hasSuffix("!") else { break }
                let value = requirement[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if !value.isEmpty, value != ".", value != "..", !value.contains("/"), !value.contains("%") {
                    return value
                }
                break
            }
        }
        return nil
    }

    /// kube-apiserver's 403 for a request its authorizers do not allow, with `reason` after
    /// the message when there is one:
    /// `pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "web"`.
    public func forbidden(user: String, reason: String = "") -> APIError {
        var message: String
        if isResourceRequest {
            let target = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
            message = "User \(Self.quoted(user)) cannot \(verb) resource \(Self.quoted(target)) in API group \(Self.quoted(apiGroup))"
            message += namespace.isEmpty ? " at the cluster scope" : " in the namespace \(Self.quoted(namespace))"
        } else {
            message = "User \(Self.quoted(user)) cannot \(verb) path \(Self.quoted(path))"
        }
        if !reason.isEmpty { message += ": \(reason)" }
        let qualified = apiGroup.isEmpty ? resource : "\(resource).\(apiGroup)"
        let text: String
        if qualified.isEmpty {
            text = "forbidden: \(message)"
        } else if name.isEmpty {
            text = "\(qualified) is forbidden: \(message)"
        } else {
            text = "\(qualified) \(Self.quoted(name)) is forbidden: \(message)"
        }
        var error = APIError(
            code: 403, reason: .forbidden, message: text, kind: resource.isEmpty ? nil : resource, name: name,
            group: apiGroup)
        error.keepsEmptyDetails = true
        return error
    }

    /// Go's `%q` of a string.
    static func quoted(_ text: String) -> String { FieldErrorsQuote.quote(text) }
}

/// Go's `strconv.Quote` for the few characters names can hold.
enum FieldErrorsQuote {
    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
