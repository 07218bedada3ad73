import HTTPTypes
import HummingbirdCore
import NIOCore
import Synchronization

/// The answer to a request made in this process (see ``APIServer/respondInProcess(method:path:query:headers:body:)``).
public struct InProcessAnswer: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The whole body, for every answer but a watch's.
    public var body: ByteBuffer
    /// A watch's body, chunk by chunk as the server writes it; `nil` for other answers.
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
        let isWatch = APIRequest(method: method, path: path, query: APIRequest.parseQuery(Substring(query))).flag("watch")
        guard isWatch, status == 200 else {
            let collector = BodyCollector()
            do {
                try await response.body.write(CollectingBodyWriter(collector: collector))
            } catch {
                // Only a watch's body can fail to write; an answer that did still has what it wrote.
            }
            return InProcessAnswer(status: status, headers: answerHeaders, body: collector.buffer, stream: nil)
        }
        let pipe = BodyPipe()
        let task = Task {
            do {
                try await response.body.write(PipeBodyWriter(pipe: pipe))
                pipe.finish(nil)
            } catch {
                pipe.finish(error)
            }
        }
        pipe.setProducer(task)
        let reader = BodyPipe.Reader(pipe: pipe)
        return InProcessAnswer(
            status: status, headers: answerHeaders, body: ByteBuffer(),
            stream: AsyncThrowingStream(unfolding: { try await reader.next() }))
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

private struct PipeBodyWriter: ResponseBodyWriter {
    let pipe: BodyPipe

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await pipe.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        pipe.finish(nil)
    }
}

/// A streamed body handed from the server's writer to the client one chunk at a time: ``write(_:)``
/// returns once the client has taken the chunk (as a socket's write blocks on a full window), and
/// ends with an error once the client is gone.
final class BodyPipe: Sendable {
    private struct State {
        var chunk: ByteBuffer?
        var writer: CheckedContinuation<Void, any Error>?
        var reader: CheckedContinuation<ByteBuffer?, any Error>?
        /// Set once the server is done: `nil` error for a clean end.
        var end: (any Error)??
        var readerGone = false
        var producer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func setProducer(_ task: Task<Void, Never>) {
        let gone = state.withLock { state in
            state.producer = task
            return state.readerGone
        }
        if gone { task.cancel() }
    }

    /// Hands `buffer` to the client and waits until it takes it.
    func write(_ buffer: ByteBuffer) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Step { case handedOver(CheckedContinuation<ByteBuffer?, any Error>), wait, refuse }
                let step = state.withLock { state -> Step in
                    if state.readerGone || Task.isCancelled { return .refuse }
                    if let reader = state.reader {
                        state.reader = nil
                        return .handedOver(reader)
                    }
                    state.chunk = buffer
                    state.writer = continuation
                    return .wait
                }
                switch step {
                case .handedOver(let reader):
                    reader.resume(returning: buffer)
                    continuation.resume()
                case .wait:
                    break
                case .refuse:
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let writer = state.withLock { state in
                let writer = state.writer
                state.writer = nil
                state.chunk = nil
                return writer
            }
            writer?.resume(throwing: CancellationError())
        }
    }

    /// Ends the body: the client reads what is left, then the end (or `error`).
    func finish(_ error: (any Error)?) {
        let reader = state.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
            if state.end == nil { state.end = .some(error) }
            guard state.chunk == nil else { return nil }
            let reader = state.reader
            state.reader = nil
            return reader
        }
        if let error { reader?.resume(throwing: error) } else { reader?.resume(returning: nil) }
    }

    /// The next chunk, `nil` at the end.
    func next() async throws -> ByteBuffer? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
                enum Step { case chunk(ByteBuffer, CheckedContinuation<Void, any Error>?), end((any Error)?), wait }
                let step = state.withLock { state -> Step in
                    if let chunk = state.chunk {
                        let writer = state.writer
                        (state.chunk, state.writer) = (nil, nil)
                        return .chunk(chunk, writer)
                    }
                    if let end = state.end { return .end(end) }
                    if state.readerGone || Task.isCancelled { return .end(CancellationError()) }
                    state.reader = continuation
                    return .wait
                }
                switch step {
                case .chunk(let chunk, let writer):
                    writer?.resume()
                    continuation.resume(returning: chunk)
                case .end(let error?):
                    continuation.resume(throwing: error)
                case .end(nil):
                    continuation.resume(returning: nil)
                case .wait:
                    break
                }
            }
        } onCancel: {
            readerLeft()
        }
    }

    /// The client stopped reading (cancelled, or dropped the stream): the server's writer gets an
    /// error, as from a closed connection, and the producing task is cancelled.
    func readerLeft() {
        let (reader, writer, producer) = state.withLock { state in
            state.readerGone = true
            let taken = (state.reader, state.writer, state.producer)
            (state.reader, state.writer, state.chunk) = (nil, nil, nil)
            return taken
        }
        reader?.resume(throwing: CancellationError())
        writer?.resume(throwing: CancellationError())
        producer?.cancel()
    }

    /// The client's end: when the client drops it, the watch ends.
    final class Reader: Sendable {
        let pipe: BodyPipe

        init(pipe: BodyPipe) {
            self.pipe = pipe
        }

        func next() async throws -> ByteBuffer? {
            try await pipe.next()
        }

        deinit {
            pipe.readerLeft()
        }
    }
}
