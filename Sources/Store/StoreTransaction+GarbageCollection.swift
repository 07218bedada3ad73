import OrderedCollections
import GRDB
import Resources

/// The garbage collector of kube-controller-manager, run inside the write transaction that set
/// it off so that a crash can never leave half of a cascade behind.
extension StoreTransaction {
    func run(_ task: CollectorTask) throws {
        switch task {
        case .attemptToDelete(let key): try attemptToDelete(key)
        case .deletingDependents(let uid): try processDeletingDependents(uid)
        case .orphan(let uid): try orphanDependents(uid)
        case .emptyNamespace(let name): try emptyNamespace(name)
        case .finalizeNamespace(let name): try finalizeNamespace(name)
        }
    }

    private static func isDeletingDependents(_ object: Resource) -> Bool {
        object.isBeingDeleted && object.finalizers.contains(Finalizer.foregroundDeletion)
    }

    /// Kube's `attemptToDeleteItem`: an object none of whose owners remains is deleted; references
    /// to missing owners (and to owners waiting for their dependents) are dropped from an object
    /// that still has a live owner.
    private func attemptToDelete(_ key: ObjectKey) throws {
        guard var item = try load(key) else { return }
        if Self.isDeletingDependents(item) {
            enqueue(.deletingDependents(item.uid ?? ""))
            return
        }
        if item.isBeingDeleted { return }
        let references = item.ownerReferences
        if references.isEmpty { return }

        var solid: [OwnerReference] = []
        var dangling: [OwnerReference] = []
        var waiting: [OwnerReference] = []
        for reference in references {
            // Only an owner being deleted is parsed: the others are solid by their key alone.
            if let owner = try locate(uid: reference.uid), owner.key.namespace.isEmpty || owner.key.namespace == key.namespace {
                if owner.deleting, let object = try load(uid: reference.uid)?.object, Self.isDeletingDependents(object) {
                    waiting.append(reference)
                } else {
                    solid.append(reference)
                }
            } else {
                dangling.append(reference)
            }
        }
        if !solid.isEmpty {
            if dangling.isEmpty, waiting.isEmpty { return }
            let drop = Set((dangling + waiting).map(\.uid))
            var updated = item
            updated.ownerReferences = references.filter { !drop.contains($0.uid) }
            try replace(key, old: item, new: updated)
            return
        }
        if !waiting.isEmpty, let uid = item.uid, case let dependents = try dependents(of: uid), !dependents.isEmpty {
            // Deleted in the foreground so that the waiting owner waits for this object's own
            // dependents too. An owner cycle would deadlock: unblock our references first.
            for dependent in dependents {
                if let object = try load(dependent), Self.isDeletingDependents(object) {
                    var updated = item
                    updated.ownerReferences = references.map { reference in
                        var reference = reference
                        if reference.blockOwnerDeletion == true { reference.blockOwnerDeletion = false }
                        return reference
                    }
                    item = try replace(key, old: item, new: updated)
                    break
                }
            }
            _ = try deleteObject(key, existing: item, policy: .foreground)
            return
        }
        let finalizers = item.finalizers
        let policy: PropagationPolicy =
            finalizers.contains(Finalizer.orphan)
            ? .orphan : finalizers.contains(Finalizer.foregroundDeletion) ? .foreground : .background
        _ = try deleteObject(key, existing: item, policy: policy)
    }

    /// Kube's `processDeletingDependentsItem`: an owner in foreground deletion loses its
    /// `foregroundDeletion` finalizer once no dependent with `blockOwnerDeletion: true` remains.
    private func processDeletingDependents(_ uid: String) throws {
        guard !uid.isEmpty, let (key, owner) = try load(uid: uid), Self.isDeletingDependents(owner) else { return }
        var blocking: [ObjectKey] = []
        for dependentKey in try dependents(of: uid) {
            guard let dependent = try load(dependentKey) else { continue }
            if dependent.ownerReferences.contains(where: { $0.uid == uid && $0.blockOwnerDeletion == true }) {
                blocking.append(dependentKey)
                if !Self.isDeletingDependents(dependent) { enqueue(.attemptToDelete(dependentKey)) }
            }
        }
        if blocking.isEmpty {
            var updated = owner
            updated.finalizers = owner.finalizers.filter { $0 != Finalizer.foregroundDeletion }
            _ = try settle(key, old: owner, updated: updated)
        }
    }

    /// Kube's orphaning: dependents lose their reference to the owner, then the owner loses its
    /// `orphan` finalizer (and goes, when it was the last).
    private func orphanDependents(_ uid: String) throws {
        guard !uid.isEmpty, let (key, owner) = try load(uid: uid), owner.isBeingDeleted,
            owner.finalizers.contains(Finalizer.orphan)
        else { return }
        for dependentKey in try dependents(of: uid) {
            guard let dependent = try load(dependentKey) else { continue }
            var updated = dependent
            updated.ownerReferences = dependent.ownerReferences.filter { $0.uid != uid }
            if updated != dependent { try replace(dependentKey, old: dependent, new: updated) }
        }
        var updated = owner
        updated.finalizers = owner.finalizers.filter { $0 != Finalizer.orphan }
        _ = try settle(key, old: owner, updated: updated)
    }

    /// The namespace controller's first step: delete everything in a terminating namespace,
    /// honouring the finalizers of what is in it.
    private func emptyNamespace(_ name: String) throws {
        let key = ObjectKey(type: Self.namespaceKey, namespace: "", name: name)
        guard let namespace = try load(key), namespace.isBeingDeleted else { return }
        let statement = try db.cachedStatement(
            sql: "SELECT type, name, deleting, data FROM objects WHERE namespace = ? ORDER BY type, name")
        let rows = try Row.fetchAll(statement, arguments: [name])
        for row in rows {
            let deleting: Int = row[2]
            if deleting != 0 { continue }
            let objectKey = ObjectKey(type: row[0], namespace: name, name: row[1])
            _ = try deleteObject(objectKey, existing: try Self.decode(row, column: 3), policy: nil)
        }
        enqueue(.finalizeNamespace(name))
    }

    /// The namespace controller's last step: a terminating namespace with nothing left in it
    /// loses its `kubernetes` finalizer and is deleted.
    private func finalizeNamespace(_ name: String) throws {
        let key = ObjectKey(type: Self.namespaceKey, namespace: "", name: name)
        guard let namespace = try load(key), namespace.isBeingDeleted else { return }
        let statement = try db.cachedStatement(sql: "SELECT 1 FROM objects WHERE namespace = ? LIMIT 1")
        if try Row.fetchOne(statement, arguments: [name]) != nil { return }
        var updated = namespace
        let specFinalizers = Self.namespaceSpecFinalizers(namespace)
        var current = namespace
        if specFinalizers.contains(Finalizer.kubernetes) {
            var spec = namespace.spec?.objectValue ?? [:]
            let remaining = specFinalizers.filter { $0 != Finalizer.kubernetes }
            if remaining.isEmpty {
                spec.removeValue(forKey: "finalizers")
            } else {
                spec["finalizers"] = .array(remaining.map(JSONValue.string))
            }
            updated.spec = .object(spec)
            current = try replace(key, old: namespace, new: updated)
        }
        _ = try settle(key, old: current, updated: current)
    }

    /// On open: finish what a crash (or an older version) left undone — dependents of owners
    /// that are gone, owners waiting in foreground or orphan deletion, terminating namespaces.
    func sweep() throws {
        let orphaned = try String.fetchAll(
            db,
            sql: "SELECT DISTINCT owner_uid FROM owner_refs WHERE owner_uid NOT IN (SELECT uid FROM objects)")
        for uid in orphaned {
            for dependent in try dependents(of: uid) { enqueue(.attemptToDelete(dependent)) }
        }
        let deleting = try Row.fetchAll(db, sql: "SELECT type, namespace, name, data FROM objects WHERE deleting = 1")
        for row in deleting {
            let key = ObjectKey(type: row[0], namespace: row[1], name: row[2])
            let object = try Self.decode(row, column: 3)
            guard let uid = object.uid else { continue }
            if key.type == Self.namespaceKey { enqueue(.emptyNamespace(key.name)) }
            if object.finalizers.contains(Finalizer.foregroundDeletion) {
                for dependent in try dependents(of: uid) { enqueue(.attemptToDelete(dependent)) }
                enqueue(.deletingDependents(uid))
            }
            if object.finalizers.contains(Finalizer.orphan) { enqueue(.orphan(uid)) }
        }
        try collectGarbage()
    }

    /// Drops history older than `keep` revisions, or up to `aged` (a resourceVersion older than
    /// the retention, see ``HistoryCheckpoints``), except the latest revision of each live key
    /// (etcd's compaction).
    ///
    /// The latest revision always stays, whatever it is: the store's resourceVersion is the
    /// newest row of the history, and were that a deletion compacted away, the next write would
    /// be given a resourceVersion already published (watchers saw one event twice in the
    /// robustness test's long run, after a batch that wrote nothing compacted through its own
    /// resourceVersion).
    func compactIfNeeded(keep: Int64, through aged: Int64 = 0) throws {
        let compacted = try StoreSchema.compactedResourceVersion(db)
        let byCount = resourceVersion - max(1, keep)
        let batch = max(1, min(1000, keep / 10))
        let byAge = min(aged, resourceVersion - 1)
        guard byCount - compacted >= batch || byAge > compacted else { return }
        let target = max(byCount, byAge)
        try db.execute(
            sql: """
                DELETE FROM history WHERE rv IN (
                    SELECT old.rv FROM history AS new JOIN history AS old
                    ON old.type = new.type AND old.namespace = new.namespace AND old.name = new.name AND old.rv < new.rv
                    WHERE new.rv > ? AND new.rv <= ?);
                DELETE FROM history WHERE rv > ? AND rv <= ? AND event = 2;
                UPDATE meta SET value = ? WHERE key = 'compacted';
                """,
            arguments: [compacted, target, compacted, target, target])
    }
}
