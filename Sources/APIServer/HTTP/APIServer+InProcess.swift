import HTTPTypes
import HummingbirdCore
import NIOCore

/// The answer to a request made in this process (see ``APIServer/respondInProcess(method:path:query:headers:body:)``).
public struct InProcessAnswer: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The whole body, for every answer but a long-running request's.
    public var body: ByteBuffer
    /// The body of a watch (or another long-running request: a followed log…), chunk by chunk
    /// as the server writes it; `nil` for other answers.
    public var stream: AsyncThrowingStream<ByteBuffer, any Error>?
}

extension APIServer {
    /// Answers a request made by a client in this process (the embedded plane's controllers)
    /// exactly as one that came over HTTPS: the same authentication from its headers, in-flight
    /// limits, deadline, body limits, handling and encoding — without the socket, TLS and HTTP
    /// framing. A watch's events are handed over one chunk at a time: the server waits until the
    /// client has taken each one, so a client that stops reading falls behind and has its watch
    /// closed as over a socket; dropping the stream ends the watch.
    ///
    /// - Parameter query: percent-encoded, without the `?`.
    public func respondInProcess(
        method: String, path: String, query: String, headers: [(name: String, value: String)], body: [UInt8]
    ) async -> InProcessAnswer {
        var fields = HTTPFields()
        for header in headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        if !body.isEmpty { fields[.contentLength] = String(body.count) }
        let head = HTTPRequest(
            method: HTTPRequest.Method(method) ?? .get, scheme: "https", authority: "in-process",
            path: query.isEmpty ? path : path + "?" + query, headerFields: fields)
        let response = await respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body))))
        let answerHeaders = response.headers.map { (name: $0.name.rawName, value: $0.value) }
        let status = Int(response.status.code)
        // Watches, logs and the other long-running requests stream their body; the rest are read whole.
        let streams = RequestClass(method: method, path: path, query: APIRequest.parseQuery(Substring(query))) == .longRunning
        guard streams, status == 200 else {
            let collector = BodyCollector()
            do {
                try await response.body.write(CollectingBodyWriter(collector: collector))
            } catch {
                // Only a watch's body can fail to write; an answer that did still has what it wrote.
            }
            return InProcessAnswer(status: status, headers: answerHeaders, body: collector.buffer, stream: nil)
        }
        let stream = HandOff<ByteBuffer>.stream { handOff in
            try await response.body.write(HandOffBodyWriter(handOff: handOff))
        }
        return InProcessAnswer(status: status, headers: answerHeaders, body: ByteBuffer(), stream: stream)
    }
}

/// Gathers a whole body written in one task.
private final class BodyCollector {
    var buffer = ByteBuffer()
}

private struct CollectingBodyWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        collector.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Hands each chunk of a watch's body to the in-process client, waiting until it takes it.
private struct HandOffBodyWriter: ResponseBodyWriter {
    let handOff: HandOff<ByteBuffer>

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await handOff.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

