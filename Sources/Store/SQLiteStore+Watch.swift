import OrderedCollections
public import Resources
import Foundation
import GRDB

extension SQLiteStore {
    /// The changes a watch from a resourceVersion replays before going live, read in one snapshot.
    struct Replay: Sendable {
        var events: [WatchEvent]
        /// The resourceVersion of the snapshot: live events at or below it are already replayed.
        var resourceVersion: Int64
    }

    static func readReplay(
        _ db: Database, filter: WatchFilter, type: ResourceType, namespace: String?, options: ListOptions,
        from resourceVersion: Int64?
    ) throws -> Replay {
        let current = try StoreSchema.currentResourceVersion(db)
        guard let from = resourceVersion else { return Replay(events: [], resourceVersion: current) }
        let compacted = try StoreSchema.compactedResourceVersion(db)
        if from < compacted {
            throw APIError.expired("too old resource version: \(from) (\(compacted))")
        }
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: "SELECT rv, namespace, name, event, data FROM history WHERE rv > ? AND rv <= ? AND type = ? ORDER BY rv"),
            arguments: [from, current, filter.type])
        let previousStatement = try db.cachedStatement(
            sql: "SELECT data FROM history WHERE type = ? AND namespace = ? AND name = ? AND rv < ? ORDER BY rv DESC LIMIT 1")
        var events: [WatchEvent] = []
        while let row = try rows.next() {
            let key = ObjectKey(type: filter.type, namespace: row[1], name: row[2])
            guard filter.accepts(key) else { continue }
            let rv: Int64 = row[0]
            let kind = StoreEvent.Kind(rawValue: row[3]) ?? .modified
            var event = StoreEvent(
                kind: kind, key: key, resourceVersion: rv, object: try StoreTransaction.decode(row, column: 4))
            if kind == .modified, filter.needsPrevious,
                let previous = try Row.fetchOne(previousStatement, arguments: [key.type, key.namespace, key.name, rv])
            {
                event.previous = try StoreTransaction.decode(previous, column: 0)
            }
            if let out = filter.transform(event) { events.append(out) }
        }
        return Replay(events: events, resourceVersion: max(current, from))
    }

    /// An object as the store holds it (its JSON text), parsed.
    static func decode(_ data: Data) throws -> Resource {
        try Resource(JSONValue(parsingJSON: data))
    }

    public func changes(_ type: ResourceType, after resourceVersion: Int64) async throws
        -> (events: [WatchEvent], resourceVersion: Int64)
    {
        let options = ListOptions()
        let filter = WatchFilter(
            type: type.storageKey, namespace: nil, labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector)
        let replay = try await read { db in
            try Self.readReplay(db, filter: filter, type: type, namespace: nil, options: options, from: resourceVersion)
        }
        return (replay.events, replay.resourceVersion)
    }

    /// How a watch that starts with the current objects reads them: a page at a time as its
    /// consumer takes them, each page kept as the stored JSON and each object parsed only when it
    /// is sent, so a watch of many large objects whose client reads slowly (or not at all) holds
    /// one page of text, not every object parsed. Pages start small and grow while they stay
    /// under ``targetBytes`` (objects are mostly small), and shrink when they pass it.
    enum InitialEventsPaging {
        static let firstPage = 16
        static let largestPage = 512
        static let targetBytes = 4 * 1024 * 1024

        /// The size of the page after one of `count` objects and `bytes`, read with `limit`.
        static func nextLimit(after limit: Int, bytes: Int) -> Int {
            if bytes < targetBytes / 2 { return min(largestPage, limit * 2) }
            if bytes > targetBytes { return max(1, limit / 2) }
            return limit
        }
    }

    public func watch(_ type: ResourceType, namespace: String?, options: ListOptions, from resourceVersion: Int64?)
        async throws -> AsyncThrowingStream<WatchEvent, any Error>
    {
        let filter = WatchFilter(
            type: type.storageKey, namespace: type.namespaced ? namespace : nil, labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector)
        let from = resourceVersion == 0 ? nil : resourceVersion
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchEvent.self)
        guard let (id, registeredAt) = hub.register(
            filter: filter, bookmarks: options.allowWatchBookmarks, continuation: continuation)
        else {
            throw APIError(code: 503, reason: .serviceUnavailable, message: "the store is closed")
        }
        let hub = self.hub
        continuation.onTermination = { _ in hub.remove(id: id) }
        if from == nil, !options.sendInitialEvents {
            hub.goLive(id: id, after: registeredAt, replay: [])
            return stream
        }
        do {
            if options.sendInitialEvents {
                // The first page now; if more follow, the watch stays buffering while the
                // consumer pulls the rest (read at the first page's resourceVersion).
                var pageOptions = options
                (pageOptions.limit, pageOptions.continueToken, pageOptions.resourceVersion) =
                    (InitialEventsPaging.firstPage, nil, nil)
                let first = try await listEncoded(type, namespace: namespace, options: pageOptions)
                if first.continueToken != nil {
                    let replay = PagedReplay(
                        store: self, type: type, namespace: namespace, options: pageOptions, first: first, watchID: id,
                        live: stream)
                    return AsyncThrowingStream(unfolding: { try await replay.next() })
                }
                var events = try first.items.map { WatchEvent.added(try Self.decode($0)) }
                let snapshot = first.resourceVersion
                if options.allowWatchBookmarks {
                    events.append(.bookmark(resourceVersion: snapshot, initialEventsEnd: true))
                }
                hub.goLive(id: id, after: snapshot, replay: events)
                return stream
            }
            let replay = try await read { db in
                try Self.readReplay(
                    db, filter: filter, type: type, namespace: namespace, options: options, from: from)
            }
            hub.goLive(id: id, after: replay.resourceVersion, replay: replay.events)
        } catch {
            hub.remove(id: id)
            continuation.finish()
            throw error
        }
        return stream
    }
}

/// The events of a watch that starts with the current objects, when they are more than one page:
/// the objects as ADDED, a page at a time as they are asked for (every page at the first one's
/// resourceVersion, see ``SQLiteStore/InitialEventsPaging``), then the initial-events-end bookmark
/// when asked for, then the live events after that resourceVersion, which the hub buffered meanwhile.
///
/// `@unchecked Sendable`: ``next()`` is only called by the one consumer of the stream it backs,
/// one call at a time (AsyncThrowingStream(unfolding:) awaits each call before the next).
private final class PagedReplay: @unchecked Sendable {
    let store: SQLiteStore
    let type: ResourceType
    let namespace: String?
    var options: ListOptions
    let watchID: Int
    let snapshot: Int64
    /// The current page's objects, as stored; each is parsed when it is sent.
    var pending: [Data]
    var index = 0
    var continueToken: String?
    var bookmarkSent = false
    var live: AsyncThrowingStream<WatchEvent, any Error>.AsyncIterator?
    let liveStream: AsyncThrowingStream<WatchEvent, any Error>

    init(
        store: SQLiteStore, type: ResourceType, namespace: String?, options: ListOptions, first: EncodedObjectList,
        watchID: Int, live: AsyncThrowingStream<WatchEvent, any Error>
    ) {
        self.store = store
        self.type = type
        self.namespace = namespace
        self.options = options
        self.watchID = watchID
        snapshot = first.resourceVersion
        pending = first.items
        continueToken = first.continueToken
        liveStream = live
        self.options.limit = SQLiteStore.InitialEventsPaging.nextLimit(
            after: options.limit ?? SQLiteStore.InitialEventsPaging.firstPage, bytes: first.items.reduce(0) { $0 + $1.count })
    }

    func next() async throws -> WatchEvent? {
        if index == pending.count, let token = continueToken {
            options.continueToken = token
            pending = []
            let page = try await store.listEncoded(type, namespace: namespace, options: options)
            (pending, index, continueToken) = (page.items, 0, page.continueToken)
            options.limit = SQLiteStore.InitialEventsPaging.nextLimit(
                after: options.limit ?? SQLiteStore.InitialEventsPaging.firstPage,
                bytes: page.items.reduce(0) { $0 + $1.count })
        }
        if index < pending.count {
            let data = pending[index]
            // Each object's text is dropped once it is parsed and sent.
            pending[index] = Data()
            index += 1
            return .added(try SQLiteStore.decode(data))
        }
        if options.allowWatchBookmarks, !bookmarkSent {
            bookmarkSent = true
            return .bookmark(resourceVersion: snapshot, initialEventsEnd: true)
        }
        if live == nil {
            pending = []
            store.hub.goLive(id: watchID, after: snapshot, replay: [])
            live = liveStream.makeAsyncIterator()
        }
        return try await live?.next()
    }
}
