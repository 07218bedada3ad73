import OAM
import Resources
import ControllerRuntime

/// Wires the RolloutTrait controller: queues a trait when its spec changes (a new revision
/// moves its `spec.workloadRef`; an edit of its batches, pause or deadline), and when the
/// workload it rolls to or from — or an object such a workload owns, such as a
/// ContainerizedWorkload's Deployment — appears, goes, or changes its replicas or status.
enum RolloutTraitController {
    static let kind = GroupVersionKind(group: StandardCatalog.group, version: StandardCatalog.version, kind: RolloutTrait.kind)

    static func register(_ context: CatalogControllers.Context) {
        let manager = context.manager
        let traits = manager.informer(for: kind, indexes: [
            RolloutTraitReconciler.workloadIndex: workloadKeys,
        ])
        let references = ReferenceWatch(
            manager: manager, referrers: traits, index: RolloutTraitReconciler.workloadIndex,
            isRelevant: RolloutTraitReconciler.isRelevant)
        for kind in [WorkloadKinds.containerizedWorkload, WorkloadKinds.deployment] { references.watch(kind) }
        let reconciler = RolloutTraitReconciler(
            manager: manager, traits: traits, definitions: context.definitions, references: references,
            events: context.events, logger: context.logger)
        let controller = Controller(
            name: "rollouttrait", reconciler: reconciler, primary: traits, workers: context.workers,
            logger: context.logger)
        references.attach(controller)
        traits.addHandler { event in
            switch event {
            case .added: await controller.enqueue(ObjectKey(event.object))
            case .updated(let old, let new) where new.differsBeyondStatus(from: old):
                await controller.enqueue(ObjectKey(new))
            case .updated, .deleted: break
            }
        }
        manager.add(controller)
    }

    /// The ``ReferenceKey``s of the workload a trait rolls to (`spec.workloadRef`) and of the one
    /// it rolls from (`status.sourceWorkload`, of the same kind).
    static let workloadKeys: IndexFunction = { trait in
        var keys = ReferenceKey.index(at: "spec.workloadRef")(trait)
        if let reference = trait.valueIfPresent(at: "spec.workloadRef"),
            let apiVersion = reference["apiVersion"]?.stringValue, let kind = reference["kind"]?.stringValue,
            let source = trait.status?["sourceWorkload"]?.stringValue
        {
            keys.append(ReferenceKey.of(namespace: trait.namespace, apiVersion: apiVersion, kind: kind, name: source))
        }
        return keys
    }
}
