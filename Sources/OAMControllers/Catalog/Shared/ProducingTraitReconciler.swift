import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

/// A catalog trait that makes one object from its workload — an autoscaler, a disruption
/// budget, a Service: what ``ProducingTraitReconciler`` needs to know of it.
struct ProducingTrait: Sendable {
    /// The controller's name (`horizontalpodautoscalertrait`).
    var name: String
    var traitKind: GroupVersionKind
    /// The kind of the object it makes.
    var producedKind: GroupVersionKind
    /// The field manager of its server-side applies (`mizzen-<entry>`).
    var fieldManager: String
    /// The object to make from the trait and its workload (pure: the entry's render function).
    var render: @Sendable (_ trait: Resource, _ workload: TraitWorkload) throws(Problem) -> Resource
    /// What the trait's status shows of the live object: fields beside `conditions`, and
    /// conditions to show after `Synced` (the autoscaler's own).
    var status: @Sendable (_ produced: Resource) -> (fields: JSONObject, conditions: [JSONValue])
    /// Which changes of the workload, or of an object it owns, can change what the trait makes.
    var isRelevant: @Sendable (InformerEvent) -> Bool

    /// Why the object cannot be made now.
    enum Problem: Error, Equatable {
        /// Neither the workload nor its children are what the trait acts on, with the message
        /// that says so. While the workload's children do not exist yet and its controller has
        /// not reported on it since it was created, this is not told: they are probably on their
        /// way (their creation queues the trait).
        case nothingToActOn(String)
        /// What the trait's `Synced` condition says; `retry` when it may mend itself.
        case failure(String, retry: Bool)
    }
}

/// Reconciles the traits of one ``ProducingTrait``: resolves the workload (``TraitWorkload``),
/// renders the object, server-side applies it under the entry's field manager when the cached
/// one is not already it (``AppliedState``), deletes what the trait controls under another
/// name, and writes the trait's status — `Synced` (ReconcileSuccess / ReconcileError) and what
/// the entry shows of the live object — only when it changes.
///
/// The object is named after the trait and controlled by it: garbage collection removes it
/// with the trait, which the AppConfig controller deletes when the trait leaves the AppConfig.
/// Events go to the AppConfig (``EventTarget``): `<Kind> created|updated|deleted` once per
/// write, `ReconcileError` when a failure is new.
final class ProducingTraitReconciler: Reconciler {
    /// Trait index: the ``ReferenceKey`` of the trait's workload.
    static let workloadIndex = "workload-reference"

    let entry: ProducingTrait
    let client: KubernetesClient
    let traits: Informer
    let produced: Informer
    let definitions: DefinitionCatalog
    let references: ReferenceWatch
    let events: any EventSink
    let logger: Logger
    /// How long to wait before looking again at a trait that fails (or waits for children).
    let errorRetry: Duration

    init(
        entry: ProducingTrait, manager: Manager, traits: Informer, definitions: DefinitionCatalog,
        references: ReferenceWatch, events: any EventSink, logger: Logger, errorRetry: Duration = .seconds(30)
    ) {
        self.entry = entry
        self.client = manager.client
        self.traits = traits
        self.produced = manager.informer(for: entry.producedKind)
        self.definitions = definitions
        self.references = references
        self.events = events
        self.logger = logger
        self.errorRetry = errorRetry
    }

    /// The controller of `entry`, with its informers and handlers on `context.manager`.
    static func controller(for entry: ProducingTrait, context: CatalogControllers.Context) -> Controller {
        let manager = context.manager
        let traits = manager.informer(for: entry.traitKind, indexes: [
            workloadIndex: ReferenceKey.index(at: "spec.workloadRef"),
        ])
        let references = ReferenceWatch(
            manager: manager, referrers: traits, index: workloadIndex, isRelevant: entry.isRelevant)
        for kind in [WorkloadKinds.containerizedWorkload, WorkloadKinds.deployment] { references.watch(kind) }
        let reconciler = ProducingTraitReconciler(
            entry: entry, manager: manager, traits: traits, definitions: context.definitions, references: references,
            events: context.events, logger: context.logger)
        let controller = Controller(
            name: entry.name, reconciler: reconciler, primary: traits, workers: context.workers, logger: context.logger)
        references.attach(controller)
        traits.addHandler { event in
            switch event {
            case .added: await controller.enqueue(ObjectKey(event.object))
            case .updated(let old, let new) where new.differsBeyondStatus(from: old):
                await controller.enqueue(ObjectKey(new))
            case .updated, .deleted: break
            }
        }
        // What a trait made: put back when edited or deleted by others, mirrored when its status moves.
        reconciler.produced.addHandler { event in
            guard let owner = event.object.controllerReference, owner.kind == entry.traitKind.kind,
                GroupVersion(apiVersion: owner.apiVersion).group == entry.traitKind.group
            else { return }
            await controller.enqueue(ObjectKey(namespace: event.object.namespace, name: owner.name))
        }
        return controller
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let trait = traits.cache.get(key), !trait.isBeingDeleted, let uid = trait.uid else { return .done }
        let desired: Resource
        do {
            guard let rendered = try render(trait) else { return .requeue(after: .milliseconds(500)) }
            desired = rendered
        } catch .nothingToActOn(let message) {
            if let workload = workload(of: trait), TraitWorkload.awaitsChildren(
                workload, definitions: definitions, now: Date(), patience: errorRetry)
            {
                // No status write for a state that lasts only until the workload's controller acts.
                return .requeue(after: errorRetry)
            }
            try await report(message, on: trait)
            return .requeue(after: errorRetry)
        } catch .failure(let message, let retry) {
            try await report(message, on: trait)
            return retry ? .requeue(after: errorRetry) : .done
        }
        do {
            let live = try await converge(desired, traitUID: uid, trait: trait)
            try await writeStatus(of: trait, live: live, failure: nil)
            return .done
        } catch let failure as ProducingTrait.Problem {
            guard case .failure(let message, _) = failure else { return .requeue(after: errorRetry) }
            try await report(message, on: trait)
            return .requeue(after: errorRetry)
        }
    }

    /// The object `trait` should make; `nil` while a cache the lookup needs has not synced.
    private func render(_ trait: Resource) throws(ProducingTrait.Problem) -> Resource? {
        let resolved: TraitWorkload
        do throws(TraitWorkload.Problem) {
            resolved = try TraitWorkload.resolve(trait, references: references, definitions: definitions)
        } catch {
            switch error {
            case .notSynced: return nil
            case .failure(let message, let retry): throw .failure(message, retry: retry)
            }
        }
        return try entry.render(trait, resolved)
    }

    /// The workload `trait` names, as the cache has it.
    private func workload(of trait: Resource) -> Resource? {
        guard let reference = trait.valueIfPresent(at: "spec.workloadRef"),
            let apiVersion = reference["apiVersion"]?.stringValue, let kind = reference["kind"]?.stringValue,
            let name = reference["name"]?.stringValue
        else { return nil }
        return references.watch(GroupVersionKind(apiVersion: apiVersion, kind: kind)).cache
            .get(namespace: trait.namespace, name: name)
    }

    /// Applies `desired` unless the cached object already is it, deletes what the trait controls
    /// under other names; returns the object as it is now.
    private func converge(_ desired: Resource, traitUID: String, trait: Resource) async throws -> Resource {
        let kind = entry.producedKind.kind
        let stamped = AppliedState.stamped(desired)
        let live = produced.cache.get(namespace: desired.namespace, name: desired.name)
        if let live, let owner = live.controllerReference, owner.uid != traitUID {
            throw ProducingTrait.Problem.failure(
                "cannot apply \(kind) \(desired.name): it is controlled by \(owner.kind)/\(owner.name); "
                    + "rename the trait (metadata.name) or remove the other object", retry: true)
        }
        if let live, live.controllerReference == nil, live.annotations[AppliedState.annotation] == nil {
            throw ProducingTrait.Problem.failure(
                "cannot apply \(kind) \(desired.name): one of that name exists and was not made by the trait; "
                    + "rename the trait (metadata.name) or remove the other object", retry: true)
        }
        var current: Resource
        if let live, !live.isBeingDeleted, AppliedState.isCurrent(live, desired: stamped) {
            current = live
        } else {
            do {
                current = try await client.apply(stamped, fieldManager: entry.fieldManager, force: true)
            } catch let error as APIError {
                throw ProducingTrait.Problem.failure("cannot apply \(kind) \(desired.name): \(error.message)", retry: true)
            }
            await record(live == nil ? "created" : "updated", name: desired.name, trait: trait)
        }
        for stale in produced.cache.objects(index: Indexes.controllerOwner, value: traitUID)
        where stale.name != desired.name && !stale.isBeingDeleted {
            do {
                try await client.delete(entry.producedKind, name: stale.name, namespace: stale.namespace)
                await record("deleted", name: stale.name, trait: trait)
            } catch let error as APIError where error.reason == .notFound {
                continue
            } catch let error as APIError {
                throw ProducingTrait.Problem.failure("cannot delete \(kind) \(stale.name): \(error.message)", retry: true)
            }
        }
        // A fresh write's status is empty; the cache's copy has what the object's controller wrote.
        if let cached = produced.cache.get(namespace: current.namespace, name: current.name),
            cached.uid == current.uid, cached.status != nil, current.status == nil || current.status == .emptyObject
        {
            current = cached
        }
        return current
    }

    private func record(_ verb: String, name: String, trait: Resource) async {
        let kind = entry.producedKind.kind
        await events.record(
            on: EventTarget.of(trait), type: .normal, reason: "\(kind) \(verb)",
            message: "Trait `\(trait.name)` \(verb) \(kind) `\(name)`")
    }

    /// Tells a failure: a Warning Event when it is new, the `Synced` condition always.
    private func report(_ message: String, on trait: Resource) async throws {
        if !StatusWriter.alreadyReports(message, on: trait) {
            await events.record(
                on: EventTarget.of(trait), type: .warning, reason: "ReconcileError",
                message: "Trait `\(trait.name)`: \(message)")
        }
        try await writeStatus(of: trait, live: nil, failure: message)
    }

    /// Writes `Synced` and — with `live` — what the entry shows of it; after a failure the other
    /// fields stay as they were. Nothing is sent when the status already says so.
    private func writeStatus(of trait: Resource, live: Resource?, failure: String?) async throws {
        let synced = StatusWriter.synced(failure: failure, old: trait.status)
        var status: JSONObject
        if let live {
            let shown = entry.status(live)
            status = shown.fields
            status["conditions"] = .array([synced] + shown.conditions.filter { $0["type"]?.stringValue != "Synced" })
        } else {
            status = StatusWriter.setting(synced, in: trait.status)
        }
        try await StatusWriter.write(
            .object(status), of: trait, kind: entry.traitKind, client: client, fieldManager: Controllers.fieldManager)
    }
}
