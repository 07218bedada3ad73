import Foundation
import Synchronization

/// Reads a child's pipe on a thread of its own with plain `poll` and `read` calls: FileHandle
/// readability handlers crashed libdispatch's event loop (`_dispatch_event_loop_drain`) under
/// the robustness and sanitizer runs.
enum PipeReader {
    /// When the writing process ended, once it has: the reader gives its pipe two more seconds
    /// (in case the end of the output never arrives, e.g. a grandchild still holds the pipe).
    final class Ending: Sendable {
        private let instant = Mutex<ContinuousClock.Instant?>(nil)

        func mark() { instant.withLock { $0 = .now } }

        var isPast: Bool {
            guard let ended = instant.withLock({ $0 }) else { return false }
            return ContinuousClock.now - ended > .seconds(2)
        }
    }

    /// Starts a thread that passes each chunk read from `handle` to `received` until the pipe's
    /// end (or `ending`'s two seconds), then calls `finished`. The thread reads a duplicate of
    /// the descriptor, closed when it is done, so that the pipe may be released meanwhile.
    static func start(
        _ handle: FileHandle, ending: Ending, received: @escaping @Sendable ([UInt8]) -> Void,
        finished: @escaping @Sendable () -> Void = {}
    ) throws {
        let descriptor = dup(handle.fileDescriptor)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        let thread = Thread {
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                var watched = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&watched, 1, 200)
                if ready > 0 {
                    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    if count <= 0 { break }
                    received(Array(chunk[..<count]))
                } else if ready < 0, errno != EINTR {
                    break
                } else if ending.isPast {
                    break
                }
            }
            close(descriptor)
            finished()
        }
        thread.start()
    }
}
