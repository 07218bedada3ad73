import HummingbirdCore
import Synchronization

/// The events of one watch encoded but not yet written to its client, bounded: kube-apiserver
/// gives each watcher a buffer and closes a watcher whose buffer stays full ("Forcing watcher
/// close due to unresponsiveness"); its client then watches again from the last
/// resourceVersion it saw (or re-lists on 410). Mizzen does the same rather than hold events
/// for a client that does not read.
///
/// A state machine without I/O: the producer asks ``offer(_:)`` before queueing a frame, the
/// writer calls ``take(_:)`` when it has written one.
struct WatchBacklog: Sendable {
    /// Frames queued at most (kube's per-watcher channels hold 10 to 1000 events).
    let maxEvents: Int
    /// Bytes queued at most, so that large objects cannot make a backlog of few events huge.
    let maxBytes: Int
    private(set) var events = 0
    private(set) var bytes = 0
    /// Whether the watch was cut: nothing more is queued.
    private(set) var overflowed = false

    init(maxEvents: Int, maxBytes: Int) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
    }

    /// Counts a frame of `size` bytes in, or marks the watch cut when it would not fit (a frame
    /// larger than the byte limit still fits into an empty backlog).
    ///
    /// - Returns: whether the frame may be queued.
    mutating func offer(_ size: Int) -> Bool {
        if overflowed { return false }
        let full = (maxEvents > 0 && events >= maxEvents) || (maxBytes > 0 && events > 0 && bytes + size > maxBytes)
        if full {
            overflowed = true
            return false
        }
        events += 1
        bytes += size
        return true
    }

    /// Counts a frame of `size` bytes out (written to the client).
    mutating func take(_ size: Int) {
        events -= 1
        bytes -= size
    }
}

/// Watches cut because their clients did not keep up, since the server started.
final class WatchCutCounter: Sendable {
    private let count = Mutex(0)

    func increment() { count.withLock { $0 += 1 } }

    var value: Int { count.withLock { $0 } }
}

/// The response writer of a watch, handed to the one child task that writes the stream.
///
/// `@unchecked Sendable`: `any ResponseBodyWriter` is not `Sendable`, but only that child task
/// uses it, while the request's own task waits for the task group that holds it.
struct WatchResponseWriter: @unchecked Sendable {
    let writer: any ResponseBodyWriter

    init(_ writer: any ResponseBodyWriter) {
        self.writer = writer
    }
}

/// A ``WatchBacklog`` shared by the task that encodes a watch's events and the one that writes them.
final class SharedWatchBacklog: Sendable {
    let state: Mutex<WatchBacklog>

    init(_ backlog: WatchBacklog) {
        state = Mutex(backlog)
    }
}
