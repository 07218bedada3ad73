public import Logging
import OAM
public import Resources
import ControllerRuntime

/// The controllers of the built-in workload, trait and scope kinds, and the node simulator.
///
/// Each factory creates the informers its controller needs on `manager` and the handlers that
/// queue work, and returns the controller without adding it: the caller adds it.
///
/// ```swift
/// let manager = Manager(client: client)
/// manager.add(WorkloadControllers.containerizedWorkloadController(manager: manager, workers: 2))
/// for simulator in WorkloadControllers.nodeSimulatorControllers(manager: manager) { manager.add(simulator) }
/// try await manager.run()
/// ```
public enum WorkloadControllers {
    /// The ContainerizedWorkload controller (spec §7): queues a workload when it changes beyond
    /// its status, and when a Deployment or Service it controls, or a ConfigMap of such a
    /// Deployment, changes.
    public static func containerizedWorkloadController(
        manager: Manager, workers: Int = 2, events: any EventSink = DiscardingEventSink(),
        logger: Logger = Logger(label: "mizzen.controllers")
    ) -> Controller {
        let reconciler = ContainerizedWorkloadReconciler(manager: manager, events: events, logger: logger)
        let controller = Controller(
            name: "containerizedworkload", reconciler: reconciler, primary: reconciler.workloads, workers: workers,
            logger: logger)
        reconciler.workloads.addHandler { event in
            if case .updated(let old, let new) = event, !new.differsBeyondStatus(from: old) { return }
            await controller.enqueue(ObjectKey(event.object))
        }
        for owned in [reconciler.deployments, reconciler.services, reconciler.configMaps] {
            owned.addHandler { event in
                if case .updated(let old, let new) = event, !new.differsBeyondStatus(from: old) { return }
                // A deleted Deployment's ConfigMaps find no owner any more; the Deployment's own event suffices.
                if let key = reconciler.owningWorkload(of: event.object) { await controller.enqueue(key) }
            }
        }
        return controller
    }

    /// The ManualScalerTrait controller (spec §8): queues a trait when its spec changes, and when
    /// its workload, or an object its workload owns, appears, goes or changes its replicas.
    public static func manualScalerTraitController(
        manager: Manager, workers: Int = 2, events: any EventSink = DiscardingEventSink(),
        logger: Logger = Logger(label: "mizzen.controllers")
    ) -> Controller {
        manualScalerTraitController(
            manager: manager, workers: workers, events: events,
            definitions: DefinitionCatalog(manager: manager, logger: logger), logger: logger)
    }

    /// The ManualScalerTrait controller reading the WorkloadDefinitions through `definitions`,
    /// the catalog the AppConfig controller keeps too.
    static func manualScalerTraitController(
        manager: Manager, workers: Int, events: any EventSink, definitions: DefinitionCatalog, logger: Logger
    ) -> Controller {
        let traits = manager.informer(for: WorkloadKinds.manualScalerTrait, indexes: [
            ManualScalerTraitReconciler.workloadIndex: ReferenceKey.index(at: "spec.workloadRef"),
        ])
        let references = ReferenceWatch(
            manager: manager, referrers: traits, index: ManualScalerTraitReconciler.workloadIndex,
            isRelevant: ManualScalerTraitReconciler.isRelevant)
        // The common case is watched from the start; other kinds when a trait first names them.
        for kind in [WorkloadKinds.containerizedWorkload, WorkloadKinds.deployment] { references.watch(kind) }
        let reconciler = ManualScalerTraitReconciler(
            manager: manager, traits: traits, definitions: definitions,
            references: references, events: events, logger: logger)
        let controller = Controller(
            name: "manualscalertrait", reconciler: reconciler, primary: traits, workers: workers, logger: logger)
        references.attach(controller)
        traits.addHandler { event in
            switch event {
            case .added: await controller.enqueue(ObjectKey(event.object))
            case .updated(let old, let new) where new.differsBeyondStatus(from: old):
                await controller.enqueue(ObjectKey(new))
            case .updated, .deleted: break
            }
        }
        return controller
    }

    /// The HealthScope controller (spec §9): queues a scope when its spec changes, every
    /// `probe-interval`, and when a workload it lists, or an object such a workload owns, changes.
    public static func healthScopeController(
        manager: Manager, workers: Int = 2, logger: Logger = Logger(label: "mizzen.controllers")
    ) -> Controller {
        let scopes = manager.informer(for: WorkloadKinds.healthScope, indexes: [
            HealthScopeReconciler.workloadIndex: ReferenceKey.index(at: "spec.workloadRefs"),
        ])
        let references = ReferenceWatch(
            manager: manager, referrers: scopes, index: HealthScopeReconciler.workloadIndex,
            isRelevant: { event in
                guard case .updated(let old, let new) = event else { return true }
                return old.status != new.status || old.spec != new.spec || old.labels != new.labels
                    || old.ownerReferences != new.ownerReferences
            })
        for kind in [WorkloadKinds.containerizedWorkload, WorkloadKinds.deployment, WorkloadKinds.service] {
            references.watch(kind)
        }
        let reconciler = HealthScopeReconciler(scopes: scopes, references: references, client: manager.client,
                                               logger: logger)
        let controller = Controller(
            name: "healthscope", reconciler: reconciler, primary: scopes, workers: workers, logger: logger)
        references.attach(controller)
        reconciler.attach(controller)
        scopes.addHandler { event in
            switch event {
            case .added: await controller.enqueue(ObjectKey(event.object))
            case .updated(let old, let new) where new.differsBeyondStatus(from: old):
                await controller.enqueue(ObjectKey(new))
            case .updated, .deleted: break
            }
        }
        return controller
    }

    /// The node simulator's controllers, one per kind of `kinds` (some of ``NodeSimulator/kinds``):
    /// each object is queued whenever it changes (its status is put back if someone else rewrites it).
    ///
    /// Only for a plane without the controllers of those kinds: the embedded one run with
    /// `--node-simulation deployments` (without its own controllers); a test cluster run without
    /// kube-controller-manager's deployment controller wants Deployments only (its StatefulSet
    /// controller writes StatefulSet status, and would undo the simulator's every write).
    public static func nodeSimulatorControllers(
        manager: Manager, kinds: [GroupVersionKind] = NodeSimulator.kinds, workers: Int = 1,
        logger: Logger = Logger(label: "mizzen.controllers")
    ) -> [Controller] {
        kinds.map { kind in
            let simulator = NodeSimulator(manager: manager, kind: kind)
            let controller = Controller(
                name: "node-simulator-\(kind.kind.lowercased())", reconciler: simulator, primary: simulator.objects,
                workers: workers, logger: logger)
            simulator.objects.addHandler { event in
                if case .deleted = event { return }
                await controller.enqueue(ObjectKey(event.object))
            }
            return controller
        }
    }
}
