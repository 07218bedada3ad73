import ControllerRuntime
import Resources

/// The Deployment and ReplicaSet controllers.
enum DeploymentControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {
        let manager = context.manager
        let deployments = manager.informer(for: DeploymentReconciler.kind)
        let replicaSets = manager.informer(for: ReplicaSetReconciler.kind)
        let pods = manager.informer(for: Pods.kind)
        manager.add(replicaSetController(context, replicaSets: replicaSets, pods: pods))
        manager.add(deploymentController(context, deployments: deployments, replicaSets: replicaSets, pods: pods))
    }

    /// The ReplicaSet controller: queues a ReplicaSet whenever it changes, and when one of its
    /// Pods (or an orphan it selects) appears, changes or goes.
    static func replicaSetController(_ context: ClusterContext, replicaSets: Informer, pods: Informer) -> Controller {
        let reconciler = ReplicaSetReconciler(
            replicaSets: replicaSets, pods: pods, client: context.client,
            events: context.events(of: "replicaset-controller"), logger: context.logger)
        let controller = Controller(
            name: "replicaset", reconciler: reconciler, primary: replicaSets, workers: context.workers,
            logger: context.logger)
        replicaSets.addHandler { event in
            await controller.enqueue(ObjectKey(event.object))
        }
        pods.addHandler { event in
            var owners: [ObjectKey] = []
            switch event {
            case .added(let pod):
                if pod.isBeingDeleted {
                    reconciler.expectations.observeDeletion(of: ObjectKey(pod))
                } else {
                    reconciler.expectations.observeCreation(of: ObjectKey(pod))
                }
                owners = reconciler.replicaSets(for: pod)
            case .updated(let old, let new):
                if new.isBeingDeleted { reconciler.expectations.observeDeletion(of: ObjectKey(new)) }
                owners = reconciler.replicaSets(for: new)
                if old.labels != new.labels || old.controllerReference != new.controllerReference {
                    owners += reconciler.replicaSets(for: old).filter { !owners.contains($0) }
                }
            case .deleted(let pod):
                reconciler.expectations.observeDeletion(of: ObjectKey(pod))
                owners = reconciler.replicaSets(for: pod)
            }
            for owner in owners { await controller.enqueue(owner) }
        }
        return controller
    }

    /// The Deployment controller: queues a Deployment whenever it changes, when one of its
    /// ReplicaSets (or an orphan it selects) appears, changes or goes, and, when it recreates,
    /// when a Pod of its ReplicaSets goes.
    static func deploymentController(
        _ context: ClusterContext, deployments: Informer, replicaSets: Informer, pods: Informer
    ) -> Controller {
        let reconciler = DeploymentReconciler(
            deployments: deployments, replicaSets: replicaSets, pods: pods, client: context.client,
            events: context.events(of: "deployment-controller"), logger: context.logger)
        let controller = Controller(
            name: "deployment", reconciler: reconciler, primary: deployments, workers: context.workers,
            logger: context.logger)
        deployments.addHandler { event in
            if case .deleted = event { return }
            await controller.enqueue(ObjectKey(event.object))
        }
        replicaSets.addHandler { event in
            var owners = reconciler.deployments(for: event.object)
            if case .updated(let old, let new) = event,
                old.labels != new.labels || old.controllerReference != new.controllerReference
            {
                owners += reconciler.deployments(for: old).filter { !owners.contains($0) }
            }
            for owner in owners { await controller.enqueue(owner) }
        }
        pods.addHandler { event in
            guard case .deleted(let pod) = event, let owner = reconciler.recreatingDeployment(for: pod) else { return }
            await controller.enqueue(owner)
        }
        return controller
    }
}
