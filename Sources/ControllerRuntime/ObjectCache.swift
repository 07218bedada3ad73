import OrderedCollections
public import Resources
import Synchronization

/// Computes the index values of an object (the uids of its owners, a label's value…).
public typealias IndexFunction = @Sendable (Resource) -> [String]

/// The objects of one kind as the informer last saw them, with secondary indexes.
///
/// Reads are synchronous and never wait on the network: reconcilers read here, not from the
/// API server. Objects are stored without `metadata.managedFields` (nobody reads them from the
/// cache; they are most of an object's size), and as their JSON text: a parsed object takes
/// about four times the memory of its text, and the caches of every kind hold the whole
/// application set (at 10,000 applications, 160,000 objects). A read parses the object again,
/// outside the lock; readers that need only keys ask for keys (``keys(index:value:)``).
///
/// The update methods (``store(_:)``, ``remove(_:)``, ``replace(with:)``) are called by one
/// task at a time — the informer's.
public final class ObjectCache: Sendable {
    /// An object as the cache keeps it.
    private struct Entry: Sendable {
        var resourceVersion: String?
        /// The object's JSON text.
        var text: [UInt8]

        init(_ object: Resource) {
            resourceVersion = object.resourceVersion
            text = object.value.jsonBytes()
        }

        /// The object, parsed again (the text is what the cache wrote, so it parses).
        var object: Resource? {
            guard let value = try? JSONValue(parsingJSON: text) else { return nil }
            return try? Resource(value)
        }
    }

    private struct State {
        var objects: [ObjectKey: Entry] = [:]
        /// index name → value → keys.
        var indexes: [String: [String: Set<ObjectKey>]] = [:]
        var isSynced = false
    }

    private let state = Mutex(State())
    private let indexFunctions: [String: IndexFunction]

    /// A cache with the given indexes.
    public init(indexes: [String: IndexFunction] = [:]) {
        self.indexFunctions = indexes
    }

    /// The index names this cache maintains.
    public var indexNames: [String] { indexFunctions.keys.sorted() }

    /// Whether the first list has arrived.
    public var isSynced: Bool { state.withLock { $0.isSynced } }

    /// The object named `key`.
    public func get(_ key: ObjectKey) -> Resource? {
        state.withLock { $0.objects[key] }?.object
    }

    /// The object `name` in `namespace` (`nil` for cluster-scoped).
    public func get(namespace: String?, name: String) -> Resource? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// Every object, or those of `namespace`, matching `selector`; sorted by key.
    public func list(namespace: String? = nil, selector: LabelSelector? = nil) -> [Resource] {
        let entries = state.withLock { state in
            state.objects.filter { key, _ in namespace == nil || key.namespace == namespace }
        }
        return entries.sorted { $0.key < $1.key }.compactMap { _, entry in
            guard let object = entry.object else { return nil }
            if let selector, !selector.matches(object.plainLabels) { return nil }
            return object
        }
    }

    /// The keys of every object.
    public var keys: [ObjectKey] { state.withLock { Array($0.objects.keys) } }

    public var count: Int { state.withLock { $0.objects.count } }

    /// The objects whose index `index` has `value`, sorted by key.
    public func objects(index: String, value: String) -> [Resource] {
        let entries = state.withLock { state in
            (state.indexes[index]?[value] ?? []).sorted().compactMap { state.objects[$0] }
        }
        return entries.compactMap(\.object)
    }

    /// The keys of the objects whose index `index` has `value`, sorted; no object is parsed.
    public func keys(index: String, value: String) -> [ObjectKey] {
        state.withLock { state in (state.indexes[index]?[value] ?? []).sorted() }
    }

    // MARK: Updates (by the informer)

    /// Replaces everything with `objects` and returns what changed.
    func replace(with objects: [Resource]) -> [InformerEvent] {
        var incoming: [ObjectKey: (object: Resource, entry: Entry)] = [:]
        incoming.reserveCapacity(objects.count)
        for object in objects {
            let trimmed = Self.trimmed(object)
            incoming[ObjectKey(trimmed)] = (trimmed, Entry(trimmed))
        }
        let previous = state.withLock { $0.objects }
        var events: [InformerEvent] = []
        for (key, old) in previous where incoming[key] == nil {
            if let object = old.object { events.append(.deleted(object)) }
        }
        for (key, new) in incoming {
            if let old = previous[key] {
                if old.resourceVersion != new.entry.resourceVersion, let object = old.object {
                    events.append(.updated(old: object, new: new.object))
                }
            } else {
                events.append(.added(new.object))
            }
        }
        var indexes: [String: [String: Set<ObjectKey>]] = [:]
        for (key, new) in incoming {
            for (name, value) in indexValues(of: new.object) { indexes[name, default: [:]][value, default: []].insert(key) }
        }
        let entries = incoming.mapValues(\.entry)
        state.withLock { state in
            state.objects = entries
            state.indexes = indexes
            state.isSynced = true
        }
        return events
    }

    /// Stores `object` (added or modified) and returns the event to deliver, if any.
    func store(_ object: Resource) -> InformerEvent? {
        let object = Self.trimmed(object)
        let key = ObjectKey(object)
        let entry = Entry(object)
        let added = indexValues(of: object)
        // The previous object is parsed outside the lock: only the informer updates the cache.
        let old = state.withLock { $0.objects[key] }?.object
        let removed = old.map(indexValues(of:)) ?? []
        state.withLock { state in
            state.objects[key] = entry
            Self.unindex(removed, key: key, in: &state)
            Self.index(added, key: key, in: &state)
        }
        guard let old else { return .added(object) }
        return old.resourceVersion == object.resourceVersion ? nil : .updated(old: old, new: object)
    }

    /// Removes `object` and returns the event to deliver.
    func remove(_ object: Resource) -> InformerEvent {
        let key = ObjectKey(object)
        guard let old = state.withLock({ $0.objects[key] })?.object else {
            _ = state.withLock { $0.objects.removeValue(forKey: key) }
            return .deleted(Self.trimmed(object))
        }
        let removed = indexValues(of: old)
        state.withLock { state in
            state.objects.removeValue(forKey: key)
            Self.unindex(removed, key: key, in: &state)
        }
        return .deleted(old)
    }

    /// Every (index name, value) pair of `object`.
    private func indexValues(of object: Resource) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for (name, function) in indexFunctions {
            for value in function(object) { pairs.append((name, value)) }
        }
        return pairs
    }

    private static func index(_ pairs: [(String, String)], key: ObjectKey, in state: inout State) {
        for (name, value) in pairs { state.indexes[name, default: [:]][value, default: []].insert(key) }
    }

    private static func unindex(_ pairs: [(String, String)], key: ObjectKey, in state: inout State) {
        for (name, value) in pairs {
            state.indexes[name]?[value]?.remove(key)
            if state.indexes[name]?[value]?.isEmpty == true { state.indexes[name]?[value] = nil }
        }
    }

    /// `object` without what no reconciler reads from a cache.
    static func trimmed(_ object: Resource) -> Resource {
        guard object.object["metadata"]?["managedFields"] != nil else { return object }
        var object = object
        object.withMetadata { $0["managedFields"] = nil }
        return object
    }
}

/// Index functions every controller needs.
public enum Indexes {
    /// The uids of an object's owners.
    public static let owner = "owner"
    /// The uid of an object's controller owner.
    public static let controllerOwner = "controller-owner"

    public static let ownerFunction: IndexFunction = { object in object.ownerReferences.map(\.uid) }
    public static let controllerOwnerFunction: IndexFunction = { object in
        object.controllerReference.map { [$0.uid] } ?? []
    }

    /// An index by the value of label `key` (namespaced as `namespace/value`).
    public static func label(_ key: String) -> IndexFunction {
        { object in object.labels[key].map { ["\(object.namespace ?? "")/\($0)"] } ?? [] }
    }
}

extension Resource {
    /// The labels as a plain dictionary, for selectors.
    var plainLabels: [String: String] {
        Dictionary(labels.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}
