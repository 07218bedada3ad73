import ControllerRuntime
import OrderedCollections
import Resources
import Synchronization

/// Counts, by kind, the objects that change while it listens, as the informers of some managers
/// see them: what a resync that should write nothing wrote, and which fields moved.
///
/// Objects without an informer (Events, for example) are not seen: the benchmark's write count,
/// taken from resourceVersions, is the total.
final class WriteTally: Sendable {
    private struct State {
        var listening = false
        /// `kind namespace/name resourceVersion`, so an object seen by two managers counts once.
        var seen: Set<String> = []
        var counts: [String: Int] = [:]
        var examples: [String] = []
    }

    private let state = Mutex(State())
    /// How many changed objects to describe.
    let exampleLimit = 8

    /// Kinds no controller informs on but that the controllers write: Events, and the node's Lease.
    static let unwatchedKinds = [
        GroupVersionKind(group: "", version: "v1", kind: "Event"),
        GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease"),
    ]

    /// Listens to every informer of `managers` (call after the informers exist), and to
    /// ``unwatchedKinds`` through informers it starts on the first manager; returns when those have synced.
    func attach(to managers: [Manager]) async {
        if let first = managers.first {
            for kind in Self.unwatchedKinds { _ = first.informer(for: kind) }
        }
        for manager in managers {
            for kind in Self.unwatchedKinds {
                guard let informer = manager.existingInformer(for: kind) else { continue }
                while !informer.hasSynced { try? await Task.sleep(for: .milliseconds(50)) }
            }
        }
        for manager in managers {
            for kind in manager.informedKinds {
                manager.informer(for: kind).addHandler { [weak self] event in self?.record(event) }
            }
        }
    }

    func start() { state.withLock { $0 = State(listening: true) } }

    /// Stops listening; the counts by kind, most first, and descriptions of the first changes.
    func stop() -> (counts: [(kind: String, count: Int)], examples: [String]) {
        state.withLock { state in
            state.listening = false
            let counts = state.counts.map { (kind: $0.key, count: $0.value) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : $0.kind < $1.kind }
            return (counts, state.examples)
        }
    }

    private func record(_ event: InformerEvent) {
        let object = event.object
        let key = "\(object.kind) \(object.namespace ?? "")/\(object.name) \(object.resourceVersion ?? "")"
        state.withLock { state in
            guard state.listening, state.seen.insert(key).inserted else { return }
            state.counts[object.kind, default: 0] += 1
            guard state.examples.count < exampleLimit else { return }
            let change = switch event {
            case .added: "created"
            case .deleted: "deleted"
            case .updated(let old, let new):
                "changed " + Self.changedPaths(old.value, new.value, at: "").prefix(6).joined(separator: ", ")
            }
            state.examples.append("\(object.kind) \(object.namespace.map { "\($0)/" } ?? "")\(object.name): \(change)")
        }
    }

    /// The paths where `old` and `new` differ, resourceVersion and managed fields' times left out.
    static func changedPaths(_ old: JSONValue, _ new: JSONValue, at path: String) -> [String] {
        if old == new { return [] }
        if case .array(let oldElements) = old, case .array(let newElements) = new, oldElements.count == newElements.count {
            return zip(oldElements, newElements).enumerated().flatMap { index, pair in
                changedPaths(pair.0, pair.1, at: "\(path)[\(index)]")
            }
        }
        guard case .object(let oldMembers) = old, case .object(let newMembers) = new else { return [path] }
        var keys = OrderedSet(oldMembers.keys)
        keys.append(contentsOf: newMembers.keys)
        return keys.flatMap { key -> [String] in
            let child = path.isEmpty ? key : "\(path).\(key)"
            if child == "metadata.resourceVersion" { return [] }
            return changedPaths(oldMembers[key] ?? .null, newMembers[key] ?? .null, at: child)
        }
    }
}
