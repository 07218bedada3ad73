/// A request that failed before the server could answer with a `Status`: the connection, TLS,
/// a response that is not what the API promises, or a kubeconfig whose credentials do not load.
///
/// Errors the server reports come as `Resources.APIError` instead.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    /// What failed, in a form callers can switch on.
    public enum Kind: Sendable, Hashable {
        /// The request did not reach the server, or the connection broke.
        case transport
        /// The server answered with something that is not a Kubernetes object or event.
        case invalidResponse
        /// The TLS material of the connection does not load.
        case configuration
        /// A type the server does not serve.
        case noMatch
    }

    public var kind: Kind
    /// The URL of the request, when there was one.
    public var url: String?
    public var message: String

    public init(_ kind: Kind, url: String? = nil, message: String) {
        self.kind = kind
        self.url = url
        self.message = message
    }

    /// `<url>: <message>`.
    public var description: String {
        if let url { return "\(url): \(message)" }
        return message
    }
}
