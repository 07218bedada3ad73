import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Resources

/// Sends requests to one API server: URL building, the bearer token, the rate limit, and the
/// translation of failures into `APIError` (the server said no) or ``ClientError`` (it could not).
///
/// Requests go over HTTP(S), or — for a server in the same process (``InProcessServer``) — as
/// calls with the same method, path, query, headers and body; the answers are read the same way.
struct Transport: Sendable {
    /// The HTTP client; `nil` when requests go to ``server``.
    let http: HTTPClient?
    /// The server in this process that answers instead of the network, if any.
    var server: (any InProcessServer)? = nil
    let connection: ClusterConnection
    let tokens: TokenSource
    let limiter: RateLimiter<ContinuousClock>?
    let requestTimeout: Duration
    let userAgent: String
    let logger: Logger
    let metrics: RequestMetrics
    /// Counts requests by verb and resource, when the client's options gave one.
    var counter: RequestCounter? = nil

    /// The largest response body read into memory, and the longest watch line.
    static let maximumBodyBytes = 64 * 1024 * 1024

    /// `server + path + ?query`, with the query percent-encoded.
    func url(_ path: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return connection.server + path }
        return connection.server + path + "?" + Self.queryString(query)
    }

    /// `name=value&…`, percent-encoded.
    static func queryString(_ query: [(String, String)]) -> String {
        query.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }.joined(separator: "&")
    }

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return out
    }

    /// The headers of every request: JSON accepted, the user agent, the bearer token, and the
    /// body's type when there is one.
    private func headers(body: [UInt8]?, contentType: String?) -> [(name: String, value: String)] {
        var headers = [(name: "Accept", value: "application/json"), (name: "User-Agent", value: userAgent)]
        if let token = tokens.current() { headers.append((name: "Authorization", value: "Bearer \(token)")) }
        if body != nil { headers.append((name: "Content-Type", value: contentType ?? "application/json")) }
        return headers
    }

    private func request(
        _ method: HTTPMethod, _ url: String, body: [UInt8]?, contentType: String?
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for header in headers(body: body, contentType: contentType) { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return request
    }

    private func inProcessRequest(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], body: [UInt8]?, contentType: String?
    ) -> InProcessRequest {
        InProcessRequest(
            method: method.rawValue, path: path, query: Self.queryString(query),
            headers: headers(body: body, contentType: contentType), body: body ?? [])
    }

    /// Sends a request and reads its whole answer, waiting out a 429's `Retry-After` (see ``RetryAfter``).
    private func roundTrip(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], url: String, body: [UInt8]?, contentType: String?
    ) async throws -> (code: Int, body: ByteBuffer) {
        let deadline = NIODeadline.now() + .nanoseconds(requestTimeout.nanoseconds)
        if let server {
            let request = inProcessRequest(method, path, query: query, body: body, contentType: contentType)
            let response = try await honouringRetryAfter(url: url, deadline: deadline) {
                let response = await server.exchange(request)
                return (response, response.status, response.header("Retry-After"))
            }
            return (response.status, try await response.collect(upTo: Self.maximumBodyBytes, url: url))
        }
        guard let http else { preconditionFailure("a transport has an HTTP client or an in-process server") }
        let request = request(method, url, body: body, contentType: contentType)
        let response = try await honouringRetryAfter(url: url, deadline: deadline) {
            let response = try await http.execute(request, deadline: deadline, logger: logger)
            return (response, Int(response.status.code), response.headers.first(name: "Retry-After"))
        } discard: { response in
            // The refusal's body is small; read it so that the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
        }
        return (Int(response.status.code), try await response.body.collect(upTo: Self.maximumBodyBytes))
    }

    /// Sends a request and returns the JSON of a 2xx answer.
    ///
    /// - Throws: `APIError` for an error status (the server's `Status`, or one made from the
    ///   code), ``ClientError`` when the server cannot be reached or answers with something else.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        contentType: String? = nil
    ) async throws -> JSONValue {
        try await send(method, path, query: query, body: body, contentType: contentType) { bytes throws(JSONSyntaxError) in
            try JSONValue(parsingJSON: bytes)
        }
    }

    /// Sends a request and returns what `parse` makes of the bytes of a 2xx answer (a
    /// ``FieldProjection`` decoding part of it).
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        contentType: String? = nil, parse: (UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue
    ) async throws -> JSONValue {
        let url = url(path, query)
        if let limiter { try await limiter.wait() }
        let counted = counter.map { ($0, RequestCounter.key(method: method.rawValue, path: path, contentType: contentType)) }
        if let (counter, key) = counted { counter.sent(key) }
        let start = ContinuousClock.now
        let code: Int
        let bytes: ByteBuffer
        do {
            (code, bytes) = try await roundTrip(method, path, query: query, url: url, body: body, contentType: contentType)
        } catch {
            metrics.record(verb: method.rawValue, error: error, since: start)
            if let (counter, key) = counted { counter.failed(key) }
            throw Self.transportError(error, method: method, url: url)
        }
        metrics.record(verb: method.rawValue, code: code, since: start)
        guard (200..<300).contains(code) else {
            if let (counter, key) = counted { counter.failed(key) }
            throw Self.apiError(code: code, body: bytes, method: method, url: url)
        }
        do {
            return try bytes.withUnsafeReadableBytes { raw throws(JSONSyntaxError) in try parse(raw) }
        } catch {
            throw ClientError(.invalidResponse, url: url, message: "\(method) answered with invalid JSON: \(error)")
        }
    }

    /// Opens a streaming GET (a watch) and passes each event to `yield` until the server ends it.
    ///
    /// - Throws: `APIError` when the server refuses the watch or sends an `ERROR` event,
    ///   ``ClientError`` when the stream breaks; cancellation ends the watch.
    func watch(_ path: String, query: [(String, String)], _ yield: (WatchEvent) -> Void) async throws {
        let url = url(path, query)
        if let limiter { try await limiter.wait() }
        let counted = counter.map { ($0, RequestCounter.key(method: "GET", path: path, watch: true)) }
        if let (counter, key) = counted { counter.sent(key) }
        let start = ContinuousClock.now
        if let server {
            let response = await server.exchange(inProcessRequest(.GET, path, query: query, body: nil, contentType: nil))
            metrics.record(verb: "WATCH", code: response.status, since: start)
            guard response.status == 200 else {
                if let (counter, key) = counted { counter.failed(key) }
                throw Self.apiError(
                    code: response.status, body: try await response.collect(upTo: Self.maximumBodyBytes, url: url),
                    method: .GET, url: url)
            }
            let chunks: AsyncThrowingStream<ByteBuffer, any Error>
            switch response.body {
            case .stream(let stream): chunks = stream
            case .bytes(let buffer): chunks = AsyncThrowingStream { $0.yield(buffer); $0.finish() }
            }
            do {
                try await WatchEvent.events(in: chunks, url: url, yield)
            } catch {
                throw Self.transportError(error, method: .GET, url: url)
            }
            return
        }
        guard let http else { preconditionFailure("a transport has an HTTP client or an in-process server") }
        let response: HTTPClientResponse
        do {
            // No deadline: the server ends a watch after timeoutSeconds; the read timeout of the
            // client catches a connection that went silent.
            response = try await http.execute(request(.GET, url, body: nil, contentType: nil), deadline: .distantFuture,
                                              logger: logger)
        } catch {
            metrics.record(verb: "WATCH", error: error, since: start)
            if let (counter, key) = counted { counter.failed(key) }
            throw Self.transportError(error, method: .GET, url: url)
        }
        let code = Int(response.status.code)
        metrics.record(verb: "WATCH", code: code, since: start)
        guard code == 200 else {
            if let (counter, key) = counted { counter.failed(key) }
            let bytes: ByteBuffer
            do {
                bytes = try await response.body.collect(upTo: Self.maximumBodyBytes)
            } catch {
                throw Self.transportError(error, method: .GET, url: url)
            }
            throw Self.apiError(code: code, body: bytes, method: .GET, url: url)
        }
        do {
            try await WatchEvent.events(in: response.body, url: url, yield)
        } catch {
            throw Self.transportError(error, method: .GET, url: url)
        }
    }

    /// The server's `Status`, or an `APIError` made from the code when the body is not one.
    static func apiError(code: Int, body: ByteBuffer, method: HTTPMethod, url: String) -> APIError {
        if let value = try? JSONValue(parsingJSON: body.readableBytesView), let error = APIError(status: value) {
            return error
        }
        let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        return APIError(
            code: code, reason: reason(forCode: code),
            message: "\(method) \(url): HTTP \(code)\(text.isEmpty ? "" : ": " + String(text.prefix(512)))")
    }

    /// The reason kube-apiserver gives a code, for answers that carry no `Status`.
    static func reason(forCode code: Int) -> APIError.Reason {
        switch code {
        case 400: .badRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 409: .conflict
        case 410: .expired
        case 413: .requestEntityTooLarge
        case 415: .unsupportedMediaType
        case 422: .invalid
        case 429: .tooManyRequests
        case 503: .serviceUnavailable
        case 504: .timeout
        default: .internalError
        }
    }

    /// A readable error for a request that got no answer; cancellation passes through.
    static func transportError(_ error: any Error, method: HTTPMethod, url: String) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? HTTPClientError, error == .cancelled { return CancellationError() }
        if let error = error as? ClientError { return error }
        if let error = error as? APIError { return error }
        if let error = error as? NIOSSLError, case .handshakeFailed = error {
            return ClientError(
                .transport, url: url,
                message: "\(method): TLS handshake failed (is the server's certificate signed by the kubeconfig's certificate-authority?): \(error)")
        }
        return ClientError(.transport, url: url, message: "\(method) failed: \(error)")
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product &+ attoseconds / 1_000_000_000
    }
}
