import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

/// Reconciles ContainerizedWorkloads (spec §7 with the fixes of §12.16): translates the
/// workload with the pure ``OAM/ContainerizedWorkloadTranslation``, server-side applies the
/// Deployment, its ConfigMaps and the Service (field manager `mizzen`, forced), deletes the
/// objects it owns and no longer renders — ConfigMaps included — and records them in
/// `status.resources` with a `Synced` condition.
///
/// An object is written only when it is not what was last applied to it (the hash annotation
/// of ``AppliedState``) or someone changed one of its fields; the status only when it changes.
///
/// Each write is a Normal Event on the AppConfig that owns the workload (``EventTarget``):
/// `Deployment created`, `Deployment updated`, `Deployment deleted`, and the same for `Service`
/// and `ConfigMap` — the reference's `… created` reasons, recorded once per actual write instead
/// of on every reconcile, with `updated` and `deleted` for the writes the reference does not tell.
final class ContainerizedWorkloadReconciler: Reconciler {
    let client: KubernetesClient
    let workloads: Informer
    let deployments: Informer
    let services: Informer
    let configMaps: Informer
    let events: any EventSink
    let logger: Logger
    /// How long to wait before trying a workload whose objects cannot be applied again.
    let errorRetry: Duration

    init(manager: Manager, events: any EventSink, logger: Logger, errorRetry: Duration = .seconds(30)) {
        self.client = manager.client
        self.workloads = manager.informer(for: WorkloadKinds.containerizedWorkload)
        self.deployments = manager.informer(for: WorkloadKinds.deployment)
        self.services = manager.informer(for: WorkloadKinds.service)
        self.configMaps = manager.informer(for: WorkloadKinds.configMap)
        self.events = events
        self.logger = logger
        self.errorRetry = errorRetry
    }

    /// A step that failed, with the message the `Synced` condition shows.
    struct Failure: Error {
        var message: String
    }

    /// A write of a reconcile, told as a Normal Event: reason `<Kind> created|updated|deleted`.
    struct Change: Sendable, Equatable {
        var reason: String
        var message: String

        init(_ verb: String, _ object: Resource, kind: String, workload: String) {
            reason = "\(kind) \(verb)"
            message = "Workload `\(workload)` \(verb) \(kind) `\(object.name)`"
        }
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let workload = workloads.cache.get(key), !workload.isBeingDeleted else { return .done }
        guard let uid = workload.uid, !uid.isEmpty else { return .done }
        let translated: TranslatedWorkload
        do {
            translated = try ContainerizedWorkloadTranslation.translate(workload)
        } catch {
            // Only an edit of the workload can fix it, and an edit queues it again.
            let failure = "cannot translate the workload: \(error)"
            if !StatusWriter.alreadyReports(failure, on: workload) {
                await events.record(on: EventTarget.of(workload), type: .warning, reason: "ReconcileError",
                                    message: "Workload `\(workload.name)`: \(failure)")
            }
            try await writeStatus(of: workload, resources: nil, failure: failure)
            return .done
        }
        do {
            let (resources, changes) = try await converge(workload, uid: uid, translated: translated)
            let target = EventTarget.of(workload)
            for change in changes {
                await events.record(on: target, type: .normal, reason: change.reason, message: change.message)
            }
            try await writeStatus(of: workload, resources: resources, failure: nil)
            return .done
        } catch let failure as Failure {
            // Retried every errorRetry: the Event only when the failure is new.
            if !StatusWriter.alreadyReports(failure.message, on: workload) {
                await events.record(on: EventTarget.of(workload), type: .warning, reason: "ReconcileError",
                                    message: "Workload `\(workload.name)`: \(failure.message)")
            }
            try await writeStatus(of: workload, resources: nil, failure: failure.message)
            return .requeue(after: errorRetry)
        }
    }

    /// Applies what `translated` holds and deletes what the workload owns beyond it; returns
    /// the references for `status.resources` and a line per write.
    private func converge(_ workload: Resource, uid: String, translated: TranslatedWorkload)
        async throws -> (resources: [JSONValue], changes: [Change])
    {
        var changes: [Change] = []
        let deployment = try await applyIfNeeded(
            translated.deployment, informer: deployments, controllerUID: uid, what: "the deployment",
            workload: workload.name, changes: &changes)

        var keptConfigMaps: Set<String> = []
        if let deploymentUID = deployment.uid {
            for var configMap in translated.configMaps {
                if let owner = ContainerizedWorkloadTranslation.configMapOwnerReference(deployment: deployment) {
                    configMap.ownerReferences = [owner]
                }
                _ = try await applyIfNeeded(
                    configMap, informer: configMaps, controllerUID: deploymentUID,
                    what: "ConfigMap \(configMap.name)", workload: workload.name, changes: &changes)
                keptConfigMaps.insert(configMap.name)
            }
            // ConfigMaps of config files that are gone (the reference keeps them for ever, §12.16).
            for stale in configMaps.cache.objects(index: Indexes.controllerOwner, value: deploymentUID)
            where !keptConfigMaps.contains(stale.name) {
                try await delete(stale, kind: WorkloadKinds.configMap, workload: workload.name, changes: &changes)
            }
        }

        var service: Resource?
        if let desired = translated.service {
            service = try await applyIfNeeded(
                desired, informer: services, controllerUID: uid, what: "the service", workload: workload.name,
                changes: &changes)
        }

        // Deployments and Services the workload controls under other names (renamed, or a
        // Service whose ports are gone).
        for stale in deployments.cache.objects(index: Indexes.controllerOwner, value: uid)
        where stale.name != translated.deployment.name {
            try await delete(stale, kind: WorkloadKinds.deployment, workload: workload.name, changes: &changes)
        }
        for stale in services.cache.objects(index: Indexes.controllerOwner, value: uid)
        where stale.name != translated.service?.name {
            try await delete(stale, kind: WorkloadKinds.service, workload: workload.name, changes: &changes)
        }

        var resources = [Self.reference(to: deployment, apiVersion: "apps/v1", kind: "Deployment")]
        if let service { resources.append(Self.reference(to: service, apiVersion: "v1", kind: "Service")) }
        return (resources, changes)
    }

    /// Applies `object` unless the cached one already is what it should be; returns the object
    /// as it is now.
    private func applyIfNeeded(
        _ object: Resource, informer: Informer, controllerUID: String, what: String, workload: String,
        changes: inout [Change]
    ) async throws -> Resource {
        var desired = object
        // The workload's own applied-hash annotation, copied with its annotations, is not ours to keep.
        desired.annotations[AppliedState.annotation] = nil
        desired = AppliedState.stamped(desired)
        let live = informer.cache.get(namespace: object.namespace, name: object.name)
        if let live {
            if let owner = live.controllerReference, owner.uid != controllerUID {
                throw Failure(
                    message: "cannot apply \(what): \(object.kind)/\(object.name) is controlled by "
                        + "\(owner.kind)/\(owner.name); rename the workload or remove the other object")
            }
            if AppliedState.isCurrent(live, desired: desired) { return live }
        }
        do {
            let applied = try await client.apply(desired, fieldManager: Controllers.fieldManager, force: true)
            changes.append(Change(live == nil ? "created" : "updated", applied, kind: object.kind, workload: workload))
            return applied
        } catch let error as APIError {
            throw Failure(message: "cannot apply \(what): \(error.message)")
        }
    }

    private func delete(_ object: Resource, kind: GroupVersionKind, workload: String, changes: inout [Change])
        async throws
    {
        guard !object.isBeingDeleted else { return }
        do {
            try await client.delete(kind, name: object.name, namespace: object.namespace)
            changes.append(Change("deleted", object, kind: kind.kind, workload: workload))
        } catch let error as APIError where error.reason == .notFound {
            return
        } catch let error as APIError {
            throw Failure(message: "cannot delete \(kind.kind)/\(object.name): \(error.message)")
        }
    }

    /// `{apiVersion, kind, name, uid}` of an applied object.
    static func reference(to object: Resource, apiVersion: String, kind: String) -> JSONValue {
        TypedReference(apiVersion: apiVersion, kind: kind, name: object.name, uid: object.uid).json
    }

    /// Writes `status.resources` (kept as it is when `resources` is `nil`) and the `Synced`
    /// condition, unless the status already says so.
    private func writeStatus(of workload: Resource, resources: [JSONValue]?, failure: String?) async throws {
        var status = StatusWriter.setting(
            StatusWriter.synced(failure: failure, old: workload.status), in: workload.status)
        if let resources { status["resources"] = .array(resources) }
        try await StatusWriter.write(
            .object(status), of: workload, kind: WorkloadKinds.containerizedWorkload, client: client,
            fieldManager: Controllers.fieldManager)
    }

    // MARK: Watches

    /// The workload to reconcile when `object` — a Deployment or Service it controls, or a
    /// ConfigMap controlled by such a Deployment — changes.
    func owningWorkload(of object: Resource) -> ObjectKey? {
        guard var owner = object.controllerReference else { return nil }
        if owner.kind == "Deployment", GroupVersion(apiVersion: owner.apiVersion).group == "apps" {
            guard let deployment = deployments.cache.get(namespace: object.namespace, name: owner.name),
                deployment.uid == owner.uid, let workloadOwner = deployment.controllerReference
            else { return nil }
            owner = workloadOwner
        }
        guard owner.kind == ContainerizedWorkload.kind, GroupVersion(apiVersion: owner.apiVersion).group == OAM.group
        else { return nil }
        return ObjectKey(namespace: object.namespace, name: owner.name)
    }
}
