import Resources
import Synchronization

/// Objects the store wrote or read lately, parsed, by key and resourceVersion: a write that
/// loads the object a request has just read (a patch reads, then updates), or a read of an
/// object just written, finds it here instead of parsing its JSON again.
///
/// Only committed states go in — what a reader saw, or what a committed transaction wrote — so
/// an entry whose resourceVersion matches the row's is that row: a committed resourceVersion is
/// never given to another write. When full — by count, or by the bytes of JSON its objects were
/// read from — it starts again empty (cheaper than an LRU, and the entries that count are
/// seconds old). Objects above ``maximumObjectBytes`` are not kept: a flood of large objects
/// must not hold thousands of them parsed (a parsed object takes about four times its JSON).
final class RecentObjects: Sendable {
    private struct Entries {
        var objects: [ObjectKey: (resourceVersion: Int64, object: Resource, bytes: Int)] = [:]
        var bytes = 0
    }

    private let entries = Mutex(Entries())
    let capacity: Int
    let byteCapacity: Int
    /// The largest object kept, in bytes of JSON.
    static let maximumObjectBytes = 64 * 1024

    init(capacity: Int = 2_048, byteCapacity: Int = 16 * 1024 * 1024) {
        self.capacity = max(1, capacity)
        self.byteCapacity = max(1, byteCapacity)
    }

    /// The object stored at `key` with `resourceVersion`, if it is here.
    func object(at key: ObjectKey, resourceVersion: Int64) -> Resource? {
        guard let entry = entries.withLock({ $0.objects[key] }), entry.resourceVersion == resourceVersion else {
            return nil
        }
        return entry.object
    }

    /// Remembers the committed state `object` of `key`, read from or written as `bytes` of JSON.
    func remember(_ object: Resource, at key: ObjectKey, resourceVersion: Int64, bytes: Int) {
        entries.withLock { entries in
            if let previous = entries.objects.removeValue(forKey: key) { entries.bytes -= previous.bytes }
            guard bytes <= Self.maximumObjectBytes else { return }
            if entries.objects.count >= capacity || entries.bytes + bytes > byteCapacity {
                entries.objects.removeAll(keepingCapacity: true)
                entries.bytes = 0
            }
            entries.objects[key] = (resourceVersion, object, bytes)
            entries.bytes += bytes
        }
    }

    func forget(_ key: ObjectKey) {
        entries.withLock { entries in
            if let previous = entries.objects.removeValue(forKey: key) { entries.bytes -= previous.bytes }
        }
    }
}
