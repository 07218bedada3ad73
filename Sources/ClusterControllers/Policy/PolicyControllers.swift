import ControllerRuntime
import Resources

/// The PodDisruptionBudget, HorizontalPodAutoscaler and ResourceQuota status controllers.
enum PolicyControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {
        context.manager.add(disruptionController(context))
        context.manager.add(horizontalPodAutoscalerController(context))
    }

    /// The disruption controller: a budget is synced when it changes, when a pod it selects
    /// (before or after the change) changes, and when a workload controller of its namespace
    /// appears or changes its replicas (its scale may count).
    static func disruptionController(_ context: ClusterContext) -> Controller {
        let reconciler = DisruptionReconciler(context: context)
        let controller = Controller(
            name: "disruption", reconciler: reconciler, primary: reconciler.budgets, workers: context.workers,
            logger: context.logger)
        reconciler.budgets.addHandler { event in
            if case .deleted = event { return }
            await controller.enqueue(ObjectKey(event.object))
        }
        reconciler.pods.addHandler { event in
            let budgets = reconciler.budgets(selecting: event)
            for pdb in budgets { await controller.enqueue(ObjectKey(pdb)) }
            await reconciler.warnOfSeveralBudgets(on: event, budgets: budgets)
        }
        for workloads in [reconciler.scales.deployments, reconciler.scales.replicaSets, reconciler.scales.statefulSets] {
            workloads.addHandler { event in
                if case .updated(let old, let new) = event, old.spec?["replicas"] == new.spec?["replicas"],
                    old.ownerReferences == new.ownerReferences
                {
                    return
                }
                for pdb in reconciler.budgets.cache.list(namespace: event.object.namespace) {
                    await controller.enqueue(ObjectKey(pdb))
                }
            }
        }
        return controller
    }

    /// The HPA controller: an HPA is synced when it appears or its spec changes, and then every
    /// sync period (it does not watch its target, as kube's does not).
    static func horizontalPodAutoscalerController(_ context: ClusterContext) -> Controller {
        let reconciler = HorizontalPodAutoscalerReconciler(context: context)
        let controller = Controller(
            name: "horizontal-pod-autoscaler", reconciler: reconciler, primary: reconciler.autoscalers,
            workers: context.workers, logger: context.logger)
        reconciler.autoscalers.addHandler { event in
            switch event {
            case .added: await controller.enqueue(ObjectKey(event.object))
            case .updated(let old, let new) where new.differsBeyondStatus(from: old):
                await controller.enqueue(ObjectKey(new))
            case .updated: break
            case .deleted(let hpa): reconciler.forget(hpa)
            }
        }
        return controller
    }
}
