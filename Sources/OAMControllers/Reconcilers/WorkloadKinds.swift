import OAM
import Resources
import ControllerRuntime

/// The kinds the workload, trait and scope controllers read and write.
enum WorkloadKinds {
    static let containerizedWorkload = GroupVersionKind(
        group: OAM.group, version: OAM.version, kind: ContainerizedWorkload.kind)
    static let manualScalerTrait = GroupVersionKind(
        group: OAM.group, version: OAM.version, kind: ManualScalerTrait.kind)
    static let healthScope = GroupVersionKind(group: OAM.group, version: OAM.version, kind: HealthScope.kind)
    static let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let statefulSet = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
    static let daemonSet = GroupVersionKind(group: "apps", version: "v1", kind: "DaemonSet")
    static let replicaSet = GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet")
    static let service = GroupVersionKind(group: "", version: "v1", kind: "Service")
    static let configMap = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")
}
