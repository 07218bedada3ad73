import OrderedCollections

/// Remembers the Events written lately, so that a repeat of the same (object, type, reason,
/// message) increments the `count` of the Event already written instead of writing another —
/// client-go's correlator idea, bounded: the least recently used entry goes when it is full.
struct EventCorrelator: Sendable {
    /// What makes two records the same Event.
    struct Key: Sendable, Hashable {
        var object: ObjectReference
        var type: EventSeverity
        var reason: String
        var message: String
    }

    /// The Event written for a key.
    struct Entry: Sendable, Hashable {
        var namespace: String
        var name: String
        var count: Int
        var firstTimestamp: String
    }

    let capacity: Int
    /// Oldest use first. Moving an entry to the end is O(n) in OrderedDictionary; at a few
    /// thousand entries that costs microseconds, next to a write to the API server.
    private(set) var entries: OrderedDictionary<Key, Entry> = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The Event written for `key`, now the most recently used.
    mutating func entry(for key: Key) -> Entry? {
        guard let entry = entries.removeValue(forKey: key) else { return nil }
        entries[key] = entry
        return entry
    }

    /// Remembers `entry` for `key` as the most recently used, forgetting the least recently
    /// used one when full.
    mutating func remember(_ entry: Entry, for key: Key) {
        entries.removeValue(forKey: key)
        entries[key] = entry
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
    }

    mutating func forget(_ key: Key) {
        entries.removeValue(forKey: key)
    }
}
