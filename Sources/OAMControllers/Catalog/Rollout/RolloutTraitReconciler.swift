import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import Synchronization
import ControllerRuntime

/// Reconciles RolloutTraits (``OAM/RolloutTrait``): observes the workload of the revision the
/// AppConfig renders now (`spec.workloadRef`) and the earlier revisions' workloads of the same
/// component and AppConfig, asks ``OAM/RolloutPlanner`` what to do, and does it.
///
/// What it scales is each workload's scalable object — its child (a ContainerizedWorkload's
/// Deployment) or the workload itself (a Deployment) — by server-side applying only
/// `spec.replicas` under the field manager `mizzen-rollout`. Once a rollout succeeded it
/// deletes the earlier revisions' workloads other than the one it rolled from, which stays at
/// 0 replicas for a rollback: the AppConfig controller keeps every revision's workload of a
/// component with a revisionEnabled trait and leaves their lifecycle to the trait (spec §5.1).
///
/// It never sleeps: pauses and availability deadlines come back as requeues; a change of the
/// target's or the source's objects (their replicas or status) queues the trait at once.
/// Events (rollout started, each batch, succeeded, paused, resumed, rolled back) go to the
/// AppConfig that owns the trait.
final class RolloutTraitReconciler: Reconciler {
    /// The field manager of the scaling writes.
    static let fieldManager = "mizzen-rollout"
    /// Trait index: the ``ReferenceKey`` of the target workload and of the source workload.
    static let workloadIndex = "rollout-workloads"

    let client: KubernetesClient
    let traits: Informer
    let definitions: DefinitionCatalog
    let references: ReferenceWatch
    let events: any EventSink
    let logger: Logger
    let errorRetry: Duration
    /// The resourceVersion of each trait's last status write: a reconcile that sees an older
    /// trait in the cache waits for it, so that it never decides from a status it has replaced.
    private let written = Mutex<[ObjectKey: Int64]>([:])

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
        var retry = true
    }

    /// A cache the lookup needs has not synced, or a workload's children are still being made.
    private struct NotYet: Error {
        var after: Duration
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = traits.cache.get(key), !object.isBeingDeleted else {
            written.withLock { _ = $0.removeValue(forKey: key) }
            return .done
        }
        if let last = written.withLock({ $0[key] }), let seen = object.resourceVersion.flatMap(Int64.init), seen < last {
            return .requeue(after: .milliseconds(100))
        }
        do {
            let decision = try await roll(object)
            try await writeStatus(of: object, key: key, rollout: decision.status, failure: nil)
            for event in decision.events {
                await events.record(
                    on: EventTarget.of(object), type: event.warning ? .warning : .normal, reason: event.reason,
                    message: "Trait `\(object.name)`: \(event.message)")
            }
            return decision.requeueAfter.map { .requeue(after: $0) } ?? .done
        } catch let wait as NotYet {
            return .requeue(after: wait.after)
        } catch let failure as Failure {
            if !StatusWriter.alreadyReports(failure.message, on: object) {
                await events.record(
                    on: EventTarget.of(object), type: .warning, reason: "ReconcileError",
                    message: "Trait `\(object.name)`: \(failure.message)")
            }
            try await writeStatus(of: object, key: key, rollout: nil, failure: failure.message)
            return failure.retry ? .requeue(after: errorRetry) : .done
        }
    }

    /// Observes, decides and applies the scaling and deletions; returns the decision.
    private func roll(_ object: Resource) async throws -> RolloutDecision {
        let spec: RolloutSpec
        do {
            spec = try RolloutSpec(object.spec)
        } catch {
            throw Failure(message: error.description, retry: false)
        }
        let resolved: TraitWorkload
        do {
            resolved = try TraitWorkload.resolve(object, references: references, definitions: definitions)
        } catch .notSynced {
            throw NotYet(after: .milliseconds(500))
        } catch .failure(let message, let retry) {
            throw Failure(message: message, retry: retry)
        }
        guard let targetObject = resolved.targets.first(where: ManualScalerTraitReconciler.isScalable) else {
            if TraitWorkload.awaitsChildren(resolved.workload, definitions: definitions, now: Date(), patience: errorRetry) {
                throw NotYet(after: .seconds(1))
            }
            throw Failure(message: "cannot roll out \(resolved.workload.kind)/\(resolved.workload.name): "
                + "neither it nor its children have an integer spec.replicas")
        }
        let target = Self.observe(targetObject, workload: resolved.workload)
        var scalable: [String: Resource] = [resolved.workload.name: targetObject]
        var history: [RolloutWorkload] = []
        for older in try olderWorkloads(of: resolved.workload, trait: object) {
            guard let children = TraitWorkload.children(of: older, references: references, definitions: definitions) else {
                throw NotYet(after: .milliseconds(500))
            }
            guard let scaled = (children.isEmpty ? [older] : children).first(where: ManualScalerTraitReconciler.isScalable)
            else { continue }
            scalable[older.name] = scaled
            history.append(Self.observe(scaled, workload: older))
        }

        let decision = RolloutPlanner.decide(
            spec: spec, previous: RolloutStatus(object.status), target: target, history: history, now: Date())
        for (name, replicas) in decision.scale {
            guard let scaled = scalable[name] else { continue }
            var intent = Resource(apiVersion: scaled.apiVersion, kind: scaled.kind, name: scaled.name, namespace: scaled.namespace)
            intent.spec = ["replicas": .int(Int64(replicas))]
            do {
                _ = try await client.apply(intent, fieldManager: Self.fieldManager, force: true)
            } catch let error as APIError where error.reason == .notFound {
                continue
            } catch let error as APIError {
                throw Failure(message: "cannot scale \(scaled.kind)/\(scaled.name) to \(replicas): \(error.message)")
            }
        }
        let kind = resolved.workload.groupVersionKind
        for name in decision.delete {
            do {
                try await client.delete(kind, name: name, namespace: object.namespace, propagationPolicy: .background)
                logger.debug("deleted an earlier revision's workload", metadata: ["workload": "\(kind.kind)/\(name)"])
            } catch let error as APIError where error.reason == .notFound {
            } catch let error as APIError {
                throw Failure(message: "cannot delete \(kind.kind)/\(name), an earlier revision's workload: \(error.message)")
            }
        }
        return decision
    }

    /// The earlier revisions' workloads: of the same kind, namespace and controlling AppConfig,
    /// labelled as the same component's workload.
    private func olderWorkloads(of workload: Resource, trait: Resource) throws -> [Resource] {
        let informer = references.watch(workload.groupVersionKind)
        guard informer.hasSynced else { throw NotYet(after: .milliseconds(500)) }
        guard let owner = workload.controllerReference?.uid,
            let component = workload.labels[OAM.Label.component], let app = workload.labels[OAM.Label.appName]
        else { return [] }
        return informer.cache.objects(index: Indexes.controllerOwner, value: owner).filter { older in
            older.name != workload.name && older.namespace == workload.namespace && !older.isBeingDeleted
                && older.labels[OAM.Label.component] == component && older.labels[OAM.Label.appName] == app
                && older.labels[OAM.Label.resourceType] == "WORKLOAD"
        }
    }

    /// What the planner needs to know of `scaled`, the object that runs `workload`'s Pods.
    static func observe(_ scaled: Resource, workload: Resource) -> RolloutWorkload {
        let status = scaled.status
        let observed: Bool
        if let generation = scaled.generation {
            observed = (status?["observedGeneration"]?.intValue ?? 0) >= generation
        } else {
            observed = status != nil
        }
        let available = status?["availableReplicas"]?.intValue ?? status?["readyReplicas"]?.intValue ?? 0
        return RolloutWorkload(
            workload: workload.name, revision: workload.labels[OAM.Label.revision] ?? workload.name,
            scaled: "\(scaled.kind)/\(scaled.name)", replicas: Int32(clamping: scaled.spec?["replicas"]?.intValue ?? 1),
            available: Int32(clamping: available), observed: observed, problem: problem(of: scaled))
    }

    /// A failed condition of `object`: `ReplicaFailure` True, or `Progressing` False.
    static func problem(of object: Resource) -> String? {
        for condition in object.status?["conditions"]?.arrayValue ?? [] {
            let type = condition["type"]?.stringValue
            let status = condition["status"]?.stringValue
            guard (type == "ReplicaFailure" && status == "True") || (type == "Progressing" && status == "False") else {
                continue
            }
            let reason = condition["reason"]?.stringValue ?? type ?? ""
            return condition["message"]?.stringValue.map { "\(reason): \($0)" } ?? reason
        }
        return nil
    }

    /// Writes the rollout's fields (kept as they were when `rollout` is `nil`) and the `Synced`
    /// condition, unless the status already is that.
    private func writeStatus(of trait: Resource, key: ObjectKey, rollout: RolloutStatus?, failure: String?) async throws {
        var status = StatusWriter.setting(StatusWriter.synced(failure: failure, old: trait.status), in: trait.status)
        if let rollout {
            for field in RolloutStatus.fieldNames { status[field] = nil }
            for (field, value) in rollout.fields { status[field] = value }
        }
        guard trait.status != .object(status) else { return }
        let updated = try await client.patch(
            RolloutTraitController.kind, name: trait.name, namespace: trait.namespace,
            patch: [["op": "add", "path": "/status", "value": .object(status)]], type: .json, subresource: "status",
            options: WriteOptions(fieldManager: Controllers.fieldManager))
        if let version = updated.resourceVersion.flatMap(Int64.init) {
            written.withLock { $0[key] = version }
        }
    }

    /// Whether a change of a referenced object can matter: it appeared, went, or changed its
    /// replicas, status, owners or labels.
    static let isRelevant: @Sendable (InformerEvent) -> Bool = { event in
        guard case .updated(let old, let new) = event else { return true }
        return old.spec?["replicas"] != new.spec?["replicas"] || old.status != new.status
            || old.ownerReferences != new.ownerReferences || old.labels != new.labels || old.uid != new.uid
    }
}
