import OrderedCollections
import GRDB

/// The tables of the store.
///
/// - `objects`: the current state, one row per object, with the JSON bytes as stored.
/// - `history`: every revision (an MVCC log keyed by resourceVersion): the object as written, or
///   its last state for a deletion. Compaction drops revisions older than the history kept,
///   except the latest revision of each live key, so that a list at any kept resourceVersion
///   sees every object.
/// - `owner_refs`: owner uid → dependent key, for the garbage collector.
/// - `meta`: `compacted` (the oldest resourceVersion the history serves) and `initialized`.
enum StoreSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE objects (
                        id INTEGER PRIMARY KEY,
                        type TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        uid TEXT NOT NULL,
                        rv INTEGER NOT NULL,
                        deleting INTEGER NOT NULL,
                        labels BLOB,
                        data BLOB NOT NULL
                    );
                    CREATE UNIQUE INDEX objects_key ON objects(type, namespace, name);
                    CREATE INDEX objects_uid ON objects(uid);
                    CREATE INDEX objects_namespace ON objects(namespace) WHERE namespace != '';
                    CREATE INDEX objects_deleting ON objects(deleting) WHERE deleting = 1;
                    CREATE TABLE history (
                        rv INTEGER PRIMARY KEY,
                        type TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        event INTEGER NOT NULL,
                        labels BLOB,
                        data BLOB NOT NULL
                    );
                    CREATE INDEX history_key ON history(type, namespace, name, rv);
                    CREATE TABLE owner_refs (
                        owner_uid TEXT NOT NULL,
                        type TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        PRIMARY KEY (owner_uid, type, namespace, name)
                    ) WITHOUT ROWID;
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                    INSERT INTO meta (key, value) VALUES ('compacted', 0);
                    """)
        }
        return migrator
    }

    /// The resourceVersion of the latest write (0 for a new store).
    static func currentResourceVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(rv) FROM history")) ?? 0
    }

    /// The oldest resourceVersion that lists and watches can start from.
    static func compactedResourceVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'compacted'")) ?? 0
    }
}
