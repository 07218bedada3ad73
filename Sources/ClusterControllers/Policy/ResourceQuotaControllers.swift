import ControllerRuntime
import Resources

/// The ResourceQuota controller (status of every quota).
enum QuotaControllers {
    /// Adds the area's controller to `context.manager`.
    static func register(_ context: ClusterContext) {
        let quotas = context.manager.informer(for: ResourceQuotaReconciler.kind)
        let reconciler = ResourceQuotaReconciler(context: context, quotas: quotas)
        let controller = Controller(
            name: ResourceQuotaReconciler.controllerName, reconciler: reconciler, primary: quotas,
            workers: context.workers, logger: context.logger)
        reconciler.attach(controller)
        quotas.addHandler { event in
            switch event {
            case .added(let quota): await controller.enqueue(ObjectKey(quota))
            case .updated(let old, let new) where old.spec != new.spec || old.status != new.status:
                await controller.enqueue(ObjectKey(new))
            case .updated, .deleted: break
            }
        }
        context.manager.add(controller)
    }
}
