import Resources
import Synchronization

/// Objects the store wrote or read lately, parsed, by key and resourceVersion: a write that
/// loads the object a request has just read (a patch reads, then updates), or a read of an
/// object just written, finds it here instead of parsing its JSON again.
///
/// Only committed states go in — what a reader saw, or what a committed transaction wrote — so
/// an entry whose resourceVersion matches the row's is that row: a committed resourceVersion is
/// never given to another write. When full, it starts again empty (cheaper than an LRU, and
/// the entries that count are seconds old).
final class RecentObjects: Sendable {
    private let entries = Mutex<[ObjectKey: (resourceVersion: Int64, object: Resource)]>([:])
    let capacity: Int

    init(capacity: Int = 2_048) {
        self.capacity = max(1, capacity)
    }

    /// The object stored at `key` with `resourceVersion`, if it is here.
    func object(at key: ObjectKey, resourceVersion: Int64) -> Resource? {
        guard let entry = entries.withLock({ $0[key] }), entry.resourceVersion == resourceVersion else { return nil }
        return entry.object
    }

    /// Remembers the committed state `object` of `key`.
    func remember(_ object: Resource, at key: ObjectKey, resourceVersion: Int64) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = (resourceVersion, object)
        }
    }

    func forget(_ key: ObjectKey) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
