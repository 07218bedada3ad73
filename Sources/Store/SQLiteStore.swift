import OrderedCollections
public import Resources
import Dispatch
import Foundation
import GRDB
import Synchronization

/// The ``ObjectStore`` on SQLite: durable (WAL, `synchronous = FULL`: a write is on disk when it
/// returns), one writer, concurrent readers, and watches fed in-process after each commit.
/// Writes that arrive while the writer is busy share its next transaction and fsync (group commit).
///
/// ```swift
/// let store = try SQLiteStore(directory: dataDirectory)   // takes <dir>/store.lock
/// defer { try? store.close() }
/// let list = try await store.list(configMaps, namespace: "default", options: ListOptions(limit: 500))
/// ```
public final class SQLiteStore: ObjectStore {
    /// How much history the store keeps, and so how far back watches and continue tokens reach.
    public struct Configuration: Sendable, Hashable {
        /// Revisions kept for watches and paginated lists (etcd's compaction retention).
        public var historyRevisions: Int64
        /// How long history is kept at most (kube-apiserver's `--etcd-compaction-interval`, 5
        /// minutes; zero keeps it by count only). See ``HistoryCheckpoints``.
        public var historyRetention: Duration
        /// The largest object stored, JSON and key (etcd's `--max-request-bytes`, 1.5 MiB; 0: no limit).
        public var maxObjectBytes: Int

        public init(
            historyRevisions: Int64 = 10_000, historyRetention: Duration = .seconds(300),
            maxObjectBytes: Int = ObjectSizeLimit.etcdDefault
        ) {
            self.historyRevisions = historyRevisions
            self.historyRetention = historyRetention
            self.maxObjectBytes = maxObjectBytes
        }
    }

    private let writer: any DatabaseWriter
    let hub: WatchHub
    /// Objects written or read lately, parsed (see ``RecentObjects``).
    private let recent: RecentObjects
    private let groupCommit: GroupCommit
    private let lock: StoreLock?
    private let configuration: Configuration
    private let closed = Mutex(false)
    /// The data directory (or database path) that errors about the disk name.
    private let location: String

    /// Opens (or creates) the store of a data directory: `<directory>/store.db`, locked by
    /// `<directory>/store.lock`.
    ///
    /// - Throws: ``StoreError`` when another process has the directory, or the database cannot be opened.
    public convenience init(directory: String, configuration: Configuration = Configuration()) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try self.init(
            path: directory + "/store.db", lockPath: directory + "/store.lock", directory: directory,
            configuration: configuration)
    }

    /// Opens (or creates) the database at `path`, locked by `<path>.lock`.
    ///
    /// - Throws: ``StoreError`` when another process has the database, or it cannot be opened.
    public convenience init(path: String, configuration: Configuration = Configuration()) throws {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try self.init(path: path, lockPath: path + ".lock", directory: directory, configuration: configuration)
    }

    /// A store in memory, for tests: nothing survives ``close()``.
    public static func inMemory(configuration: Configuration = Configuration()) throws -> SQLiteStore {
        try SQLiteStore(path: nil, lockPath: nil, directory: nil, configuration: configuration)
    }

    private init(path: String?, lockPath: String?, directory: String?, configuration: Configuration) throws {
        self.configuration = configuration
        location = directory ?? path ?? ":memory:"
        var lock: StoreLock?
        if let lockPath, let directory {
            lock = try StoreLock(path: lockPath, directory: directory)
        }
        do {
            var databaseConfiguration = GRDB.Configuration()
            databaseConfiguration.label = "mizzen.store"
            if let path {
                databaseConfiguration.prepareDatabase { db in
                    // The writer's 32 MiB of page cache keeps the indexes of 100k objects in
                    // memory; without it, random uid-index pages are read back on every insert.
                    // Readers keep 8 MiB each: a cache fills with the pages of whatever was read
                    // last (large objects too), and the file's pages stay in the OS's cache anyway.
                    let cacheKiB = db.configuration.readonly ? 8_192 : 32_768
                    try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA cache_size = -\(cacheKiB)")
                }
                let pool = try DatabasePool(path: path, configuration: databaseConfiguration)
                // DatabasePool sets `synchronous = NORMAL` on its writer after `prepareDatabase`.
                try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 4000")
                }
                writer = pool
            } else {
                writer = try DatabaseQueue(configuration: databaseConfiguration)
            }
            try StoreSchema.migrator().migrate(writer)
            let current = try writer.writeWithoutTransaction { db -> Int64 in
                try db.inTransaction(.immediate) {
                    let transaction = try StoreTransaction(db, dryRun: false)
                    let initialized = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'initialized'")
                    if initialized == nil {
                        _ = try transaction.create(
                            Resource(apiVersion: "v1", kind: "Namespace", name: "default"), as: .namespace)
                        try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('initialized', 1)")
                    }
                    try transaction.sweep()
                    return .commit
                }
                return try StoreSchema.currentResourceVersion(db)
            }
            hub = WatchHub(resourceVersion: current)
            let recent = RecentObjects()
            self.recent = recent
            groupCommit = GroupCommit(
                writer: writer, hub: hub, historyRevisions: configuration.historyRevisions, recent: recent,
                historyRetention: configuration.historyRetention, maxObjectBytes: configuration.maxObjectBytes)
        } catch {
            lock?.release()
            if let error = error as? StoreError { throw error }
            if let failure = StorageFailure.apiError(error, location: directory ?? path ?? ":memory:") {
                throw StoreError(message: "cannot open the store at \(path ?? ":memory:"): \(failure.message)")
            }
            throw StoreError(message: "cannot open the store at \(path ?? ":memory:"): \(error)")
        }
        self.lock = lock
    }

    /// Ends every watch, closes the database and releases the lock. Later calls fail.
    public func close() throws {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        if wasClosed { return }
        hub.close()
        defer { lock?.release() }
        try writer.close()
    }

    /// Sends a `BOOKMARK` with the current resourceVersion to every watch opened with
    /// ``ListOptions/allowWatchBookmarks``. The API server calls this periodically.
    public func emitBookmarks() {
        hub.emitBookmarks()
    }

    /// The number of open watches.
    public var watchCount: Int { hub.watchCount }

    // MARK: Plumbing

    static func tooLargeResourceVersion(_ rv: Int64, current: Int64) -> APIError {
        APIError(
            code: 504, reason: .timeout, message: "Too large resource version: \(rv), current: \(current)",
            causes: [.init(type: "ResourceVersionTooLarge", message: "Too large resource version", field: "")],
            retryAfterSeconds: 1)
    }

    private func checkOpen() throws(APIError) {
        if closed.withLock({ $0 }) {
            throw APIError(code: 503, reason: .serviceUnavailable, message: "the store is closed")
        }
    }

    private func apiError(_ error: any Error) -> APIError {
        if let error = error as? APIError { return error }
        if let failure = StorageFailure.apiError(error, location: location) { return failure }
        return APIError.internalError(String(describing: error))
    }

    /// Runs `body` as one write of the next group commit, and answers once that transaction has
    /// committed (its events are then published) or, for a dry run, once `body` ran and was rolled back.
    private func write<T: Sendable>(dryRun: Bool, _ body: @escaping @Sendable (StoreTransaction) throws -> T)
        async throws(APIError) -> T
    {
        try checkOpen()
        let groupCommit = self.groupCommit
        do {
            return try await withCheckedThrowingContinuation { continuation in
                groupCommit.submit(
                    GroupCommit.Write(
                        dryRun: dryRun,
                        perform: { transaction in
                            let result = try body(transaction)
                            return { continuation.resume(returning: result) }
                        },
                        fail: { continuation.resume(throwing: $0) }))
            }
        } catch {
            throw self.apiError(error)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(APIError) -> T {
        try checkOpen()
        do {
            return try await writer.read(body)
        } catch {
            throw self.apiError(error)
        }
    }

    // MARK: ObjectStore

    public func create(_ object: Resource, as type: ResourceType, dryRun: Bool) async throws -> Resource {
        var created = try await write(dryRun: dryRun) { try $0.create(object, as: type) }
        if dryRun { created.withMetadata { _ = $0.removeValue(forKey: "resourceVersion") } }
        return created
    }

    public func get(_ type: ResourceType, namespace: String?, name: String) async throws -> Resource {
        let key = try StoreTransaction.key(type, namespace: namespace, name: name)
        let recent = self.recent
        let found = try await read { db -> Resource? in
            let statement = try db.cachedStatement(
                sql: "SELECT rv, data FROM objects WHERE type = ? AND namespace = ? AND name = ?")
            guard let row = try Row.fetchOne(statement, arguments: [key.type, key.namespace, key.name]) else {
                return nil
            }
            let resourceVersion: Int64 = row[0]
            if let object = recent.object(at: key, resourceVersion: resourceVersion) { return object }
            // A reader sees committed rows only: safe to remember.
            let object = try StoreTransaction.decode(row, column: 1)
            let bytes = row.dataNoCopy(atIndex: 1)?.count ?? 0
            recent.remember(object, at: key, resourceVersion: resourceVersion, bytes: bytes)
            return object
        }
        guard let found else { throw APIError.notFound(resource: type.resource, group: type.group, name: name) }
        return found
    }

    public func update(_ object: Resource, as type: ResourceType, subresource: Subresource, dryRun: Bool) async throws
        -> Resource
    {
        try await write(dryRun: dryRun) { try $0.update(object, as: type, subresource: subresource) }
    }

    public func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws
        -> Resource
    {
        try await write(dryRun: options.dryRun) {
            try $0.delete(type, namespace: namespace, name: name, options: options)
        }
    }

    public func deleteCollection(
        _ type: ResourceType, namespace: String?, options: ListOptions, deleteOptions: DeleteOptions
    ) async throws -> [Resource] {
        var listOptions = options
        listOptions.limit = nil
        listOptions.continueToken = nil
        listOptions.resourceVersion = nil
        let selection = listOptions
        return try await write(dryRun: deleteOptions.dryRun) { transaction in
            let list = try ObjectListing.list(transaction.db, type: type, namespace: namespace, options: selection)
            var deleted: [Resource] = []
            for item in list.items {
                let key = try StoreTransaction.key(type, namespace: item.namespace, name: item.name)
                guard let stored = try transaction.load(key) else { continue }
                deleted.append(try transaction.delete(key, stored: stored, type: type, options: deleteOptions))
            }
            return deleted
        }
    }

    public func list(_ type: ResourceType, namespace: String?, options: ListOptions) async throws -> ObjectList {
        try await read { db in try ObjectListing.list(db, type: type, namespace: namespace, options: options) }
    }

    public func listEncoded(_ type: ResourceType, namespace: String?, options: ListOptions) async throws
        -> EncodedObjectList
    {
        try await read { db in try ObjectListing.listEncoded(db, type: type, namespace: namespace, options: options) }
    }

    public func currentResourceVersion() async throws -> Int64 {
        try await read { db in try StoreSchema.currentResourceVersion(db) }
    }
}

extension SQLiteStore {
    /// Keeps the writer busy until the returned semaphore is signalled, so that the writes issued
    /// meanwhile queue up and commit as one batch (for tests of group commit).
    func holdWriter() -> DispatchSemaphore {
        let gate = DispatchSemaphore(value: 0)
        writer.asyncWriteWithoutTransaction { _ in gate.wait() }
        return gate
    }

    /// How many writes wait for the next group commit (for tests).
    var waitingWrites: Int { groupCommit.waitingCount }

    /// How many group commits the writer has run (for tests).
    var groupCommits: Int { groupCommit.batchCount }

    /// The value of a pragma on the writer connection (`journal_mode`, `synchronous`), for checks.
    public func pragma(_ name: String) throws -> String {
        guard name.allSatisfy({ $0.isLetter || $0 == "_" }) else {
            throw APIError.badRequest("not a pragma name: \(name)")
        }
        return try writer.writeWithoutTransaction { db in
            try String.fetchOne(db, sql: "PRAGMA \(name)") ?? ""
        }
    }
}
