import NIOCore

/// An API server in the same process as its client — the embedded plane's: requests reach it as
/// calls, not over a socket, so there is no TLS, no HTTP framing and no connection pool between
/// them. Everything else is as over the network: the request carries the same method, path, query,
/// headers (the bearer token among them) and body; the answer carries the same status, headers and
/// bytes, so authentication, authorisation, limits, admission and the wire format all apply.
///
/// Give one to ``KubernetesClient/init(connection:options:logger:through:)``.
public protocol InProcessServer: Sendable {
    /// Answers one request. A watch answers at once with its status and headers; its events
    /// follow in ``InProcessResponse/Body/stream(_:)``, and ending the iteration ends the watch.
    func exchange(_ request: InProcessRequest) async -> InProcessResponse
}

/// A request to an ``InProcessServer``, as it would go over HTTP.
public struct InProcessRequest: Sendable {
    public var method: String
    /// The path, without the query.
    public var path: String
    /// The query, percent-encoded, without the `?`; empty when there is none.
    public var query: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, query: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by name in any case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The answer of an ``InProcessServer``.
public struct InProcessResponse: Sendable {
    public enum Body: Sendable {
        /// The whole body.
        case bytes(ByteBuffer)
        /// A body written as it is produced (a watch): chunks until the server ends it.
        case stream(AsyncThrowingStream<ByteBuffer, any Error>)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by name in any case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The whole body: a streamed one read to its end, at most `limit` bytes.
    ///
    /// - Throws: ``ClientError`` when the stream is longer than `limit`, or what the stream threw.
    func collect(upTo limit: Int, url: String) async throws -> ByteBuffer {
        switch body {
        case .bytes(let buffer):
            return buffer
        case .stream(let chunks):
            var all = ByteBuffer()
            for try await var chunk in chunks {
                guard all.readableBytes + chunk.readableBytes <= limit else {
                    throw ClientError(.invalidResponse, url: url, message: "the answer is larger than \(limit) bytes")
                }
                all.writeBuffer(&chunk)
            }
            return all
        }
    }
}
