import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

/// Reconciles PodSpecWorkloads: renders the Deployment and Service with the pure
/// ``OAM/PodSpecWorkload/render(_:withReplicas:)`` and server-side applies them under the field
/// manager `mizzen-podspecworkload`, each with a controller reference to the workload; deletes
/// a Deployment or Service it controls and no longer renders (the Service when the ports are
/// gone). An object is written only when it is not what was last applied to it
/// (``AppliedState``), so a resync writes nothing.
///
/// Status: `Synced` (ReconcileSuccess / ReconcileError with the field at fault), `resources`
/// (the Deployment and Service, as ContainerizedWorkload's) and the Deployment's `replicas` and
/// `readyReplicas`. Events on the AppConfig: `Deployment created|updated|deleted`, the same for
/// `Service`, and `ReconcileError` when a failure is new.
///
/// `spec.replicas` sets the Deployment's replicas until another field manager owns them — a
/// ManualScalerTrait or an autoscaler scaled the Deployment — after which it is left out of the
/// apply, so the workload and its scaler do not undo each other's writes (the owner is read from
/// the API server's `managedFields`, and only while the replicas differ from `spec.replicas`).
final class PodSpecWorkloadReconciler: Reconciler {
    static let fieldManager = "mizzen-podspecworkload"
    static let kind = PodSpecWorkload.workloadKind

    let client: KubernetesClient
    let workloads: Informer
    let deployments: Informer
    let services: Informer
    let events: any EventSink
    let logger: Logger
    /// How long to wait before trying again a workload whose objects cannot be applied.
    let errorRetry: Duration

    init(manager: Manager, events: any EventSink, logger: Logger, errorRetry: Duration = .seconds(30)) {
        self.client = manager.client
        self.workloads = manager.informer(for: Self.kind)
        self.deployments = manager.informer(for: WorkloadKinds.deployment)
        self.services = manager.informer(for: WorkloadKinds.service)
        self.events = events
        self.logger = logger
        self.errorRetry = errorRetry
    }

    /// Registers the controller: a workload is queued when it changes beyond its status, and
    /// when a Deployment or Service it controls changes (the Deployment's status included, which
    /// the workload's status mirrors).
    static func register(_ context: CatalogControllers.Context) {
        let reconciler = PodSpecWorkloadReconciler(
            manager: context.manager, events: context.events, logger: context.logger)
        let controller = Controller(
            name: "podspecworkload", reconciler: reconciler, primary: reconciler.workloads,
            workers: context.workers, logger: context.logger)
        reconciler.workloads.addHandler { event in
            if case .updated(let old, let new) = event, !new.differsBeyondStatus(from: old) { return }
            await controller.enqueue(ObjectKey(event.object))
        }
        for owned in [reconciler.deployments, reconciler.services] {
            owned.addHandler { event in
                if let key = owningWorkload(of: event.object) { await controller.enqueue(key) }
            }
        }
        context.manager.add(controller)
    }

    /// The workload controlling `object`, when it is a PodSpecWorkload.
    static func owningWorkload(of object: Resource) -> ObjectKey? {
        guard let owner = object.controllerReference, owner.kind == kind.kind,
            GroupVersion(apiVersion: owner.apiVersion).group == kind.group
        else { return nil }
        return ObjectKey(namespace: object.namespace, name: owner.name)
    }

    /// A step that failed, with the message the `Synced` condition shows.
    struct Failure: Error {
        var message: String
        var retry: Bool
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let workload = workloads.cache.get(key), !workload.isBeingDeleted,
            let uid = workload.uid, !uid.isEmpty
        else { return .done }
        guard deployments.hasSynced, services.hasSynced else { return .requeue(after: .milliseconds(500)) }
        do {
            let (status, changes) = try await converge(workload, uid: uid)
            for change in changes {
                await events.record(on: EventTarget.of(workload), type: .normal, reason: change.reason,
                                    message: change.message)
            }
            try await writeStatus(of: workload, fields: status, failure: nil)
            return .done
        } catch let failure as Failure {
            if !StatusWriter.alreadyReports(failure.message, on: workload) {
                await events.record(on: EventTarget.of(workload), type: .warning, reason: "ReconcileError",
                                    message: "Workload `\(workload.name)`: \(failure.message)")
            }
            try await writeStatus(of: workload, fields: nil, failure: failure.message)
            // A field error mends only by an edit of the workload, which queues it again.
            return failure.retry ? .requeue(after: errorRetry) : .done
        }
    }

    /// Applies the rendered objects and deletes the ones the workload controls beyond them;
    /// returns the status fields and a line per write.
    private func converge(_ workload: Resource, uid: String) async throws
        -> (status: JSONObject, changes: [ContainerizedWorkloadReconciler.Change])
    {
        let liveDeployment = deployments.cache.get(namespace: workload.namespace, name: workload.name)
        let keepReplicas = try await ownsReplicas(of: liveDeployment, workload: workload)
        let rendered: PodSpecWorkload.Rendered
        do {
            rendered = try PodSpecWorkload.render(workload, withReplicas: keepReplicas)
        } catch {
            throw Failure(message: error.description, retry: false)
        }
        var changes: [ContainerizedWorkloadReconciler.Change] = []
        let deployment = try await apply(rendered.deployment, live: liveDeployment, uid: uid, workload: workload,
                                         changes: &changes)
        var service: Resource?
        if let desired = rendered.service {
            service = try await apply(
                desired, live: services.cache.get(namespace: workload.namespace, name: desired.name), uid: uid,
                workload: workload, changes: &changes)
        }
        for (informer, keep) in [(deployments, rendered.deployment.name), (services, rendered.service?.name)] {
            for stale in informer.cache.objects(index: Indexes.controllerOwner, value: uid)
            where stale.name != keep && !stale.isBeingDeleted {
                try await delete(stale, kind: informer.kind, workload: workload, changes: &changes)
            }
        }
        var resources = [ContainerizedWorkloadReconciler.reference(to: deployment, apiVersion: "apps/v1",
                                                                   kind: "Deployment")]
        if let service {
            resources.append(ContainerizedWorkloadReconciler.reference(to: service, apiVersion: "v1", kind: "Service"))
        }
        var status = PodSpecWorkload.statusFields(of: deployment)
        status["resources"] = .array(resources)
        return (status, changes)
    }

    /// Whether the workload's `spec.replicas` still sets the Deployment's: yes unless the live
    /// Deployment has other replicas and another field manager owns them. The cache keeps no
    /// `managedFields`, so the owner is read from the API server — only when the replicas differ.
    private func ownsReplicas(of live: Resource?, workload: Resource) async throws -> Bool {
        guard let live, let wanted = try? PodSpecWorkload.replicas(of: workload),
            live.spec?["replicas"]?.intValue != wanted
        else { return true }
        do {
            let fresh = try await client.get(WorkloadKinds.deployment, name: live.name, namespace: live.namespace)
            return !PodSpecWorkload.replicasManagedElsewhere(fresh, fieldManager: Self.fieldManager)
        } catch let error as APIError where error.reason == .notFound {
            return true
        }
    }

    /// Applies `object` unless `live` already is what was last applied; returns it as it is now.
    private func apply(
        _ object: Resource, live: Resource?, uid: String, workload: Resource,
        changes: inout [ContainerizedWorkloadReconciler.Change]
    ) async throws -> Resource {
        let desired = AppliedState.stamped(object)
        if let live {
            guard let owner = live.controllerReference, owner.uid == uid else {
                let holder = live.controllerReference.map { "is controlled by \($0.kind) \($0.name)" }
                    ?? "exists and no controller owns it"
                throw Failure(
                    message: "cannot apply \(object.kind) \(object.name): it \(holder); rename the workload or "
                        + "remove the other object", retry: true)
            }
            if AppliedState.isCurrent(live, desired: desired) { return live }
        }
        do {
            let applied = try await client.apply(desired, fieldManager: Self.fieldManager, force: true)
            changes.append(.init(live == nil ? "created" : "updated", applied, kind: object.kind,
                                 workload: workload.name))
            return applied
        } catch let error as APIError {
            throw Failure(message: "cannot apply \(object.kind) \(object.name): \(error.message)", retry: true)
        }
    }

    private func delete(
        _ object: Resource, kind: GroupVersionKind, workload: Resource,
        changes: inout [ContainerizedWorkloadReconciler.Change]
    ) async throws {
        do {
            try await client.delete(kind, name: object.name, namespace: object.namespace)
            changes.append(.init("deleted", object, kind: kind.kind, workload: workload.name))
        } catch let error as APIError where error.reason == .notFound {
            return
        } catch let error as APIError {
            throw Failure(message: "cannot delete \(kind.kind) \(object.name): \(error.message)", retry: true)
        }
    }

    /// Writes `fields` (kept as they are when `nil`) and the `Synced` condition, unless the
    /// status already says so.
    private func writeStatus(of workload: Resource, fields: JSONObject?, failure: String?) async throws {
        var status = StatusWriter.setting(
            StatusWriter.synced(failure: failure, old: workload.status), in: workload.status)
        if let fields {
            for key in ["resources", "replicas", "readyReplicas"] { status[key] = fields[key] }
        }
        try await StatusWriter.write(
            .object(status), of: workload, kind: Self.kind, client: client, fieldManager: Controllers.fieldManager)
    }
}
