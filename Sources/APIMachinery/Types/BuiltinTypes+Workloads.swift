public import Resources

/// The workload kinds: `v1` Pods, `apps/v1` ReplicaSets and DaemonSets, `batch/v1` Jobs and
/// CronJobs, named and described in discovery as kube-apiserver 1.36 does.
///
/// Pods serve `binding`, `eviction`, `log` and `status` (not `attach`, `exec`, `portforward`,
/// `proxy`, `resize` or `ephemeralcontainers`: the embedded node runs no containers).
extension BuiltinTypes {
    // MARK: core/v1

    public static let pods = ServedResource(
        type: podType,
        subresources: [
            Subresource(name: "binding", responseKind: GroupVersionKind(group: "", version: "v1", kind: "Binding"),
                        verbs: ["create"]),
            Subresource(name: "eviction", responseKind: GroupVersionKind(group: "policy", version: "v1", kind: "Eviction"),
                        verbs: ["create"]),
            Subresource(name: "log", responseKind: podType.groupVersionKind, verbs: ["get"]),
            .status(of: podType),
        ])

    // MARK: apps/v1

    public static let replicaSets = ServedResource(
        type: replicaSetType, subresources: [.scale, .status(of: replicaSetType)])

    public static let daemonSets = ServedResource(
        type: daemonSetType, subresources: [.status(of: daemonSetType)])

    // MARK: batch/v1

    public static let jobs = ServedResource(type: jobType, subresources: [.status(of: jobType)])

    public static let cronJobs = ServedResource(type: cronJobType, subresources: [.status(of: cronJobType)])

    /// The workload kinds, in the order `kubectl api-resources` lists them within their groups.
    public static let workloads: [ServedResource] = [pods, daemonSets, replicaSets, cronJobs, jobs]

    // MARK: Types referred to by their subresources

    /// A new Pod is `Pending`; its QoS class is the API server's (see `BuiltinKinds`).
    static let podType: ResourceType = {
        var type = ResourceType(
            group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true, hasStatus: true,
            shortNames: ["po"], categories: ["all"], initialStatus: ["phase": "Pending"])
        type.statusSetOnCreate = ["qosClass"]
        return type
    }()
    static let replicaSetType = ResourceType(
        group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet", namespaced: true, hasStatus: true,
        shortNames: ["rs"], categories: ["all"], initialStatus: ["replicas": 0])
    static let daemonSetType = ResourceType(
        group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", namespaced: true, hasStatus: true,
        shortNames: ["ds"], categories: ["all"],
        initialStatus: ["currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0,
                        "numberReady": 0])
    static let jobType = ResourceType(
        group: "batch", version: "v1", resource: "jobs", kind: "Job", namespaced: true, hasStatus: true,
        categories: ["all"], initialStatus: [:])
    static let cronJobType = ResourceType(
        group: "batch", version: "v1", resource: "cronjobs", kind: "CronJob", namespaced: true, hasStatus: true,
        shortNames: ["cj"], categories: ["all"], initialStatus: [:])
}
