import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

/// Reconciles ManualScalerTraits (spec §8 with the fixes of §12.17): finds the workload named by
/// `spec.workloadRef`, its children through the WorkloadDefinition's `childResourceKinds` (kept
/// when the workload owns them; the workload itself when it has none), and sets
/// `spec.replicas` of every candidate that has an integer `spec.replicas` — or is a Deployment,
/// StatefulSet or ReplicaSet, whose field may be unset — to `spec.replicaCount`.
///
/// Unlike the reference it adds no owner reference to what it scales: it server-side applies
/// only `spec.replicas` under its own field manager, `mizzen-manualscaler`, so other managers'
/// fields are left alone. It watches the scaled objects, so a change of their replicas by
/// anyone else is put back.
///
/// Events go to the AppConfig that owns the trait (``EventTarget``): `Manual scalar applied` once
/// per scaling write — not on every reconcile, as the reference does — and `ReconcileError`.
final class ManualScalerTraitReconciler: Reconciler {
    /// The field manager of the scaling writes.
    static let fieldManager = "mizzen-manualscaler"
    /// The reason of the Normal Event of a scaling write, the reference's (spec §8 step 7).
    static let appliedReason = "Manual scalar applied"
    /// Trait index: the ``ReferenceKey`` of the workload a trait scales.
    static let workloadIndex = "workload-reference"
    /// Kinds whose `spec.replicas` counts even while unset (the API server defaults it).
    static let scalableKinds: Set<String> = ["apps/Deployment", "apps/StatefulSet", "apps/ReplicaSet"]

    let client: KubernetesClient
    let traits: Informer
    let definitions: DefinitionCatalog
    let references: ReferenceWatch
    let events: any EventSink
    let logger: Logger
    /// How long to wait before looking again at a trait that cannot scale.
    let errorRetry: Duration

    init(
        manager: Manager, traits: Informer, definitions: DefinitionCatalog, references: ReferenceWatch,
        events: any EventSink, logger: Logger, errorRetry: Duration = .seconds(30)
    ) {
        self.client = manager.client
        self.traits = traits
        self.definitions = definitions
        self.references = references
        self.events = events
        self.logger = logger
        self.errorRetry = errorRetry
    }

    /// A trait that cannot do its work now, with the message of its `Synced` condition.
    private struct Failure: Error {
        var message: String
        /// Whether to look again after the error delay (a missing workload may yet appear).
        var retry = true
    }

    /// The workload's children do not exist yet, and its own controller has not reported on it
    /// since it was created, less than the error delay ago: they are probably on their way, and
    /// their creation queues the trait again.
    private struct AwaitingChildren: Error {}

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = traits.cache.get(key), !object.isBeingDeleted else { return .done }
        do {
            guard let result = try await scale(object) else { return .requeue(after: .milliseconds(500)) }
            try await writeStatus(of: object, failure: nil)
            if !result.scaled.isEmpty {
                // Only when something was scaled: a converged trait records nothing.
                await events.record(
                    on: EventTarget.of(object), type: .normal, reason: Self.appliedReason,
                    message: "Trait `\(object.name)` successfully scaled \(result.scaled.joined(separator: ", ")) "
                        + "to \(result.replicas) instances")
            }
            return .done
        } catch is AwaitingChildren {
            // No status write for a state that lasts only until the workload's controller acts;
            // if it has not created the children by the next look, that look reports why
            // nothing scales.
            return .requeue(after: errorRetry)
        } catch let failure as Failure {
            // Retried every errorRetry: the Event only when the failure is new.
            if !StatusWriter.alreadyReports(failure.message, on: object) {
                await events.record(
                    on: EventTarget.of(object), type: .warning, reason: "ReconcileError",
                    message: "Trait `\(object.name)`: \(failure.message)")
            }
            try await writeStatus(of: object, failure: failure.message)
            return failure.retry ? .requeue(after: errorRetry) : .done
        }
    }

    /// Scales what the trait's workload runs; `nil` while a cache it needs has not synced.
    private func scale(_ object: Resource) async throws -> (scaled: [String], replicas: Int32)? {
        let trait: ManualScalerTrait
        do {
            trait = try ManualScalerTrait(object)
        } catch {
            throw Failure(message: "the trait does not decode: \(error)", retry: false)
        }
        let resolved: TraitWorkload
        do {
            resolved = try TraitWorkload.resolve(object, references: references, definitions: definitions)
        } catch .notSynced {
            return nil
        } catch .failure(let message, let retry) {
            throw Failure(message: message, retry: retry)
        }
        let workload = resolved.workload
        let candidates = resolved.children
        let scalable = (candidates.isEmpty ? [workload] : candidates).filter(Self.isScalable)
        if scalable.isEmpty, candidates.isEmpty,
            TraitWorkload.awaitsChildren(workload, definitions: definitions, now: Date(), patience: errorRetry)
        {
            throw AwaitingChildren()
        }
        guard !scalable.isEmpty else {
            let names = (candidates.isEmpty ? [workload] : candidates).map { "\($0.kind)/\($0.name)" }
            throw Failure(
                message: "cannot scale the resource: none of \(names.joined(separator: ", ")) has an integer spec.replicas")
        }

        let replicas = trait.spec.replicaCount
        var scaled: [String] = []
        for target in scalable where target.spec?["replicas"]?.intValue != Int64(replicas) {
            var intent = Resource(
                apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace)
            intent.spec = ["replicas": .int(Int64(replicas))]
            do {
                _ = try await client.apply(intent, fieldManager: Self.fieldManager, force: true)
            } catch let error as APIError where error.reason == .notFound {
                // Gone since the cache saw it; its deletion event queues the trait again.
                continue
            } catch let error as APIError {
                throw Failure(message: "cannot scale \(target.kind)/\(target.name): \(error.message)")
            }
            scaled.append("\(target.kind)/\(target.name)")
        }
        return (scaled, replicas)
    }

    /// Whether `object` has a replica count to set.
    static func isScalable(_ object: Resource) -> Bool {
        if case .int? = object.spec?["replicas"] { return true }
        let kind = "\(GroupVersion(apiVersion: object.apiVersion).group)/\(object.kind)"
        return scalableKinds.contains(kind) && object.spec?["replicas"] == nil
    }

    private func writeStatus(of trait: Resource, failure: String?) async throws {
        let status = StatusWriter.setting(StatusWriter.synced(failure: failure, old: trait.status), in: trait.status)
        try await StatusWriter.write(.object(status), of: trait, kind: WorkloadKinds.manualScalerTrait, client: client,
            fieldManager: Controllers.fieldManager)
    }

    /// Whether a change of a referenced object can matter to a trait: it appeared, went, or
    /// changed its replicas, owners or labels.
    static let isRelevant: @Sendable (InformerEvent) -> Bool = { event in
        guard case .updated(let old, let new) = event else { return true }
        return old.spec?["replicas"] != new.spec?["replicas"] || old.ownerReferences != new.ownerReferences
            || old.labels != new.labels || old.uid != new.uid
    }
}
