import Synchronization

/// A ceiling on the request bytes read and decoded at once, so that a flood of large objects
/// cannot take the process's memory with it: a request reserves its body's size (its
/// `Content-Length`, or the body limit when it has none) before reading it and gives it back
/// when it has been answered; requests beyond the budget wait their turn, first come first
/// served. Small bodies (under ``smallBody``) pass without reservation.
///
/// kube-apiserver has no such knob (its max-in-flight limits bound it indirectly); Mizzen's
/// plane runs beside other programs on one machine, so it bounds decoding memory directly.
///
/// ```swift
/// let reserved = try await budget.reserve(contentLength ?? maxBody)
/// defer { budget.release(reserved) }
/// ```
final class BodyBudget: Sendable {
    /// Bodies up to this size are not counted: they cost less than the bookkeeping protects.
    static let smallBody = 64 * 1024

    private struct Waiter {
        var id: Int
        var bytes: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID = 0
        /// The most bytes reserved at once so far.
        var peak = 0
        var capacity: Int
    }

    /// The budget in bytes; 0 means no budget.
    let capacity: Int
    private let state: Mutex<State>

    init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(State(available: capacity, capacity: capacity))
    }

    /// Waits until `bytes` of the budget are free and takes them.
    ///
    /// - Returns: how many bytes were taken (0 for a small body or no budget), for ``release(_:)``.
    /// - Throws: `CancellationError` when the waiting request is cancelled (its deadline passed).
    func reserve(_ bytes: Int) async throws -> Int {
        guard capacity > 0, bytes > Self.smallBody else { return 0 }
        let wanted = min(bytes, capacity)
        let id: Int? = state.withLock { state in
            if state.waiters.isEmpty, state.available >= wanted {
                state.available -= wanted
                state.peak = max(state.peak, state.capacity - state.available)
                return nil
            }
            defer { state.nextID += 1 }
            return state.nextID
        }
        guard let id else { return wanted }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    if Task.isCancelled { return true }
                    state.waiters.append(Waiter(id: id, bytes: wanted, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume(throwing: CancellationError()) }
                wake()
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
        return wanted
    }

    /// Gives back bytes taken by ``reserve(_:)``.
    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        state.withLock { $0.available += bytes }
        wake()
    }

    /// Resumes the waiters at the head of the queue that now fit.
    private func wake() {
        let ready: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            var ready: [CheckedContinuation<Void, any Error>] = []
            while let first = state.waiters.first, first.bytes <= state.available {
                state.available -= first.bytes
                state.peak = max(state.peak, state.capacity - state.available)
                ready.append(state.waiters.removeFirst().continuation)
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    /// Bytes reserved now, the most reserved at once, and requests waiting.
    var figures: (reserved: Int, peak: Int, waiting: Int) {
        state.withLock { ($0.capacity - $0.available, $0.peak, $0.waiters.count) }
    }
}
