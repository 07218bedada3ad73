import OrderedCollections
import ControllerRuntime
import Resources

/// The StatefulSet and DaemonSet controllers (``StatefulSetReconciler``,
/// ``DaemonSetReconciler``), with kube-controller-manager's Event sources
/// `statefulset-controller` and `daemonset-controller`.
enum StatefulSetControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {
        context.manager.add(statefulSetController(context))
        context.manager.add(daemonSetController(context))
    }

    /// Queues a set when it changes beyond its status, and its controller when one of its Pods
    /// or ControllerRevisions appears, changes or goes.
    static func statefulSetController(_ context: ClusterContext) -> Controller {
        let reconciler = StatefulSetReconciler(
            manager: context.manager, events: context.events(of: "statefulset-controller"), logger: context.logger)
        let controller = Controller(
            name: "statefulset", reconciler: reconciler, primary: reconciler.sets, workers: context.workers,
            logger: context.logger)
        reconciler.sets.addHandler { event in
            if case .updated(let old, let new) = event, !new.differsBeyondStatus(from: old) { return }
            await controller.enqueue(ObjectKey(event.object))
        }
        let owned: InformerHandler = { event in
            if let owner = owner(of: event.object, kind: StatefulSetPods.kind.kind) { await controller.enqueue(owner) }
        }
        reconciler.pods.addHandler(owned)
        reconciler.revisions.addHandler(owned)
        return controller
    }

    /// Queues a DaemonSet when it changes beyond its status, its controller when one of its Pods
    /// or ControllerRevisions changes, and every DaemonSet when a Node appears, goes or changes
    /// its labels, taints or readiness.
    static func daemonSetController(_ context: ClusterContext) -> Controller {
        let reconciler = DaemonSetReconciler(
            manager: context.manager, events: context.events(of: "daemonset-controller"), logger: context.logger)
        let controller = Controller(
            name: "daemonset", reconciler: reconciler, primary: reconciler.daemonSets, workers: context.workers,
            logger: context.logger)
        reconciler.daemonSets.addHandler { event in
            if case .updated(let old, let new) = event, !new.differsBeyondStatus(from: old) { return }
            await controller.enqueue(ObjectKey(event.object))
        }
        let owned: InformerHandler = { event in
            if let owner = owner(of: event.object, kind: DaemonSetNodes.kind.kind) { await controller.enqueue(owner) }
        }
        reconciler.pods.addHandler(owned)
        reconciler.revisions.addHandler(owned)
        let daemonSets = reconciler.daemonSets
        reconciler.nodes.addHandler { event in
            if case .updated(let old, let new) = event, old.labels == new.labels,
                old.spec?["taints"] == new.spec?["taints"], old.spec?["unschedulable"] == new.spec?["unschedulable"]
            {
                return
            }
            for key in daemonSets.cache.keys { await controller.enqueue(key) }
        }
        return controller
    }

    /// The key of the object's controller when it is of `kind` (apps/v1).
    private static func owner(of object: Resource, kind: String) -> ObjectKey? {
        guard let reference = object.controllerReference, reference.kind == kind,
            reference.apiVersion.hasPrefix("apps/")
        else { return nil }
        return ObjectKey(namespace: object.namespace, name: reference.name)
    }
}
