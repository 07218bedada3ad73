import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

extension ApplicationConfigurationReconciler {
    // MARK: Apply

    /// Applies `object` for `appConfig` unless the live object (`known`, when the caller has
    /// read it already) already is what it should be. Fields the schema the cluster serves for
    /// the object's kind does not declare are dropped first, as the server would drop them on a
    /// create (server-side apply refuses them instead); a write that dropped some records a
    /// Warning `PrunedUndeclaredFields` on the AppConfig.
    ///
    /// `traitOwned` are the fields of a workload that a trait of its component sets itself
    /// (``OAM/TraitOwnedField``). One still in `object` (the live object held the Component's
    /// value) is applied without force: if the trait has taken the field since the cache saw
    /// it, the API server reports a conflict on it, and the object is applied again without it,
    /// so a stale cache never puts the Component's value back over the trait's.
    func apply(
        _ object: Resource, for appConfig: Resource, live known: Resource?, traitOwned: [TraitOwnedField] = []
    ) async throws -> AppliedObject {
        var pruned = await prunedToServedSchema(object)
        if !pruned.droppedFields.isEmpty { servedSchemas.noteDropped(object.groupVersionKind, by: ObjectKey(appConfig)) }
        let informer = manager.informer(for: object.groupVersionKind)
        let stamped = AppliedState.stamped(pruned.object)
        let writeKey = RecentWrites.Key(object)
        // This very content was written and the cache has not caught up with it yet.
        if recentWrites.isPending(writeKey, hash: stamped.annotations[AppliedState.annotation] ?? "", informer: informer) {
            return AppliedObject(wrote: false, droppedFields: pruned.droppedFields)
        }
        if let live = known ?? informer.cache.get(namespace: object.namespace, name: object.name) {
            if let owner = live.controllerReference, owner.uid != appConfig.uid ?? "" {
                throw OwnershipConflict(
                    message: "\(object.kind)/\(object.name) is controlled by \(owner.kind)/\(owner.name); "
                        + "two owners cannot claim one object: give this one another name (a metadata.name "
                        + "parameter) or remove it from the other")
            }
            if options.applyOnceOnly, Self.isSameGenerationAndRevision(live, object) {
                return AppliedObject(wrote: false, droppedFields: pruned.droppedFields)
            }
            if AppliedState.isCurrent(live, desired: stamped) {
                return AppliedObject(wrote: false, droppedFields: pruned.droppedFields)
            }
        }
        let written: Resource
        do {
            written = try await applyYielding(pruned.object, traitOwned: traitOwned)
        } catch let error as APIError where Self.refusesUndeclaredFields(error) {
            // The schema read was older than the one the server checks against: read it again.
            servedSchemas.invalidate()
            let again = await prunedToServedSchema(object)
            guard again.droppedFields != pruned.droppedFields else { throw error }
            pruned = again
            written = try await applyYielding(pruned.object, traitOwned: traitOwned)
        }
        if let hash = written.annotations[AppliedState.annotation], let resourceVersion = written.resourceVersion {
            recentWrites.record(writeKey, RecentWrites.Write(hash: hash, resourceVersion: resourceVersion)) { [manager] kind in
                manager.informer(for: kind)
            }
        }
        if !pruned.droppedFields.isEmpty {
            await events.record(on: appConfig, type: .warning, reason: Self.prunedReason,
                                message: Self.prunedMessage(
                                    apiVersion: object.apiVersion, kind: object.kind, name: object.name, pruned.droppedFields))
        }
        return AppliedObject(wrote: true, droppedFields: pruned.droppedFields)
    }

    /// Applies `object` with force, but first without force while it holds a field of
    /// `traitOwned`; on a conflict over such a field, again with force and without the fields
    /// in conflict.
    /// - Returns: the object as the server stored it.
    private func applyYielding(_ object: Resource, traitOwned: [TraitOwnedField]) async throws -> Resource {
        let held = traitOwned.filter { object.valueIfPresent(at: $0.path) != nil }
        guard !held.isEmpty else {
            return try await client.apply(AppliedState.stamped(object), fieldManager: Controllers.fieldManager, force: true)
        }
        do {
            return try await client.apply(AppliedState.stamped(object), fieldManager: Controllers.fieldManager, force: false)
        } catch let error as APIError where error.reason == .conflict {
            let conflicting = Set(error.causes.map(\.field))
            var yielded = object
            for field in held where conflicting.isEmpty || conflicting.contains("." + field.path.description) {
                try? yielded.removeValue(at: field.path)
            }
            return try await client.apply(AppliedState.stamped(yielded), fieldManager: Controllers.fieldManager, force: true)
        }
    }

    /// `object` without the fields the served schema of its kind does not declare, and their
    /// paths; unchanged when the cluster publishes no schema for the kind.
    func prunedToServedSchema(_ object: Resource) async -> (object: Resource, droppedFields: [String]) {
        guard let schema = await servedSchemas.schema(for: object.groupVersionKind) else { return (object, []) }
        let pruned = schema.pruned(object.value)
        guard !pruned.droppedFields.isEmpty, case .object(let members) = pruned.value else { return (object, []) }
        return (Resource(object: members), pruned.droppedFields)
    }

    /// The reason of the Warning event recorded when fields were dropped before an apply.
    static let prunedReason = "PrunedUndeclaredFields"

    /// `Bar/b1: dropped spec.foo, which the schema the cluster serves for prune.example.com/v1 Bar does not declare`.
    static func prunedMessage(apiVersion: String, kind: String, name: String, _ fields: [String]) -> String {
        "\(kind)/\(name): dropped \(fields.joined(separator: ", ")), which the schema the cluster serves for "
            + "\(apiVersion) \(kind) does not declare"
    }

    /// Whether `error` is server-side apply's refusal of a field the schema does not declare.
    static func refusesUndeclaredFields(_ error: APIError) -> Bool {
        error.code == 500 && error.message.hasPrefix("failed to create typed patch object")
            && error.message.contains("field not declared in schema")
    }

    /// A `status.workloads` entry with a `message` on the workload and on each trait whose
    /// object had fields dropped (`pruned`, by object); a trait's own message comes first.
    static func withPrunedMessages(_ entry: JSONValue, pruned: [ObjectRef: [String]]) -> JSONValue {
        guard !pruned.isEmpty, case .object(var members) = entry else { return entry }
        func message(for reference: JSONValue?) -> String? {
            guard let reference, let kind = reference["kind"]?.stringValue, let name = reference["name"]?.stringValue
            else { return nil }
            let apiVersion = reference["apiVersion"]?.stringValue ?? ""
            let ref = ObjectRef(group: GroupVersion(apiVersion: apiVersion).group, kind: kind, name: name)
            guard let fields = pruned[ref] else { return nil }
            return prunedMessage(apiVersion: apiVersion, kind: kind, name: name, fields)
        }
        if let text = message(for: members["workloadRef"]) { members["message"] = .string(text) }
        if case .array(var traits)? = members["traits"] {
            for index in traits.indices {
                guard case .object(var trait) = traits[index], let text = message(for: trait["traitRef"]) else { continue }
                let own = trait["message"]?.stringValue ?? ""
                trait["message"] = .string(own.isEmpty ? text : own + "; " + text)
                traits[index] = .object(trait)
            }
            members["traits"] = .array(traits)
        }
        return .object(members)
    }

    /// Whether `live` was rendered from the same AppConfig generation and component revision as
    /// `desired` (the apply-once-only test of §4.11).
    static func isSameGenerationAndRevision(_ live: Resource, _ desired: Resource) -> Bool {
        live.annotations[OAM.Annotation.generation] == desired.annotations[OAM.Annotation.generation]
            && [OAM.Label.revision, OAM.Label.component, OAM.Label.appName].allSatisfy {
                live.labels[$0] == desired.labels[$0]
            }
    }
}

/// What applying one rendered object did.
struct AppliedObject: Sendable {
    /// Whether it was written (it was not when the live object already was what it should be).
    var wrote: Bool
    /// The fields dropped because the schema the cluster serves does not declare them.
    var droppedFields: [String]
}

/// An object another owner controls.
struct OwnershipConflict: Error {
    var message: String
}
