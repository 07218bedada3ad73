import Foundation
import GRDB
import OrderedCollections
import Resources

/// One write: the rows it changes, the resourceVersions it assigns, the events it
/// will publish after commit, and the garbage-collection work its changes set off.
///
/// Not `Sendable`: it lives inside one GRDB write closure, on the writer's queue.
final class StoreTransaction {
    let db: Database
    /// The last resourceVersion assigned (the store's current one before the first write).
    private(set) var resourceVersion: Int64
    /// What the transaction changed, in resourceVersion order.
    private(set) var events: [StoreEvent] = []
    /// Whether the transaction will be rolled back; garbage collection is then skipped.
    let dryRun: Bool
    /// Parsed committed objects, consulted by ``load(_:)`` before parsing a row.
    let recent: RecentObjects?
    /// The largest stored object, JSON and key (see ``ObjectSizeLimit``); 0: no limit.
    var maxObjectBytes = 0

    private var tasks: [CollectorTask] = []
    private var nextTask = 0
    private var pendingTasks: Set<CollectorTask> = []

    static let namespaceKey = ResourceType.namespace.storageKey

    init(_ db: Database, dryRun: Bool) throws {
        self.db = db
        self.dryRun = dryRun
        self.recent = nil
        self.resourceVersion = try StoreSchema.currentResourceVersion(db)
    }

    /// A transaction that continues from `resourceVersion`, the last one assigned: the next write
    /// of a group commit, after the writes before it in the same SQLite transaction.
    init(_ db: Database, dryRun: Bool, resourceVersion: Int64, recent: RecentObjects? = nil) {
        self.db = db
        self.dryRun = dryRun
        self.recent = recent
        self.resourceVersion = resourceVersion
    }

    // MARK: Reading rows

    func load(_ key: ObjectKey) throws -> Resource? {
        let statement = try db.cachedStatement(
            sql: "SELECT rv, data FROM objects WHERE type = ? AND namespace = ? AND name = ?")
        guard let row = try Row.fetchOne(statement, arguments: [key.type, key.namespace, key.name]) else {
            return nil
        }
        if let recent, let object = recent.object(at: key, resourceVersion: row[0]) { return object }
        return try Self.decode(row, column: 1)
    }

    /// The object with this uid, if it is stored.
    func load(uid: String) throws -> (key: ObjectKey, object: Resource)? {
        let statement = try db.cachedStatement(sql: "SELECT type, namespace, name, data FROM objects WHERE uid = ?")
        guard let row = try Row.fetchOne(statement, arguments: [uid]) else { return nil }
        return (ObjectKey(type: row[0], namespace: row[1], name: row[2]), try Self.decode(row, column: 3))
    }

    /// The key of the object with `uid`, and whether it is being deleted, without parsing it.
    func locate(uid: String) throws -> (key: ObjectKey, deleting: Bool)? {
        let statement = try db.cachedStatement(sql: "SELECT type, namespace, name, deleting FROM objects WHERE uid = ?")
        guard let row = try Row.fetchOne(statement, arguments: [uid]) else { return nil }
        let deleting: Int64 = row[3]
        return (ObjectKey(type: row[0], namespace: row[1], name: row[2]), deleting != 0)
    }

    /// The keys of the objects that name `uid` in their owner references.
    func dependents(of uid: String) throws -> [ObjectKey] {
        let statement = try db.cachedStatement(sql: "SELECT type, namespace, name FROM owner_refs WHERE owner_uid = ?")
        return try Row.fetchAll(statement, arguments: [uid]).map {
            ObjectKey(type: $0[0], namespace: $0[1], name: $0[2])
        }
    }

    static func decode(_ row: Row, column: Int) throws -> Resource {
        try row.withUnsafeData(atIndex: column) { data in
            guard let data else { throw APIError.internalError("an object is stored without data") }
            return try Resource(JSONValue(parsingJSON: data))
        }
    }

    // MARK: Writing rows

    private static func labelsData(_ object: Resource) -> Data? {
        guard let labels = object.object["metadata"]?["labels"], case .object(let members) = labels,
            !members.isEmpty
        else { return nil }
        return Data(labels.jsonBytes())
    }

    private func appendHistory(_ kind: StoreEvent.Kind, _ key: ObjectKey, _ rv: Int64, labels: Data?, data: Data)
        throws
    {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO history (rv, type, namespace, name, event, labels, data) VALUES (?, ?, ?, ?, ?, ?, ?)")
        try statement.execute(arguments: [rv, key.type, key.namespace, key.name, kind.rawValue, labels, data])
    }

    private func addOwnerReferences(_ key: ObjectKey, uids: some Sequence<String>) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO owner_refs (owner_uid, type, namespace, name) VALUES (?, ?, ?, ?)")
        for uid in uids where !uid.isEmpty {
            try statement.execute(arguments: [uid, key.type, key.namespace, key.name])
        }
    }

    private func removeOwnerReferences(_ key: ObjectKey, uids: some Sequence<String>) throws {
        let statement = try db.cachedStatement(
            sql: "DELETE FROM owner_refs WHERE owner_uid = ? AND type = ? AND namespace = ? AND name = ?")
        for uid in uids where !uid.isEmpty {
            try statement.execute(arguments: [uid, key.type, key.namespace, key.name])
        }
    }

    /// Stores a new object at the next resourceVersion.
    ///
    /// - Returns: the object as stored, or `nil` when the key is taken.
    func insert(_ key: ObjectKey, _ object: Resource) throws -> Resource? {
        var object = object
        let rv = resourceVersion + 1
        object.resourceVersion = String(rv)
        let data = Data(object.value.jsonBytes())
        try checkSize(key, data)
        let labels = Self.labelsData(object)
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO objects (type, namespace, name, uid, rv, deleting, labels, data)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        do {
            try statement.execute(arguments: [
                key.type, key.namespace, key.name, object.uid ?? "", rv, object.isBeingDeleted ? 1 : 0, labels, data,
            ])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            return nil
        }
        resourceVersion = rv
        try appendHistory(.added, key, rv, labels: labels, data: data)
        let owners = object.ownerReferences
        try addOwnerReferences(key, uids: owners.map(\.uid))
        events.append(StoreEvent(kind: .added, key: key, resourceVersion: rv, object: object, bytes: data.count))
        if !owners.isEmpty { enqueue(.attemptToDelete(key)) }
        return object
    }

    /// Replaces a stored object at the next resourceVersion.
    @discardableResult
    func replace(_ key: ObjectKey, old: Resource, new: Resource) throws -> Resource {
        var object = new
        let rv = resourceVersion + 1
        resourceVersion = rv
        object.resourceVersion = String(rv)
        let data = Data(object.value.jsonBytes())
        try checkSize(key, data)
        let labels = Self.labelsData(object)
        let statement = try db.cachedStatement(
            sql: """
                UPDATE objects SET uid = ?, rv = ?, deleting = ?, labels = ?, data = ?
                WHERE type = ? AND namespace = ? AND name = ?
                """)
        try statement.execute(arguments: [
            object.uid ?? "", rv, object.isBeingDeleted ? 1 : 0, labels, data, key.type, key.namespace, key.name,
        ])
        try appendHistory(.modified, key, rv, labels: labels, data: data)
        let oldOwners = old.ownerReferences
        let newOwners = object.ownerReferences
        if oldOwners != newOwners {
            let oldUIDs = Set(oldOwners.map(\.uid))
            let newUIDs = Set(newOwners.map(\.uid))
            try removeOwnerReferences(key, uids: oldUIDs.subtracting(newUIDs))
            try addOwnerReferences(key, uids: newUIDs.subtracting(oldUIDs))
            if !newOwners.isEmpty { enqueue(.attemptToDelete(key)) }
            // A removed or unblocked reference may let an owner's foreground deletion finish.
            for uid in oldUIDs { enqueue(.deletingDependents(uid)) }
        }
        events.append(StoreEvent(kind: .modified, key: key, resourceVersion: rv, object: object, previous: old, bytes: data.count))
        return object
    }

    /// Deletes a stored object at the next resourceVersion.
    ///
    /// - Returns: its last state, with the deletion's resourceVersion.
    @discardableResult
    func remove(_ key: ObjectKey, last: Resource) throws -> Resource {
        var object = last
        let rv = resourceVersion + 1
        resourceVersion = rv
        object.resourceVersion = String(rv)
        let statement = try db.cachedStatement(
            sql: "DELETE FROM objects WHERE type = ? AND namespace = ? AND name = ?")
        try statement.execute(arguments: [key.type, key.namespace, key.name])
        try appendHistory(
            .deleted, key, rv, labels: Self.labelsData(object), data: Data(object.value.jsonBytes()))
        let owners = object.ownerReferences
        try removeOwnerReferences(key, uids: owners.map(\.uid))
        events.append(StoreEvent(kind: .deleted, key: key, resourceVersion: rv, object: object))
        if let uid = object.uid, !uid.isEmpty {
            for dependent in try dependents(of: uid) { enqueue(.attemptToDelete(dependent)) }
        }
        for owner in owners { enqueue(.deletingDependents(owner.uid)) }
        if !key.namespace.isEmpty { enqueue(.finalizeNamespace(key.namespace)) }
        return object
    }

    /// Writes `updated` over `old`, or deletes the object when `updated` is being deleted and no
    /// finalizer holds it any more.
    ///
    /// - Returns: the object as written (or as deleted) and whether it was deleted.
    func settle(_ key: ObjectKey, old: Resource, updated: Resource) throws -> (object: Resource, removed: Bool) {
        if updated.isBeingDeleted, updated.finalizers.isEmpty, Self.graceIsOver(updated),
            key.type != Self.namespaceKey || Self.namespaceSpecFinalizers(updated).isEmpty
        {
            return (try remove(key, last: updated), true)
        }
        if updated == old { return (old, false) }
        return (try replace(key, old: old, new: updated), false)
    }

    static func namespaceSpecFinalizers(_ namespace: Resource) -> [String] {
        namespace.object["spec"]?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    // MARK: Garbage collection work

    func enqueue(_ task: CollectorTask) {
        if pendingTasks.insert(task).inserted { tasks.append(task) }
    }

    /// Runs the garbage collector until nothing is left to do.
    func collectGarbage() throws {
        if dryRun { return }
        var steps = 0
        while nextTask < tasks.count {
            let task = tasks[nextTask]
            nextTask += 1
            pendingTasks.remove(task)
            steps += 1
            if steps > 10_000_000 {
                throw APIError.internalError("garbage collection did not settle")
            }
            try run(task)
            if nextTask > 4096, nextTask * 2 > tasks.count {
                tasks.removeFirst(nextTask)
                nextTask = 0
            }
        }
    }
}

/// Work for the garbage collector, as kube-controller-manager's queues hold it.
enum CollectorTask: Hashable {
    /// Delete the object if none of its owners remains (kube's `attemptToDelete`).
    case attemptToDelete(ObjectKey)
    /// Finish the foreground deletion of the owner with this uid when no blocking dependent is left.
    case deletingDependents(String)
    /// Remove references to the owner with this uid from its dependents, then its `orphan` finalizer.
    case orphan(String)
    /// Delete everything in a terminating namespace.
    case emptyNamespace(String)
    /// Delete a terminating namespace once it is empty.
    case finalizeNamespace(String)
}
