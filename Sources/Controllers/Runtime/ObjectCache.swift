import OrderedCollections
public import Resources
import Synchronization

/// Computes the index values of an object (the uids of its owners, a label's value…).
public typealias IndexFunction = @Sendable (Resource) -> [String]

/// The objects of one kind as the informer last saw them, with secondary indexes.
///
/// Reads are synchronous and never wait on the network: reconcilers read here, not from the
/// API server. Objects are stored without `metadata.managedFields` (nobody reads them from the
/// cache; they are most of an object's size).
public final class ObjectCache: Sendable {
    private struct State {
        var objects: [ObjectKey: Resource] = [:]
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
        state.withLock { $0.objects[key] }
    }

    /// The object `name` in `namespace` (`nil` for cluster-scoped).
    public func get(namespace: String?, name: String) -> Resource? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// Every object, or those of `namespace`, matching `selector`; sorted by key.
    public func list(namespace: String? = nil, selector: LabelSelector? = nil) -> [Resource] {
        let objects = state.withLock { state in
            state.objects.filter { key, object in
                (namespace == nil || key.namespace == namespace)
                    && (selector.map { $0.matches(object.plainLabels) } ?? true)
            }
        }
        return objects.sorted { $0.key < $1.key }.map(\.value)
    }

    /// How many objects satisfy `predicate`; cheaper than counting a ``list(namespace:selector:)``,
    /// which filters and sorts under the lock. The predicate runs on a snapshot, outside the lock.
    public func count(where predicate: (Resource) -> Bool) -> Int {
        let objects = state.withLock { $0.objects }
        var count = 0
        for object in objects.values where predicate(object) { count += 1 }
        return count
    }

    /// The keys of every object.
    public var keys: [ObjectKey] { state.withLock { Array($0.objects.keys) } }

    public var count: Int { state.withLock { $0.objects.count } }

    /// The objects whose index `index` has `value`, sorted by key.
    public func objects(index: String, value: String) -> [Resource] {
        state.withLock { state in
            (state.indexes[index]?[value] ?? []).sorted().compactMap { state.objects[$0] }
        }
    }

    // MARK: Updates (by the informer)

    /// Replaces everything with `objects` and returns what changed.
    func replace(with objects: [Resource]) -> [InformerEvent] {
        var incoming: [ObjectKey: Resource] = [:]
        incoming.reserveCapacity(objects.count)
        for object in objects { incoming[ObjectKey(object)] = Self.trimmed(object) }
        return state.withLock { state in
            var events: [InformerEvent] = []
            for (key, old) in state.objects where incoming[key] == nil {
                events.append(.deleted(old))
            }
            for (key, new) in incoming {
                if let old = state.objects[key] {
                    if old.resourceVersion != new.resourceVersion { events.append(.updated(old: old, new: new)) }
                } else {
                    events.append(.added(new))
                }
            }
            state.objects = incoming
            state.indexes = [:]
            for (key, object) in incoming { Self.index(object, key: key, in: &state, with: indexFunctions) }
            state.isSynced = true
            return events
        }
    }

    /// Stores `object` (added or modified) and returns the event to deliver, if any.
    func store(_ object: Resource) -> InformerEvent? {
        let object = Self.trimmed(object)
        let key = ObjectKey(object)
        return state.withLock { state in
            let old = state.objects.updateValue(object, forKey: key)
            if let old { Self.unindex(old, key: key, in: &state, with: indexFunctions) }
            Self.index(object, key: key, in: &state, with: indexFunctions)
            guard let old else { return .added(object) }
            return old.resourceVersion == object.resourceVersion ? nil : .updated(old: old, new: object)
        }
    }

    /// Removes `object` and returns the event to deliver.
    func remove(_ object: Resource) -> InformerEvent {
        let key = ObjectKey(object)
        return state.withLock { state in
            guard let old = state.objects.removeValue(forKey: key) else { return .deleted(Self.trimmed(object)) }
            Self.unindex(old, key: key, in: &state, with: indexFunctions)
            return .deleted(old)
        }
    }

    private static func index(
        _ object: Resource, key: ObjectKey, in state: inout State, with functions: [String: IndexFunction]
    ) {
        for (name, function) in functions {
            for value in function(object) { state.indexes[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private static func unindex(
        _ object: Resource, key: ObjectKey, in state: inout State, with functions: [String: IndexFunction]
    ) {
        for (name, function) in functions {
            for value in function(object) {
                state.indexes[name]?[value]?.remove(key)
                if state.indexes[name]?[value]?.isEmpty == true { state.indexes[name]?[value] = nil }
            }
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
