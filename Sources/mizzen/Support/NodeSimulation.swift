import ArgumentParser
import ClusterControllers
import ControllerRuntime
import OAMControllers
import KubeClient
import Logging
import ServiceLifecycle

/// How the embedded plane, which has no kubelet and no container runtime, runs workloads:
/// `--node-simulation` of `mizzen serve` and `mizzen bench reconcile`.
enum NodeSimulation: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// The plane's own controllers (Deployment → ReplicaSet → Pod, StatefulSet, DaemonSet, Job,
    /// CronJob, Endpoints, …), a scheduler and a simulated kubelet on the Node `mizzen`: Pods
    /// exist and go through their lifecycle, without containers, and workload status is what
    /// kube-controller-manager would write.
    case pods
    /// The old Deployment-level mode (``NodeSimulator``): every Deployment and StatefulSet is
    /// reported available by writing its status directly; no ReplicaSet or Pod exists.
    case deployments
    /// Nothing runs workloads: they keep the status their writers give them (none).
    case none

    /// One line saying what the mode does, for help texts and the benchmark's output.
    var summary: String {
        switch self {
        case .pods: "pods (the plane's controllers: Deployment → ReplicaSet → Pod on the simulated node mizzen)"
        case .deployments: "deployments (the old node simulator: Deployment and StatefulSet status written directly, no Pods)"
        case .none: "none (nothing runs workloads)"
        }
    }

    /// The comment of the user agent of its client (`mizzen-serve/1.0 (cluster-controllers)`).
    var userAgentComment: String {
        switch self {
        case .pods: "cluster-controllers"
        case .deployments: "node-simulator"
        case .none: "none"
        }
    }

    /// What runs workloads in this mode on the plane `client` reaches, with `workers` reconciles
    /// at once per controller; `nil` for ``none``.
    func service(client: KubernetesClient, workers: Int, logger: Logger) -> (any Service)? {
        switch self {
        case .pods:
            var options = ClusterControllers.Options()
            options.workers = workers
            return ClusterControllerService(client: client, options: options, logger: logger)
        case .deployments:
            let manager = Manager(client: client, logger: logger)
            for controller in WorkloadControllers.nodeSimulatorControllers(manager: manager, workers: 2, logger: logger) {
                manager.add(controller)
            }
            return manager
        case .none:
            return nil
        }
    }
}
