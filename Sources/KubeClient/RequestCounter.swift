import Synchronization

/// Counts a client's requests by Kubernetes verb and resource, as the API server's audit log
/// would name them: what a controller costs a cluster, for benchmarks and tests.
///
/// Give one to ``KubernetesClient/Options/requestCounter``; every request the client sends —
/// reads, writes, watches, discovery — is counted once when it is sent, and once more under
/// ``Count/failed`` when the server answered with an error status or did not answer.
///
/// ```swift
/// let counter = RequestCounter()
/// var options = KubernetesClient.Options()
/// options.requestCounter = counter
/// // … run the controllers …
/// for (key, count) in counter.counts() { print(key.verb, key.resource, count.sent) }
/// ```
public final class RequestCounter: Sendable {
    /// What a request did: `get`, `list`, `watch`, `create`, `update`, `patch`, `apply`,
    /// `delete` or `deletecollection`, on a resource (`deployments.apps`, `pods`, `pods/status`
    /// for a subresource, `discovery` for the API documents).
    public struct Key: Hashable, Sendable, Comparable {
        public var verb: String
        public var resource: String

        public init(verb: String, resource: String) {
            self.verb = verb
            self.resource = resource
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.resource, lhs.verb) < (rhs.resource, rhs.verb)
        }
    }

    /// How many requests of a key were sent, and how many of those failed.
    public struct Count: Sendable, Equatable {
        public var sent = 0
        public var failed = 0

        public init(sent: Int = 0, failed: Int = 0) {
            self.sent = sent
            self.failed = failed
        }
    }

    private let state = Mutex<[Key: Count]>([:])

    public init() {}

    /// The counts since the counter was made or last reset.
    public func counts() -> [Key: Count] { state.withLock { $0 } }

    /// The counts so far, and zero from now on.
    @discardableResult
    public func reset() -> [Key: Count] {
        state.withLock { counts in
            defer { counts = [:] }
            return counts
        }
    }

    func sent(_ key: Key) { state.withLock { $0[key, default: Count()].sent += 1 } }
    func failed(_ key: Key) { state.withLock { $0[key, default: Count()].failed += 1 } }

    /// The key of a request to `path` (`/api/v1/namespaces/shop/pods/web/status`,
    /// `/apis/apps/v1/deployments`…): its verb from the HTTP method (`GET`, `PATCH`…), the
    /// content type and whether it names an object, its resource from the path.
    public static func key(method: String, path: String, contentType: String? = nil, watch: Bool = false) -> Key {
        var segments = path.split(separator: "/").map(String.init)
        let group: String
        if segments.first == "api", segments.count >= 2 {
            group = ""
            segments.removeFirst(2)
        } else if segments.first == "apis", segments.count >= 3 {
            group = segments[1]
            segments.removeFirst(3)
        } else {
            return Key(verb: method == "GET" ? "get" : method.lowercased(), resource: "discovery")
        }
        // `namespaces/NS/RESOURCE…`, unless the namespace itself is the object (`namespaces/NS/status`).
        if segments.count >= 3, segments[0] == "namespaces", !(segments.count == 3 && ["status", "finalize"].contains(segments[2])) {
            segments.removeFirst(2)
        }
        guard let plural = segments.first else {
            return Key(verb: "get", resource: "discovery")
        }
        var resource = group.isEmpty ? plural : "\(plural).\(group)"
        if segments.count >= 3 { resource += "/" + segments[2] }
        let named = segments.count >= 2
        let verb = switch method {
        case "GET": watch ? "watch" : named ? "get" : "list"
        case "POST": "create"
        case "PUT": "update"
        case "PATCH": contentType == "application/apply-patch+yaml" ? "apply" : "patch"
        case "DELETE": named ? "delete" : "deletecollection"
        default: method.lowercased()
        }
        return Key(verb: verb, resource: resource)
    }
}
