import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

/// Reconciles the traits of one pod-template patch kind (``OAM/PodTemplatePatchKind``: sidecar,
/// env, init containers, node placement, pod metadata): finds the trait's workload and its
/// children (``TraitWorkload``), and server-side applies the kind's pure patch into the pod
/// template of each of them that has one — a ContainerizedWorkload's Deployment, a Deployment's
/// own template, a CronJob's job template.
///
/// Each trait writes under its own field manager (`mizzen-<entry>/<trait>`) without forcing: it
/// owns only the fields it sets, lists merge by key, and the workload's controller re-applying
/// its Deployment leaves them in place. A field another manager set to another value is a
/// conflict the trait reports in its `Synced` condition. A write happens only when the target
/// does not hold the patch or the patch changed since it was applied (`status.targets[].appliedHash`).
///
/// The trait carries a finalizer: when it is deleted — removed from its AppConfig — it applies
/// an empty intent to every object it patched, which removes exactly the fields it alone owned,
/// then lets the trait go.
final class PodTemplatePatchReconciler: Reconciler {
    /// Trait index: the ``ReferenceKey`` of the trait's workload.
    static let workloadIndex = "workload-reference"
    /// The reason of the Normal Event of a patch write.
    static let patchedReason = "PodTemplatePatched"
    /// The reason of the Normal Event of a removal.
    static let removedReason = "PodTemplatePatchRemoved"

    let kind: PodTemplatePatchKind
    let client: KubernetesClient
    let manager: Manager
    let traits: Informer
    let definitions: DefinitionCatalog
    let references: ReferenceWatch
    let events: any EventSink
    let logger: Logger
    /// How long to wait before looking again at a trait that cannot patch.
    let errorRetry: Duration

    init(
        kind: PodTemplatePatchKind, manager: Manager, traits: Informer, definitions: DefinitionCatalog,
        references: ReferenceWatch, events: any EventSink, logger: Logger, errorRetry: Duration = .seconds(30)
    ) {
        self.kind = kind
        self.client = manager.client
        self.manager = manager
        self.traits = traits
        self.definitions = definitions
        self.references = references
        self.events = events
        self.logger = logger
        self.errorRetry = errorRetry
    }

    /// A trait that cannot do its work now, with the message of its `Synced` condition.
    struct Failure: Error {
        var message: String
        /// Whether to look again after the error delay (a missing workload may yet appear).
        var retry = true
    }

    /// An object the trait patched, as `status.targets` records it.
    struct Target: Equatable {
        var apiVersion: String
        var kind: String
        var name: String
        var appliedHash: String

        var json: JSONValue {
            ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name),
             "appliedHash": .string(appliedHash)]
        }

        static func recorded(in trait: Resource) -> [Target] {
            (trait.status?["targets"]?.arrayValue ?? []).compactMap { entry in
                guard let apiVersion = entry["apiVersion"]?.stringValue, let kind = entry["kind"]?.stringValue,
                    let name = entry["name"]?.stringValue
                else { return nil }
                return Target(apiVersion: apiVersion, kind: kind, name: name,
                              appliedHash: entry["appliedHash"]?.stringValue ?? "")
            }
        }

        func names(_ object: Resource) -> Bool {
            object.name == name && object.kind == kind
                && GroupVersion(apiVersion: object.apiVersion).group == GroupVersion(apiVersion: apiVersion).group
        }
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard var object = traits.cache.get(key) else { return .done }
        if object.isBeingDeleted { return try await finalize(object) }
        if !object.finalizers.contains(PodTemplatePatch.finalizer) {
            do {
                object = try await setFinalizers(of: object, object.finalizers + [PodTemplatePatch.finalizer])
            } catch let error as APIError where error.reason == .notFound || error.reason == .conflict {
                return .done  // Gone, or changed since the cache saw it: its event queues it again.
            }
        }
        let recorded = Target.recorded(in: object)
        do {
            guard let (targets, patched) = try await patch(object, recorded: recorded) else {
                return .requeue(after: .milliseconds(500))
            }
            try await writeStatus(of: object, targets: targets, failure: nil)
            if !patched.isEmpty {
                await events.record(
                    on: EventTarget.of(object), type: .normal, reason: Self.patchedReason,
                    message: "Trait `\(object.name)` patched the pod template of \(patched.joined(separator: ", "))")
            }
            return .done
        } catch let failure as Failure {
            if !StatusWriter.alreadyReports(failure.message, on: object) {
                await events.record(
                    on: EventTarget.of(object), type: .warning, reason: "ReconcileError",
                    message: "Trait `\(object.name)`: \(failure.message)")
            }
            try await writeStatus(of: object, targets: nil, failure: failure.message)
            return failure.retry ? .requeue(after: errorRetry) : .done
        }
    }

    /// Applies the patch to every target; returns the targets for the status and the names of
    /// those written, or `nil` while a cache the lookup needs has not synced.
    private func patch(_ object: Resource, recorded: [Target]) async throws -> ([Target], [String])? {
        let resolved: TraitWorkload
        do {
            resolved = try TraitWorkload.resolve(object, references: references, definitions: definitions)
        } catch .notSynced {
            return nil
        } catch .failure(let message, let retry) {
            throw Failure(message: message, retry: retry)
        }
        let candidates = resolved.targets
        let targets = candidates.filter { PodTemplatePatch.templatePath(of: $0) != nil }
        if targets.isEmpty {
            if resolved.children.isEmpty,
                TraitWorkload.awaitsChildren(resolved.workload, definitions: definitions, now: Date(),
                                             patience: errorRetry)
            {
                return nil
            }
            let names = candidates.map { "\($0.kind)/\($0.name)" }.joined(separator: ", ")
            throw Failure(message: "none of \(names) has a pod template to patch")
        }
        let spec = object.spec ?? [:]
        let fieldManager = kind.fieldManager(trait: object.name)
        var applied: [Target] = []
        var written: [String] = []
        for target in targets {
            guard let path = PodTemplatePatch.templatePath(of: target) else { continue }
            let templatePatch: JSONValue
            do {
                templatePatch = try kind.patch(spec, target.valueIfPresent(at: path) ?? [:])
            } catch {
                throw Failure(message: "\(error.description) (pod template of \(target.kind)/\(target.name))",
                              retry: false)
            }
            let intent = PodTemplatePatch.intent(for: target, templatePatch: templatePatch)
            let hash = PodTemplatePatch.hash(of: intent)
            let entry = Target(apiVersion: target.apiVersion, kind: target.kind, name: target.name, appliedHash: hash)
            if recorded.contains(entry), PodTemplatePatch.isApplied(intent, in: target) {
                applied.append(entry)
                continue
            }
            do {
                _ = try await client.apply(intent, fieldManager: fieldManager)
            } catch let error as APIError where error.reason == .notFound {
                continue  // Gone since the cache saw it; its deletion queues the trait again.
            } catch let error as APIError {
                throw Failure(message: "cannot patch the pod template of \(target.kind)/\(target.name): \(error.message)")
            }
            applied.append(entry)
            written.append("\(target.kind)/\(target.name)")
        }
        // Objects patched before that are no longer targets (the workload changed): give them back.
        for old in recorded where !targets.contains(where: old.names) {
            if try await release(old, fieldManager: fieldManager, namespace: object.namespace) {
                written.append("\(old.kind)/\(old.name) (removed)")
            }
        }
        return (applied, written)
    }

    /// Applies the empty intent of the trait's field manager to `target`, if it still exists;
    /// returns whether it wrote.
    private func release(_ target: Target, fieldManager: String, namespace: String?) async throws -> Bool {
        var gvk = GroupVersionKind(apiVersion: target.apiVersion, kind: target.kind)
        gvk = GroupVersionKind(group: gvk.group, version: gvk.version, kind: gvk.kind)
        let informer = references.watch(gvk)
        guard informer.hasSynced else { throw Failure(message: "waiting for the cache of \(target.kind)") }
        // The cache keeps no managedFields: the empty intent is sent whenever the object is there
        // (for a manager that owns nothing the server changes nothing).
        guard let live = informer.cache.get(namespace: namespace, name: target.name), !live.isBeingDeleted
        else { return false }
        let intent = PodTemplatePatch.intent(for: live, templatePatch: [:])
        do {
            _ = try await client.apply(intent, fieldManager: fieldManager)
        } catch let error as APIError where error.reason == .notFound {
            return false
        } catch let error as APIError {
            throw Failure(message: "cannot remove the patch from \(target.kind)/\(target.name): \(error.message)")
        }
        return true
    }

    /// Takes the trait's fields out of every object it patched, then removes its finalizer.
    private func finalize(_ object: Resource) async throws -> ReconcileResult {
        guard object.finalizers.contains(PodTemplatePatch.finalizer) else { return .done }
        let fieldManager = kind.fieldManager(trait: object.name)
        var removed: [String] = []
        // What the status records; the current targets when it records nothing (a first write
        // whose status write did not happen).
        var targets = Target.recorded(in: object)
        if targets.isEmpty, let resolved = try? TraitWorkload.resolve(object, references: references, definitions: definitions) {
            for current in resolved.targets where !targets.contains(where: { $0.names(current) }) {
                targets.append(Target(apiVersion: current.apiVersion, kind: current.kind, name: current.name,
                                      appliedHash: ""))
            }
        }
        do {
            for target in targets
            where try await release(target, fieldManager: fieldManager, namespace: object.namespace) {
                removed.append("\(target.kind)/\(target.name)")
            }
        } catch let failure as Failure {
            if !StatusWriter.alreadyReports(failure.message, on: object) {
                await events.record(
                    on: EventTarget.of(object), type: .warning, reason: "ReconcileError",
                    message: "Trait `\(object.name)`: \(failure.message)")
            }
            try? await writeStatus(of: object, targets: nil, failure: failure.message)
            return .requeue(after: errorRetry)
        }
        do {
            _ = try await setFinalizers(of: object, object.finalizers.filter { $0 != PodTemplatePatch.finalizer })
        } catch let error as APIError where error.reason == .notFound || error.reason == .conflict {
            return .done
        }
        if !removed.isEmpty {
            await events.record(
                on: EventTarget.of(object), type: .normal, reason: Self.removedReason,
                message: "Trait `\(object.name)` removed its patch from the pod template of "
                    + removed.joined(separator: ", "))
        }
        return .done
    }

    private func setFinalizers(of object: Resource, _ finalizers: [String]) async throws -> Resource {
        try await client.patch(
            kind.groupVersionKind, name: object.name, namespace: object.namespace,
            patch: ["metadata": ["finalizers": .array(finalizers.map(JSONValue.string)),
                                 "resourceVersion": .string(object.resourceVersion ?? "")]],
            type: .merge, options: WriteOptions(fieldManager: Controllers.fieldManager))
    }

    /// Writes `status.targets` (kept as it is when `targets` is `nil`) and the `Synced`
    /// condition, unless the status already says so.
    private func writeStatus(of trait: Resource, targets: [Target]?, failure: String?) async throws {
        var status = StatusWriter.setting(StatusWriter.synced(failure: failure, old: trait.status), in: trait.status)
        if let targets { status["targets"] = .array(targets.map(\.json)) }
        do {
            try await StatusWriter.write(.object(status), of: trait, kind: kind.groupVersionKind, client: client,
                                         fieldManager: Controllers.fieldManager)
        } catch let error as APIError where error.reason == .notFound {
            return
        }
    }

    /// Whether a change of a referenced object can matter to a trait: it appeared, went, or
    /// changed its spec (its pod template), owners or labels.
    static let isRelevant: @Sendable (InformerEvent) -> Bool = { event in
        guard case .updated(let old, let new) = event else { return true }
        return old.spec != new.spec || old.ownerReferences != new.ownerReferences || old.labels != new.labels
            || old.uid != new.uid
    }
}
