import Logging
import OAM
import Resources
import ControllerRuntime

/// The controllers of the pod-template patch traits (``OAM/PodTemplatePatch/kinds``), one per
/// kind, all running ``PodTemplatePatchReconciler`` with their kind's pure patch.
enum PodTemplatePatchControllers {
    /// Adds one controller per pod-template patch kind to `context.manager`.
    static func register(_ context: CatalogControllers.Context) {
        for kind in PodTemplatePatch.kinds {
            context.manager.add(controller(for: kind, context))
        }
    }

    /// The controller of `kind`: queues a trait when it changes beyond its status (a deletion
    /// included, for its finalizer), and when its workload, or an object its workload owns,
    /// appears, goes or changes its spec.
    static func controller(for kind: PodTemplatePatchKind, _ context: CatalogControllers.Context) -> Controller {
        let manager = context.manager
        let traits = manager.informer(for: kind.groupVersionKind, indexes: [
            PodTemplatePatchReconciler.workloadIndex: ReferenceKey.index(at: "spec.workloadRef"),
        ])
        let references = ReferenceWatch(
            manager: manager, referrers: traits, index: PodTemplatePatchReconciler.workloadIndex,
            isRelevant: PodTemplatePatchReconciler.isRelevant)
        let reconciler = PodTemplatePatchReconciler(
            kind: kind, manager: manager, traits: traits, definitions: context.definitions, references: references,
            events: context.events, logger: context.logger)
        let controller = Controller(
            name: kind.kind.lowercased(), reconciler: reconciler, primary: traits, workers: context.workers,
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
        return controller
    }
}
