import OrderedCollections
public import Resources
import GRDB

extension SQLiteStore {
    /// What a watch replays before going live, read in one snapshot.
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
        if options.sendInitialEvents {
            var listOptions = options
            listOptions.limit = nil
            listOptions.continueToken = nil
            listOptions.resourceVersion = nil
            let list = try ObjectListing.list(db, type: type, namespace: namespace, options: listOptions)
            var events = list.items.map(WatchEvent.added)
            if options.allowWatchBookmarks {
                events.append(.bookmark(resourceVersion: current, initialEventsEnd: true))
            }
            return Replay(events: events, resourceVersion: current)
        }
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
