import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

/// Reconciles RouteTraits: finds the workload at `spec.workloadRef` and the Service to send to
/// (``OAM/TraitBackend``: one of the workload's own Services that exposes `spec.backend.port`,
/// or else a Service named after the trait, selecting the workload's Pods), and server-side
/// applies the Ingress of ``OAM/RouteTrait/ingress(for:backend:)`` — and that Service — under
/// the field manager `mizzen-routetrait`. Both carry a controller reference to the trait, so
/// removing the trait removes them; a Service the trait made and no longer needs is deleted.
///
/// Status: `Synced` (ReconcileSuccess / ReconcileError with what is wrong), and `ingress`,
/// `hosts`, `service`, `port` and the Ingress's load balancer `address` once an ingress
/// controller reports one. Events on the AppConfig: one per write (`Ingress created`…), and
/// `ReconcileError` when a failure is new.
final class RouteTraitReconciler: Reconciler {
    static let fieldManager = "mizzen-routetrait"
    /// Trait index: the ``ReferenceKey`` of the trait's workload.
    static let workloadIndex = "workload-reference"
    static let kind = GroupVersionKind(group: StandardCatalog.group, version: StandardCatalog.version, kind: RouteTrait.kind)
    static let serviceKind = GroupVersionKind(group: "", version: "v1", kind: "Service")

    let client: KubernetesClient
    let traits: Informer
    let ingresses: Informer
    let services: Informer
    let definitions: DefinitionCatalog
    let references: ReferenceWatch
    let objects: TraitOwnedObjects
    let events: any EventSink
    let logger: Logger
    /// How long to wait before looking again at a trait that cannot be routed.
    let errorRetry: Duration

    init(
        manager: Manager, traits: Informer, definitions: DefinitionCatalog, references: ReferenceWatch,
        events: any EventSink, logger: Logger, errorRetry: Duration = .seconds(30)
    ) {
        self.client = manager.client
        self.traits = traits
        self.ingresses = manager.informer(for: RouteTrait.ingressKind)
        self.services = manager.informer(for: Self.serviceKind)
        self.definitions = definitions
        self.references = references
        self.objects = TraitOwnedObjects(client: manager.client, fieldManager: Self.fieldManager)
        self.events = events
        self.logger = logger
        self.errorRetry = errorRetry
    }

    /// Registers the controller on `context.manager`: a trait is queued when its spec changes,
    /// when its workload or one of the workload's children (its Services, its Deployment)
    /// changes, and when the Ingress or Service it made changes (its address included).
    static func register(_ context: CatalogControllers.Context) {
        let manager = context.manager
        let traits = manager.informer(for: kind, indexes: [workloadIndex: ReferenceKey.index(at: "spec.workloadRef")])
        let references = ReferenceWatch(
            manager: manager, referrers: traits, index: workloadIndex, isRelevant: Self.isRelevant)
        for kind in [WorkloadKinds.containerizedWorkload, WorkloadKinds.deployment, serviceKind] { references.watch(kind) }
        let reconciler = RouteTraitReconciler(
            manager: manager, traits: traits, definitions: context.definitions, references: references,
            events: context.events, logger: context.logger)
        let controller = Controller(
            name: "routetrait", reconciler: reconciler, primary: traits, workers: context.workers, logger: context.logger)
        references.attach(controller)
        traits.addHandler { event in
            switch event {
            case .added: await controller.enqueue(ObjectKey(event.object))
            case .updated(let old, let new) where new.differsBeyondStatus(from: old):
                await controller.enqueue(ObjectKey(new))
            case .updated, .deleted: break
            }
        }
        for owned in [reconciler.ingresses, reconciler.services] {
            owned.addHandler { event in
                if let key = TraitOwnedObjects.owningTrait(of: event.object, kind: kind) { await controller.enqueue(key) }
            }
        }
        manager.add(controller)
    }

    /// Whether a change of a workload or child can change the route: it appeared, went, or
    /// changed its spec (ports, selector, template), labels or owners — not its status.
    static let isRelevant: @Sendable (InformerEvent) -> Bool = { event in
        guard case .updated(let old, let new) = event else { return true }
        return old.spec != new.spec || old.labels != new.labels || old.ownerReferences != new.ownerReferences
            || old.uid != new.uid
    }

    /// A trait that cannot be routed now, with the message of its `Synced` condition.
    private struct Failure: Error {
        var message: String
        var retry = true
    }

    /// The workload's children do not exist yet and its controller has not reported on it.
    private struct AwaitingChildren: Error {}

    /// No Service of the workload exposes the port yet, and the workload's controller, which
    /// makes Services, has not reported on it: look again in a moment rather than make one.
    private struct AwaitingService: Error {}

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let trait = traits.cache.get(key), !trait.isBeingDeleted, trait.uid != nil else { return .done }
        do {
            guard let result = try await converge(trait) else { return .requeue(after: .milliseconds(500)) }
            for change in result.changes {
                await events.record(on: EventTarget.of(trait), type: .normal, reason: change.reason, message: change.message)
            }
            try await writeStatus(of: trait, fields: result.status, failure: nil)
            return .done
        } catch is AwaitingChildren {
            return .requeue(after: errorRetry)
        } catch is AwaitingService {
            return .requeue(after: .seconds(1))
        } catch let failure as Failure {
            if !StatusWriter.alreadyReports(failure.message, on: trait) {
                await events.record(
                    on: EventTarget.of(trait), type: .warning, reason: "ReconcileError",
                    message: "Trait `\(trait.name)`: \(failure.message)")
            }
            try await writeStatus(of: trait, fields: nil, failure: failure.message)
            return failure.retry ? .requeue(after: errorRetry) : .done
        }
    }

    /// Applies the Ingress (and Service) and deletes what the trait no longer makes; returns the
    /// status fields and the writes, `nil` while a cache has not synced.
    private func converge(_ trait: Resource) async throws -> (status: JSONObject, changes: [TraitOwnedObjects.Change])? {
        guard ingresses.hasSynced, services.hasSynced else { return nil }
        let resolved: TraitWorkload
        do {
            resolved = try TraitWorkload.resolve(trait, references: references, definitions: definitions)
        } catch .notSynced {
            return nil
        } catch .failure(let message, let retry) {
            throw Failure(message: message, retry: retry)
        }
        let workloadServices = WorkloadServices.services(of: resolved)
        let backend: TraitBackend
        do {
            backend = try TraitBackend.choose(
                for: trait, port: RouteTrait.port(of: trait), portPath: "spec.backend.port",
                portName: RouteTrait.servicePortName, workloadServices: workloadServices,
                podSelector: WorkloadPods.of(resolved)?.serviceSelector,
                containerPorts: WorkloadServices.containerPorts(of: resolved))
        } catch {
            if resolved.children.isEmpty,
                TraitWorkload.awaitsChildren(resolved.workload, definitions: definitions, now: Date(), patience: errorRetry)
            {
                throw AwaitingChildren()
            }
            throw Failure(message: error.description)
        }

        if backend.service != nil,
            WorkloadServices.mayYetMakeService(resolved, definitions: definitions, now: Date(), patience: errorRetry)
        {
            throw AwaitingService()
        }
        var changes: [TraitOwnedObjects.Change] = []
        do {
            if let service = backend.service {
                _ = try await objects.apply(
                    service, live: services.cache.get(namespace: trait.namespace, name: service.name), trait: trait,
                    changes: &changes)
            }
            let desired = RouteTrait.ingress(for: trait, backend: backend)
            let ingress = try await objects.apply(
                desired, live: ingresses.cache.get(namespace: trait.namespace, name: desired.name), trait: trait,
                changes: &changes)
            try await objects.deleteOthers(
                in: services, keep: Set([backend.service?.name].compactMap { $0 }), trait: trait, changes: &changes)
            try await objects.deleteOthers(in: ingresses, keep: [desired.name], trait: trait, changes: &changes)

            var status: JSONObject = [
                "ingress": .string(ingress.name),
                "hosts": .array(RouteTrait.hosts(of: trait).map(JSONValue.string)),
                "service": .string(backend.serviceName),
                "port": .int(backend.port),
            ]
            if let address = RouteTrait.address(of: ingress) { status["address"] = .string(address) }
            return (status, changes)
        } catch {
            throw Failure(message: error.message)
        }
    }

    /// Writes the status fields (kept as they are when `fields` is `nil`) and `Synced`, unless
    /// the status already says so.
    private func writeStatus(of trait: Resource, fields: JSONObject?, failure: String?) async throws {
        var status = StatusWriter.setting(StatusWriter.synced(failure: failure, old: trait.status), in: trait.status)
        if let fields {
            for key in ["ingress", "hosts", "service", "port", "address"] { status[key] = fields[key] }
        }
        try await StatusWriter.write(
            .object(status), of: trait, kind: Self.kind, client: client, fieldManager: Controllers.fieldManager)
    }
}
