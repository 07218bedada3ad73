/// What a request path names (kube-apiserver's `RequestInfo`).
enum RequestTarget: Sendable, Hashable {
    case version
    case health(String)
    case openAPIv2
    case openAPIv3Root
    case openAPIv3(group: String, version: String)
    /// `/api`
    case coreVersions
    /// `/apis`
    case groups
    /// `/apis/{group}`
    case group(String)
    /// `/api/v1` or `/apis/{group}/{version}`
    case groupVersion(group: String, version: String)
    case resource(ResourceTarget)

    /// Parses the path of a request (without the query).
    static func parse(_ path: String) -> RequestTarget? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = parts.first else { return nil }
        switch first {
        case "version" where parts.count == 1: return .version
        case "healthz", "livez", "readyz": return .health(first)
        case "openapi":
            if parts == ["openapi", "v2"] { return .openAPIv2 }
            if parts == ["openapi", "v3"] { return .openAPIv3Root }
            if parts.count == 4, parts[1] == "v3", parts[2] == "api" { return .openAPIv3(group: "", version: parts[3]) }
            if parts.count == 5, parts[1] == "v3", parts[2] == "apis" {
                return .openAPIv3(group: parts[3], version: parts[4])
            }
            return nil
        case "api":
            if parts.count == 1 { return .coreVersions }
            if parts.count == 2 { return .groupVersion(group: "", version: parts[1]) }
            return ResourceTarget.parse(group: "", version: parts[1], rest: Array(parts[2...])).map(RequestTarget.resource)
        case "apis":
            if parts.count == 1 { return .groups }
            if parts.count == 2 { return .group(parts[1]) }
            if parts.count == 3 { return .groupVersion(group: parts[1], version: parts[2]) }
            return ResourceTarget.parse(group: parts[1], version: parts[2], rest: Array(parts[3...]))
                .map(RequestTarget.resource)
        default:
            return nil
        }
    }
}

/// A request for objects: `/{prefix}/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]`.
struct ResourceTarget: Sendable, Hashable {
    var group: String
    var version: String
    var namespace: String?
    var resource: String
    var name: String?
    var subresource: String?

    /// Subresources of a namespace, which kube-apiserver does not read as resources in it.
    static let namespaceSubresources: Set<String> = ["status", "finalize"]

    static func parse(group: String, version: String, rest: [String]) -> ResourceTarget? {
        var parts = rest[...]
        var namespace: String?
        if parts.first == "namespaces", parts.count > 1 {
            let candidate = parts[parts.startIndex + 1]
            if parts.count > 2, !namespaceSubresources.contains(parts[parts.startIndex + 2]) {
                namespace = candidate
                parts = parts.dropFirst(2)
            }
        }
        guard let resource = parts.first, parts.count <= 3 else { return nil }
        let name = parts.count > 1 ? parts[parts.startIndex + 1] : nil
        let subresource = parts.count > 2 ? parts[parts.startIndex + 2] : nil
        return ResourceTarget(
            group: group, version: version, namespace: namespace, resource: resource, name: name,
            subresource: subresource)
    }
}
