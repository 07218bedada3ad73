import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import Synchronization
import ControllerRuntime

/// The store kinds the AppConfig controller watches, and the kinds found not served.
final class StoreWatches: Sendable {
    let watched = Mutex<Set<GroupVersionKind>>([])
}

extension ApplicationConfigurationReconciler {
    // MARK: Data stores (spec §6.6)

    /// AppConfig index: `namespace/group/kind/name` for every store its `outputStore`s and
    /// `inputStore`s name, so that a change of a store renders the AppConfigs that use it again.
    static let storeIndex = "store"

    static func storeKey(namespace: String, apiVersion: String, kind: String, name: String) -> String {
        "\(namespace)/\(GroupVersion.group(ofAPIVersion: apiVersion))/\(kind)/\(name)"
    }

    /// The index function of ``storeIndex``.
    static let appConfigStores: IndexFunction = { object in
        let namespace = object.namespace ?? ""
        return storeReferences(in: object.valueIfPresent(at: "spec.components") ?? .null).map {
            storeKey(namespace: namespace, apiVersion: $0.apiVersion, kind: $0.kind, name: $0.name)
        }
    }

    /// The stores named in `spec.components` (as JSON: the index reads it undecoded), without
    /// repeats, in spec order.
    static func storeReferences(in components: JSONValue) -> [TypedReference] {
        var found: OrderedSet<TypedReference> = []
        func add(_ owner: JSONValue?) {
            for (list, field) in [("dataOutputs", "outputStore"), ("dataInputs", "inputStore")] {
                for item in owner?[list]?.arrayValue ?? [] {
                    guard let store = item[field], let apiVersion = store["apiVersion"]?.stringValue,
                        let kind = store["kind"]?.stringValue, let name = store["name"]?.stringValue,
                        !apiVersion.isEmpty, !kind.isEmpty, !name.isEmpty
                    else { continue }
                    found.append(TypedReference(apiVersion: apiVersion, kind: kind, name: name))
                }
            }
        }
        for entry in components.arrayValue ?? [] {
            add(entry)
            for trait in entry["traits"]?.arrayValue ?? [] { add(trait) }
        }
        return Array(found)
    }

    /// Watches the kinds of the stores `appConfig` names, so that a change of a store enqueues
    /// the AppConfigs naming it (re-propagation), and returns them: their caches must have synced
    /// before rendering (it would take an existing store for a missing one). A kind the server
    /// does not serve is not watched: its stores count as missing and writing one reports the error.
    func watchStores(of appConfig: ApplicationConfiguration) async -> Set<GroupVersionKind> {
        let references = Self.storeReferences(in: appConfig.resource.valueIfPresent(at: "spec.components") ?? .null)
        guard !references.isEmpty else { return [] }
        var kinds: Set<GroupVersionKind> = []
        for reference in references {
            let kind = GroupVersionKind(reference: reference)
            if kinds.contains(kind) { continue }
            do {
                _ = try await client.mapper.mapping(for: kind)
            } catch let error as ClientError where error.kind == .noMatch {
                continue
            } catch {
                // Discovery failed otherwise: watch it; the informer reports what is wrong.
            }
            kinds.insert(kind)
        }
        let new = storeWatches.watched.withLock { watched -> Set<GroupVersionKind> in
            let new = kinds.subtracting(watched)
            watched.formUnion(new)
            return new
        }
        for kind in new {
            manager.informer(for: kind).addHandler { [weak self] event in
                guard let self else { return }
                await self.enqueueReaders(of: event)
            }
        }
        return kinds
    }

    /// Enqueues the AppConfigs that name the store an event is about, unless only its
    /// bookkeeping (resourceVersion, managedFields) changed.
    func enqueueReaders(of event: InformerEvent) async {
        if case .updated(let old, let new) = event, Self.sameContent(old, new) { return }
        let store = event.object
        let keys = appConfigs.cache.keys(
            index: Self.storeIndex,
            value: Self.storeKey(namespace: store.namespace ?? "", apiVersion: store.apiVersion, kind: store.kind,
                                 name: store.name))
        guard !keys.isEmpty, let controller = controller.withLock({ $0 }) else { return }
        for key in keys { await controller.enqueue(key) }
    }

    /// Whether `old` and `new` differ only in bookkeeping; compared as JSON values, whose objects
    /// are equal whatever their member order.
    static func sameContent(_ old: Resource, _ new: Resource) -> Bool {
        func content(_ object: Resource) -> JSONValue {
            var members = object.object
            let metadata = members["metadata"]
            members["metadata"] = [
                "labels": metadata?["labels"] ?? .null, "annotations": metadata?["annotations"] ?? .null,
                "ownerReferences": metadata?["ownerReferences"] ?? .null,
            ]
            return .object(members)
        }
        return content(old) == content(new)
    }

    /// Adds the stores `appConfig` names to the render's catalog, from the watched caches.
    func addStores(of appConfig: ApplicationConfiguration, to catalog: inout Catalog) {
        let namespace = appConfig.namespace ?? "default"
        for reference in Self.storeReferences(in: appConfig.resource.valueIfPresent(at: "spec.components") ?? .null) {
            guard let informer = manager.existingInformer(for: GroupVersionKind(reference: reference)),
                let store = informer.cache.get(namespace: namespace, name: reference.name)
            else { continue }
            catalog.add(object: store)
        }
    }

    /// Writes the stores the render changed: creates a missing store (controlled by the
    /// AppConfig) or merge-patches what the ready outputs changed, guarded by the
    /// resourceVersion the render read; writes nothing when a store already holds the values.
    /// Returns the number of writes and the failures, each with the path of the `outputStore`
    /// naming the store. A store changed since the render (`Conflict`, `AlreadyExists`) is
    /// rethrown: the reconcile is retried once the cache has it.
    func writeStores(
        of rendered: RenderedApplication, namespace: String
    ) async throws -> (writes: Int, failures: [(path: String, message: String)]) {
        var writes = 0
        var failures: [(path: String, message: String)] = []
        for store in rendered.stores where store.needsWrite {
            guard let desired = store.desired else { continue }
            let kind = GroupVersionKind(reference: store.reference)
            do {
                if let live = store.live {
                    guard case .object(var patch) = Self.mergePatch(from: live.value, to: desired.value) else { continue }
                    var metadata = patch["metadata"]?.objectValue ?? [:]
                    metadata["resourceVersion"] = .string(live.resourceVersion ?? "")
                    patch["metadata"] = .object(metadata)
                    _ = try await client.patch(
                        kind, name: store.reference.name, namespace: namespace, patch: .object(patch), type: .merge,
                        options: WriteOptions(fieldManager: Controllers.fieldManager))
                } else {
                    _ = try await client.create(desired, options: WriteOptions(fieldManager: Controllers.fieldManager))
                }
                writes += 1
            } catch let error as APIError where error.reason == .conflict || error.reason == .alreadyExists {
                throw error
            } catch {
                let reason = (error as? APIError)?.message ?? "\(error)"
                failures.append((store.path.description, "cannot write the data store \(store.reference): \(reason)"))
            }
        }
        return (writes, failures)
    }

    /// The JSON merge patch (RFC 7396) that turns `old` into `new`; `nil` when they are equal.
    /// Members only in `old` become `null` (removed); arrays and scalars are replaced whole.
    static func mergePatch(from old: JSONValue, to new: JSONValue) -> JSONValue? {
        guard old != new else { return nil }
        guard case .object(let before) = old, case .object(let after) = new else { return new }
        var patch: JSONObject = [:]
        for key in before.keys where after[key] == nil { patch[key] = .null }
        for (key, value) in after {
            if let previous = before[key] {
                if let change = mergePatch(from: previous, to: value) { patch[key] = change }
            } else {
                patch[key] = value
            }
        }
        return .object(patch)
    }
}

extension ObjectRef {
    init(reference: TypedReference) {
        self.init(group: GroupVersion.group(ofAPIVersion: reference.apiVersion), kind: reference.kind, name: reference.name)
    }
}
