import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import Synchronization
import ControllerRuntime

/// Reconciles MetricsTraits: finds the Service to scrape (``OAM/TraitBackend``: the workload's
/// own Service that exposes `spec.port` and has labels to be selected by, or else a Service named
/// after the trait, selecting the workload's Pods) and server-side applies it and the
/// ServiceMonitor of ``OAM/MetricsTrait/serviceMonitor(for:backend:)`` under the field manager
/// `mizzen-metricstrait`, both controlled by the trait.
///
/// Where the cluster does not serve `monitoring.coreos.com/v1` ServiceMonitor (the Prometheus
/// Operator's CRDs are not installed — the embedded plane and a bare cluster), nothing fails:
/// the Service is still made, `Synced` is ReconcileSuccess and the `Monitored` condition is
/// False with reason `ServiceMonitorNotServed`. A CustomResourceDefinition of the kind that
/// appears later queues every MetricsTrait again, and the ServiceMonitors follow (`Monitored`
/// True, `ServiceMonitorApplied`).
///
/// Status: `Synced`, `Monitored`, `service`, `port` and `serviceMonitor`. Events on the
/// AppConfig: one per write, `ReconcileError` when a failure is new.
final class MetricsTraitReconciler: Reconciler {
    static let fieldManager = "mizzen-metricstrait"
    /// Trait index: the ``ReferenceKey`` of the trait's workload.
    static let workloadIndex = "workload-reference"
    static let kind = GroupVersionKind(group: StandardCatalog.group, version: StandardCatalog.version, kind: MetricsTrait.kind)

    let manager: Manager
    let client: KubernetesClient
    let traits: Informer
    let services: Informer
    let definitions: DefinitionCatalog
    let references: ReferenceWatch
    let objects: TraitOwnedObjects
    let events: any EventSink
    let logger: Logger
    let errorRetry: Duration
    /// The controller, to queue traits again when a made ServiceMonitor changes.
    private let controller = Mutex<Controller?>(nil)
    /// The ServiceMonitor informer, made once the kind is served.
    private let monitorInformer = Mutex<Informer?>(nil)

    init(
        manager: Manager, traits: Informer, definitions: DefinitionCatalog, references: ReferenceWatch,
        events: any EventSink, logger: Logger, errorRetry: Duration = .seconds(30)
    ) {
        self.manager = manager
        self.client = manager.client
        self.traits = traits
        self.services = manager.informer(for: RouteTraitReconciler.serviceKind)
        self.definitions = definitions
        self.references = references
        self.objects = TraitOwnedObjects(client: manager.client, fieldManager: Self.fieldManager)
        self.events = events
        self.logger = logger
        self.errorRetry = errorRetry
    }

    /// Registers the controller on `context.manager`: a trait is queued when its spec changes,
    /// when its workload or one of its children changes, when the Service or ServiceMonitor it
    /// made changes, and — all of them — when a ServiceMonitor CRD appears, changes or goes.
    static func register(_ context: CatalogControllers.Context) {
        let manager = context.manager
        let traits = manager.informer(for: kind, indexes: [workloadIndex: ReferenceKey.index(at: "spec.workloadRef")])
        let references = ReferenceWatch(
            manager: manager, referrers: traits, index: workloadIndex, isRelevant: RouteTraitReconciler.isRelevant)
        for kind in [WorkloadKinds.containerizedWorkload, WorkloadKinds.deployment, RouteTraitReconciler.serviceKind] {
            references.watch(kind)
        }
        let reconciler = MetricsTraitReconciler(
            manager: manager, traits: traits, definitions: context.definitions, references: references,
            events: context.events, logger: context.logger)
        let controller = Controller(
            name: "metricstrait", reconciler: reconciler, primary: traits, workers: context.workers,
            logger: context.logger)
        reconciler.controller.withLock { $0 = controller }
        references.attach(controller)
        traits.addHandler { event in
            switch event {
            case .added: await controller.enqueue(ObjectKey(event.object))
            case .updated(let old, let new) where new.differsBeyondStatus(from: old):
                await controller.enqueue(ObjectKey(new))
            case .updated, .deleted: break
            }
        }
        reconciler.services.addHandler { event in
            if let key = TraitOwnedObjects.owningTrait(of: event.object, kind: kind) { await controller.enqueue(key) }
        }
        manager.informer(for: OAMKinds.customResourceDefinition).addHandler { event in
            let crd = event.object
            guard crd.valueIfPresent(at: "spec.group")?.stringValue == MetricsTrait.serviceMonitorKind.group,
                crd.valueIfPresent(at: "spec.names.kind")?.stringValue == MetricsTrait.serviceMonitorKind.kind
            else { return }
            // A CRD that goes leaves discovery's answer stale; one that comes is found by a miss.
            if case .deleted = event { await manager.client.mapper.invalidate() }
            for key in traits.cache.keys.sorted() { await controller.enqueue(key) }
        }
        manager.add(controller)
    }

    private struct Failure: Error {
        var message: String
        var retry = true
    }

    private struct AwaitingChildren: Error {}

    /// No Service of the workload exposes the port yet, and the workload's controller, which
    /// makes Services, has not reported on it: look again in a moment rather than make one.
    private struct AwaitingService: Error {}

    /// What a converged reconcile reports.
    private struct Outcome {
        var fields: JSONObject
        /// `nil` when the ServiceMonitor is applied; else why not (the kind is not served).
        var notMonitored: String?
        var changes: [TraitOwnedObjects.Change]
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let trait = traits.cache.get(key), !trait.isBeingDeleted, trait.uid != nil else { return .done }
        do {
            guard let outcome = try await converge(trait) else { return .requeue(after: .milliseconds(500)) }
            for change in outcome.changes {
                await events.record(on: EventTarget.of(trait), type: .normal, reason: change.reason, message: change.message)
            }
            try await writeStatus(of: trait, fields: outcome.fields, notMonitored: outcome.notMonitored, failure: nil)
            // A CRD established a moment ago may not be in discovery yet: look again soon.
            if outcome.notMonitored != nil, isBeingEstablished() { return .requeue(after: .seconds(2)) }
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
            try await writeStatus(of: trait, fields: nil, notMonitored: nil, failure: failure.message)
            return failure.retry ? .requeue(after: errorRetry) : .done
        }
    }

    private func converge(_ trait: Resource) async throws -> Outcome? {
        guard services.hasSynced else { return nil }
        let resolved: TraitWorkload
        do {
            resolved = try TraitWorkload.resolve(trait, references: references, definitions: definitions)
        } catch .notSynced {
            return nil
        } catch .failure(let message, let retry) {
            throw Failure(message: message, retry: retry)
        }
        let backend: TraitBackend
        do {
            let podSelector = WorkloadPods.of(resolved)?.serviceSelector
            let containerPorts = WorkloadServices.containerPorts(of: resolved)
            func choose(among services: [Resource]) throws(TraitBackendError) -> TraitBackend {
                try TraitBackend.choose(
                    for: trait, port: MetricsTrait.port(of: trait), portPath: "spec.port",
                    portName: MetricsTrait.servicePortName, workloadServices: services, podSelector: podSelector,
                    containerPorts: containerPorts)
            }
            let found = try choose(among: WorkloadServices.services(of: resolved))
            // A Service without labels cannot be selected by a ServiceMonitor: make one that can.
            backend = MetricsTrait.canSelect(found) ? found : try choose(among: [])
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
        var fields: JSONObject = ["service": .string(backend.serviceName), "port": .int(backend.port)]
        do {
            if let service = backend.service {
                _ = try await objects.apply(
                    service, live: services.cache.get(namespace: trait.namespace, name: service.name), trait: trait,
                    changes: &changes)
            }
            try await objects.deleteOthers(
                in: services, keep: Set([backend.service?.name].compactMap { $0 }), trait: trait, changes: &changes)
        } catch {
            throw Failure(message: error.message)
        }

        guard let monitors = try await serviceMonitors() else {
            let message = "\(MetricsTrait.serviceMonitorKind.kind) (\(MetricsTrait.serviceMonitorKind.apiVersion)) is not "
                + "served by this cluster: install the Prometheus Operator or its CRDs and the ServiceMonitor follows; "
                + "Service \(backend.serviceName) port \(backend.port) is ready to be scraped"
            return Outcome(fields: fields, notMonitored: message, changes: changes)
        }
        guard monitors.hasSynced else { return nil }
        do {
            let desired = MetricsTrait.serviceMonitor(for: trait, backend: backend)
            _ = try await objects.apply(
                desired, live: monitors.cache.get(namespace: trait.namespace, name: desired.name), trait: trait,
                changes: &changes)
            try await objects.deleteOthers(in: monitors, keep: [desired.name], trait: trait, changes: &changes)
            fields["serviceMonitor"] = .string(desired.name)
        } catch {
            throw Failure(message: error.message)
        }
        return Outcome(fields: fields, notMonitored: nil, changes: changes)
    }

    /// The ServiceMonitor informer, made on first use once discovery says the kind is served;
    /// `nil` while it is not.
    private func serviceMonitors() async throws -> Informer? {
        if let informer = monitorInformer.withLock({ $0 }) { return informer }
        do {
            _ = try await client.mapper.mapping(for: MetricsTrait.serviceMonitorKind)
        } catch let error as ClientError where error.kind == .noMatch {
            return nil
        } catch {
            throw Failure(message: "cannot tell whether ServiceMonitors are served: \(error)")
        }
        let (informer, isNew) = monitorInformer.withLock { current -> (Informer, Bool) in
            if let current { return (current, false) }
            let informer = manager.informer(for: MetricsTrait.serviceMonitorKind)
            current = informer
            return (informer, true)
        }
        if isNew {
            let controller = self.controller.withLock { $0 }
            informer.addHandler { event in
                if let key = TraitOwnedObjects.owningTrait(of: event.object, kind: Self.kind) {
                    await controller?.enqueue(key)
                }
            }
        }
        return informer
    }

    /// Whether an established CRD serves ServiceMonitors although discovery said no. Read by
    /// name — the Prometheus Operator's `servicemonitors.monitoring.coreos.com` (a CRD's name is
    /// `<plural>.<group>`) — rather than by parsing every CRD on each reconcile of a trait that
    /// is not monitored, the usual state where the operator is not installed.
    private func isBeingEstablished() -> Bool {
        guard let crds = manager.existingInformer(for: OAMKinds.customResourceDefinition) else { return false }
        let kind = MetricsTrait.serviceMonitorKind
        guard let crd = crds.cache.get(namespace: nil, name: "servicemonitors.\(kind.group)"),
            crd.valueIfPresent(at: "spec.names.kind")?.stringValue == kind.kind
        else { return false }
        return (crd.valueIfPresent(at: "status.conditions")?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True"
        }
    }

    /// Writes the status fields (kept when `fields` is `nil`), `Synced` and — after a converged
    /// reconcile — `Monitored`, unless the status already says so.
    private func writeStatus(of trait: Resource, fields: JSONObject?, notMonitored: String?, failure: String?)
        async throws
    {
        var status = StatusWriter.setting(StatusWriter.synced(failure: failure, old: trait.status), in: trait.status)
        if let fields {
            for key in ["serviceMonitor", "service", "port"] { status[key] = fields[key] }
            status = StatusWriter.setting(
                Self.monitoredCondition(notServed: notMonitored, old: trait.status), in: .object(status))
        }
        try await StatusWriter.write(
            .object(status), of: trait, kind: Self.kind, client: client, fieldManager: Controllers.fieldManager)
    }

    /// The `Monitored` condition: True `ServiceMonitorApplied`, or False `ServiceMonitorNotServed`
    /// with `notServed` as its message; the transition time of `old`'s is kept while it holds.
    static func monitoredCondition(notServed: String?, old: JSONValue?) -> JSONValue {
        let status = notServed == nil ? "True" : "False"
        let reason = notServed == nil ? MetricsTrait.Monitored.applied : MetricsTrait.Monitored.notServed
        let previous = old?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == MetricsTrait.Monitored.type }
        var time = KubernetesTime.now
        if let previous, previous["status"]?.stringValue == status, previous["reason"]?.stringValue == reason,
            let kept = previous["lastTransitionTime"]?.stringValue
        {
            time = kept
        }
        var condition: JSONObject = [
            "type": .string(MetricsTrait.Monitored.type), "status": .string(status),
            "lastTransitionTime": .string(time), "reason": .string(reason),
        ]
        if let notServed { condition["message"] = .string(notServed) }
        return .object(condition)
    }
}
