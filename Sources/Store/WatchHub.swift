import OrderedCollections
import Resources
import Synchronization

/// Fans committed events out to the open watches.
///
/// A watch registers first (its events are then buffered), reads what it must replay from the
/// database, and goes live: buffered events newer than what it replayed are delivered, and every
/// later event is delivered as it is published. Events are published in commit order, by the
/// single writer, so each watch sees every event once, in order.
final class WatchHub: Sendable {
    private struct Watcher {
        var filter: WatchFilter
        var bookmarks: Bool
        var continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation
        /// Events held while the watch replays history; `nil` once live.
        var buffer: [StoreEvent]? = []
    }

    private struct State {
        var lastResourceVersion: Int64
        var watchers: [Int: Watcher] = [:]
        var nextID = 0
        var closed = false
    }

    private let state: Mutex<State>

    init(resourceVersion: Int64) {
        state = Mutex(State(lastResourceVersion: resourceVersion))
    }

    /// Adds a watch in the buffering phase.
    ///
    /// - Returns: its id and the resourceVersion of the last event published before it, or `nil`
    ///   when the hub is closed.
    func register(
        filter: WatchFilter, bookmarks: Bool,
        continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation
    ) -> (id: Int, resourceVersion: Int64)? {
        state.withLock { state in
            guard !state.closed else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.watchers[id] = Watcher(filter: filter, bookmarks: bookmarks, continuation: continuation)
            return (id, state.lastResourceVersion)
        }
    }

    /// Delivers `replay`, then the buffered events after `resourceVersion`, and makes the watch live.
    func goLive(id: Int, after resourceVersion: Int64, replay: [WatchEvent]) {
        state.withLock { state in
            guard var watcher = state.watchers[id] else { return }
            // Yielding under the lock keeps this watch's events in order with concurrent
            // publishes; `yield` only appends to the stream's buffer.
            for event in replay { watcher.continuation.yield(event) }
            for event in watcher.buffer ?? [] where event.resourceVersion > resourceVersion {
                if let out = watcher.filter.transform(event) { watcher.continuation.yield(out) }
            }
            watcher.buffer = nil
            state.watchers[id] = watcher
        }
    }

    /// Delivers committed events, in resourceVersion order.
    func publish(_ events: [StoreEvent]) {
        guard let last = events.last else { return }
        state.withLock { state in
            state.lastResourceVersion = max(state.lastResourceVersion, last.resourceVersion)
            for id in state.watchers.keys {
                guard var watcher = state.watchers[id] else { continue }
                if watcher.buffer != nil {
                    let wanted = events.filter { watcher.filter.accepts($0.key) }
                    if !wanted.isEmpty {
                        watcher.buffer!.append(contentsOf: wanted)
                        state.watchers[id] = watcher
                    }
                    continue
                }
                for event in events {
                    if let out = watcher.filter.transform(event) { watcher.continuation.yield(out) }
                }
            }
        }
    }

    /// Sends a `BOOKMARK` at the latest published resourceVersion to every live watch that
    /// allows bookmarks.
    func emitBookmarks() {
        state.withLock { state in
            for watcher in state.watchers.values where watcher.bookmarks && watcher.buffer == nil {
                watcher.continuation.yield(.bookmark(resourceVersion: state.lastResourceVersion, initialEventsEnd: false))
            }
        }
    }

    /// Forgets a watch (its consumer stopped).
    func remove(id: Int) {
        _ = state.withLock { $0.watchers.removeValue(forKey: id) }
    }

    /// Ends every watch and refuses new ones.
    func close() {
        let watchers = state.withLock { state in
            state.closed = true
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.continuation.finish() }
    }

    var watchCount: Int { state.withLock { $0.watchers.count } }
}
