import Synchronization

/// Elements handed from a producing task to a consumer one at a time: ``write(_:)`` returns once
/// the consumer has taken the element (as a socket's write blocks on a full window), and throws
/// once the consumer is gone. A watch's stages use it so that no stage runs ahead of a reader
/// that is slow or gone, holding what it produced in memory.
final class HandOff<Element: Sendable>: Sendable {
    private struct State {
        var element: Element?
        var writer: CheckedContinuation<Void, any Error>?
        var reader: CheckedContinuation<Element?, any Error>?
        /// Set once the producer is done: `nil` error for a clean end.
        var end: (any Error)??
        var readerGone = false
        var producer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// What a write does once it has looked at the state.
    private enum WriteStep {
        case handedOver(CheckedContinuation<Element?, any Error>)
        case wait
        case refuse
    }

    /// What a read does once it has looked at the state.
    private enum ReadStep {
        case element(Element, CheckedContinuation<Void, any Error>?)
        case end((any Error)?)
        case wait
    }

    private func setProducer(_ task: Task<Void, Never>) {
        let gone = state.withLock { state in
            state.producer = task
            return state.readerGone
        }
        if gone { task.cancel() }
    }

    /// Hands `element` to the consumer and waits until it takes it.
    func write(_ element: Element) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let step = state.withLock { state -> WriteStep in
                    if state.readerGone || Task.isCancelled { return .refuse }
                    if let reader = state.reader {
                        state.reader = nil
                        return .handedOver(reader)
                    }
                    state.element = element
                    state.writer = continuation
                    return .wait
                }
                switch step {
                case .handedOver(let reader):
                    reader.resume(returning: element)
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
                state.element = nil
                return writer
            }
            writer?.resume(throwing: CancellationError())
        }
    }

    /// Ends the hand-off: the consumer reads what is left, then the end (or `error`).
    func finish(_ error: (any Error)?) {
        let reader = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
            if state.end == nil { state.end = .some(error) }
            guard state.element == nil else { return nil }
            let reader = state.reader
            state.reader = nil
            return reader
        }
        if let error { reader?.resume(throwing: error) } else { reader?.resume(returning: nil) }
    }

    /// The next element, `nil` at the end.
    func next() async throws -> Element? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                let step = state.withLock { state -> ReadStep in
                    if let element = state.element {
                        let writer = state.writer
                        (state.element, state.writer) = (nil, nil)
                        return .element(element, writer)
                    }
                    if let end = state.end { return .end(end) }
                    if state.readerGone || Task.isCancelled { return .end(CancellationError()) }
                    state.reader = continuation
                    return .wait
                }
                switch step {
                case .element(let element, let writer):
                    writer?.resume()
                    continuation.resume(returning: element)
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

    /// The consumer stopped reading (cancelled, or dropped the stream): the producer's write gets
    /// an error, as from a closed connection, and the producing task is cancelled.
    func readerLeft() {
        let (reader, writer, producer) = state.withLock { state in
            state.readerGone = true
            let taken = (state.reader, state.writer, state.producer)
            (state.reader, state.writer, state.element) = (nil, nil, nil)
            return taken
        }
        reader?.resume(throwing: CancellationError())
        writer?.resume(throwing: CancellationError())
        producer?.cancel()
    }

    /// The consumer's end: when the consumer drops it, the producer is stopped.
    private final class Reader: Sendable {
        let handOff: HandOff

        init(_ handOff: HandOff) {
            self.handOff = handOff
        }

        func next() async throws -> Element? {
            try await handOff.next()
        }

        deinit {
            handOff.readerLeft()
        }
    }
}

extension HandOff {
    /// A stream of what `produce` writes, run by a task of its own that never gets more than one
    /// element ahead of the stream's consumer; dropping the stream cancels the task.
    static func stream(
        _ produce: @escaping @Sendable (HandOff<Element>) async throws -> Void
    ) -> AsyncThrowingStream<Element, any Error> {
        let handOff = HandOff<Element>()
        let task = Task {
            do {
                try await produce(handOff)
                handOff.finish(nil)
            } catch {
                handOff.finish(error)
            }
        }
        handOff.setProducer(task)
        let reader = Reader(handOff)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }
}
