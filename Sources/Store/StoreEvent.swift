import OrderedCollections
import Resources

/// A committed change, as the store publishes it to watches.
struct StoreEvent: Sendable {
    enum Kind: Int, Sendable {
        case added = 0
        case modified = 1
        case deleted = 2
    }

    var kind: Kind
    var key: ObjectKey
    var resourceVersion: Int64
    /// The new state; for `deleted`, the last state with the deletion's resourceVersion.
    var object: Resource
    /// The state before a `modified` change, when known (needed to filter on labels).
    var previous: Resource?
    /// The bytes of JSON `object` was stored as (0 when not known).
    var bytes = 0
}

/// Where an object is filed: its type (`group/resource`), namespace ("" when cluster-scoped)
/// and name.
struct ObjectKey: Sendable, Hashable {
    var type: String
    var namespace: String
    var name: String
}

/// What a watch lets through, and how it turns store events into watch events.
struct WatchFilter: Sendable {
    var type: String
    var namespace: String?
    var labelSelector: LabelSelector
    var fieldSelector: FieldSelector

    /// Whether the filter wants events of `key` at all (type, namespace and field selector;
    /// these never change for a key).
    func accepts(_ key: ObjectKey) -> Bool {
        guard key.type == type else { return false }
        if let namespace, namespace != key.namespace { return false }
        return fieldSelector.matches(namespace: key.namespace, name: key.name)
    }

    /// The event this watch sees, as kube's watch cache decides: an object that starts matching
    /// the label selector is `ADDED`, one that stops matching is `DELETED` (its previous state at
    /// the event's resourceVersion).
    func transform(_ event: StoreEvent) -> WatchEvent? {
        guard accepts(event.key) else { return nil }
        if labelSelector.isEmpty, !fieldSelector.selectsOnObject {
            switch event.kind {
            case .added: return .added(event.object)
            case .modified: return .modified(event.object)
            case .deleted: return .deleted(event.object)
            }
        }
        let current = event.kind != .deleted && matchesLabels(event.object)
        let previous: Bool
        switch event.kind {
        case .added: previous = false
        case .modified: previous = event.previous.map(matchesLabels) ?? false
        case .deleted: previous = matchesLabels(event.object)
        }
        switch (current, previous) {
        case (true, false): return .added(event.object)
        case (true, true): return .modified(event.object)
        case (false, true):
            if event.kind == .deleted { return .deleted(event.object) }
            var last = event.previous ?? event.object
            last.resourceVersion = String(event.resourceVersion)
            return .deleted(last)
        case (false, false): return nil
        }
    }

    /// Whether `object` matches the label selector and the field selector's requirements on
    /// fields other than name and namespace (those can change, as labels can).
    func matchesLabels(_ object: Resource) -> Bool {
        labelSelector.matches(object.labelDictionary) && fieldSelector.matches(object)
    }

    /// Whether deciding on an event needs the object's previous state.
    var needsPrevious: Bool { !labelSelector.isEmpty || fieldSelector.selectsOnObject }
}

extension Resource {
    /// The labels as a plain dictionary, as ``LabelSelector/matches(_:)`` takes them.
    var labelDictionary: [String: String] {
        guard let members = object["metadata"]?["labels"]?.objectValue else { return [:] }
        var out: [String: String] = [:]
        out.reserveCapacity(members.count)
        for (key, value) in members {
            if let string = value.stringValue { out[key] = string }
        }
        return out
    }
}
