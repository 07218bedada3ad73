import ControllerRuntime
import OrderedCollections
import Resources

/// The Node object, the scheduler and the kubelet simulator.
///
/// - `node`: registers the Node (``NodeOptions/name``), reports its status and renews its
///   Lease (``NodeReconciler``).
/// - `default-scheduler`: binds Pods to it (``SchedulerReconciler``).
/// - `kubelet`: moves the Pods bound to it through their lifecycle (``KubeletReconciler``).
enum NodeControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {
        let pods = context.manager.informer(for: Pods.kind)
        let tracker = NodePodTracker(pods: pods)
        let node = NodeReconciler(context: context)
        let nodes = node.nodes
        registerNode(node, context: context)
        registerScheduler(context: context, pods: pods, nodes: nodes, tracker: tracker)
        registerKubelet(context: context, pods: pods, tracker: tracker)
    }

    private static func registerNode(_ reconciler: NodeReconciler, context: ClusterContext) {
        let controller = Controller(
            name: "node-\(context.options.node.name)", reconciler: reconciler, primary: reconciler.nodes, workers: 1,
            logger: context.logger)
        let key = reconciler.key
        reconciler.nodes.addHandler { event in
            if event.object.name == key.name { await controller.enqueue(key) }
        }
        reconciler.leases.addHandler { event in
            if event.object.namespace == NodeManifest.leaseNamespace, event.object.name == key.name {
                await controller.enqueue(key)
            }
        }
        // The first list of namespaces (there is always `default`) starts the registration.
        context.manager.informer(for: NodeReconciler.namespaceKind).addHandler { event in
            if case .added(let namespace) = event, namespace.name == "default" { await controller.enqueue(key) }
        }
        context.manager.add(controller)
    }

    private static func registerScheduler(
        context: ClusterContext, pods: Informer, nodes: Informer, tracker: NodePodTracker
    ) {
        let reconciler = SchedulerReconciler(context: context, pods: pods, nodes: nodes, tracker: tracker)
        // One worker: see SchedulerReconciler on assumed Pods.
        let controller = Controller(
            name: "default-scheduler", reconciler: reconciler, primary: pods, workers: 1, logger: context.logger)
        let node = context.options.node.name
        @Sendable func retryPending() async {
            for pod in pods.cache.list() where SchedulerReconciler.wantsScheduling(pod) {
                await controller.enqueue(ObjectKey(pod))
            }
        }
        @Sendable func holdsResources(_ pod: Resource) -> Bool {
            pod.spec?["nodeName"]?.stringValue == node && Pods.phase(of: pod) != "Succeeded"
                && Pods.phase(of: pod) != "Failed"
        }
        pods.addHandler { event in
            switch event {
            case .added(let pod):
                if SchedulerReconciler.wantsScheduling(pod) { await controller.enqueue(ObjectKey(pod)) }
            case .updated(let old, let new):
                if SchedulerReconciler.wantsScheduling(new), new.differsBeyondStatus(from: old) {
                    await controller.enqueue(ObjectKey(new))
                }
                // Resources freed on the node: the Pods waiting for them get another try.
                if holdsResources(old), !holdsResources(new) { await retryPending() }
            case .deleted(let pod):
                if holdsResources(pod) { await retryPending() }
            }
        }
        nodes.addHandler { event in
            guard event.object.name == node else { return }
            if case .updated(let old, let new) = event, old.spec == new.spec, old.labels == new.labels,
                old.status?["allocatable"] == new.status?["allocatable"]
            {
                return
            }
            await retryPending()
        }
        context.manager.add(controller)
    }

    private static func registerKubelet(context: ClusterContext, pods: Informer, tracker: NodePodTracker) {
        let reconciler = KubeletReconciler(context: context, pods: pods, tracker: tracker)
        let controller = Controller(
            name: "kubelet", reconciler: reconciler, primary: pods, workers: context.workers, logger: context.logger)
        let node = context.options.node.name
        pods.addHandler { event in
            if case .deleted = event { return }
            if event.object.spec?["nodeName"]?.stringValue == node { await controller.enqueue(ObjectKey(event.object)) }
        }
        context.manager.add(controller)
    }
}
