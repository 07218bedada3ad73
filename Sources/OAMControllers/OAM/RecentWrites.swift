import ControllerRuntime
import Resources
import Synchronization

/// The objects the AppConfig reconciler applied, each kept until the informer of its kind has
/// handled the write. A reconcile that runs before then (the AppConfig's own status write queues
/// one) reads the object as it was before the write; without this it would apply the same content
/// again — a second write and a second `PrunedUndeclaredFields` Event. client-go's mutation cache
/// answers the same need. Once the informer has handled the write (and whatever followed it: a
/// change by someone else, a deletion), the cache is trusted again.
final class RecentWrites: Sendable {
    struct Key: Hashable, Sendable {
        var kind: GroupVersionKind
        var namespace: String
        var name: String

        init(_ object: Resource) {
            kind = object.groupVersionKind
            namespace = object.namespace ?? ""
            name = object.name
        }
    }

    /// What was written: the content's hash (``AppliedState/annotation``) and the resourceVersion
    /// the server gave it.
    struct Write: Sendable, Equatable {
        var hash: String
        var resourceVersion: String
    }

    /// More writes than this waiting for their informers are swept of those already handled.
    static let sweepAbove = 4_096

    private let writes = Mutex<[Key: Write]>([:])

    /// Whether the last write of `key` had content `hash` and `informer` has not handled it yet:
    /// applying `hash` again would change nothing. A write the informer has handled is forgotten.
    func isPending(_ key: Key, hash: String, informer: Informer) -> Bool {
        guard let write = writes.withLock({ $0[key] }) else { return false }
        guard !informer.hasSeen(resourceVersion: write.resourceVersion) else {
            writes.withLock { if $0[key] == write { $0[key] = nil } }
            return false
        }
        return write.hash == hash
    }

    /// Notes a write of `key`; `informer` finds the informer of a kind, to sweep writes already handled.
    func record(_ key: Key, _ write: Write, informer: (GroupVersionKind) -> Informer) {
        let all = writes.withLock { writes -> [Key: Write]? in
            writes[key] = write
            return writes.count > Self.sweepAbove ? writes : nil
        }
        guard let all else { return }
        let handled = all.filter { informer($0.key.kind).hasSeen(resourceVersion: $0.value.resourceVersion) }
        writes.withLock { writes in
            for (key, write) in handled where writes[key] == write { writes[key] = nil }
        }
    }

    /// How many writes wait for their informers (for tests).
    var count: Int { writes.withLock { $0.count } }
}
