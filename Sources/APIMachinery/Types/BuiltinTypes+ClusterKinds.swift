public import Resources

/// The kinds of a small cluster beyond workloads: `v1` Nodes, Endpoints, ResourceQuotas and
/// LimitRanges, PriorityClasses, `events.k8s.io/v1` Events, the `networking.k8s.io/v1` kinds,
/// PodDisruptionBudgets, HorizontalPodAutoscalers (`autoscaling/v2`, and `autoscaling/v1` as a
/// view of the same objects) and EndpointSlices — named, scoped and described as kube-apiserver
/// v1.36 does in discovery.
///
/// Two of them are views of objects stored once under another group version, as in kube:
/// `autoscaling/v1` HorizontalPodAutoscalers (stored as `autoscaling/v2`) and `events.k8s.io/v1`
/// Events (stored as core `v1` Events). ``BuiltinTypes/storage(of:)`` names the stored form.
extension BuiltinTypes {
    // MARK: core/v1

    public static let nodes = ServedResource(type: nodeType, subresources: [.status(of: nodeType)])

    public static let endpoints = ServedResource(
        type: ResourceType(group: "", version: "v1", resource: "endpoints", singular: "endpoints", kind: "Endpoints",
                           namespaced: true, hasStatus: false, shortNames: ["ep"], tracksGeneration: false))

    public static let resourceQuotas = ServedResource(
        type: resourceQuotaType, subresources: [.status(of: resourceQuotaType)])

    public static let limitRanges = ServedResource(
        type: ResourceType(group: "", version: "v1", resource: "limitranges", kind: "LimitRange", namespaced: true,
                           hasStatus: false, shortNames: ["limits"], tracksGeneration: false))

    // MARK: events.k8s.io/v1: core Events seen through the newer API

    public static let eventsV1 = ServedResource(
        type: ResourceType(group: "events.k8s.io", version: "v1", resource: "events", kind: "Event", namespaced: true,
                           hasStatus: false, shortNames: ["ev"], tracksGeneration: false))

    // MARK: autoscaling/v2 (stored) and autoscaling/v1 (a view)

    public static let horizontalPodAutoscalers = ServedResource(
        type: hpaType(version: "v2", initialStatus: ["desiredReplicas": 0, "currentMetrics": nil]),
        subresources: [.status(of: hpaType(version: "v2", initialStatus: nil))])

    public static let horizontalPodAutoscalersV1 = ServedResource(
        type: hpaType(version: "v1", initialStatus: ["currentReplicas": 0, "desiredReplicas": 0]),
        subresources: [.status(of: hpaType(version: "v1", initialStatus: nil))],
        isStorageVersion: false)

    // MARK: networking.k8s.io/v1

    public static let ingresses = ServedResource(type: ingressType, subresources: [.status(of: ingressType)])

    public static let ingressClasses = ServedResource(
        type: ResourceType(group: "networking.k8s.io", version: "v1", resource: "ingressclasses", kind: "IngressClass",
                           namespaced: false, hasStatus: false))

    public static let networkPolicies = ServedResource(
        type: ResourceType(group: "networking.k8s.io", version: "v1", resource: "networkpolicies",
                           kind: "NetworkPolicy", namespaced: true, hasStatus: false, shortNames: ["netpol"]))

    // MARK: policy/v1

    public static let podDisruptionBudgets = ServedResource(
        type: pdbType, subresources: [.status(of: pdbType)])

    // MARK: scheduling.k8s.io/v1

    public static let priorityClasses = ServedResource(
        type: ResourceType(group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses",
                           kind: "PriorityClass", namespaced: false, hasStatus: false, shortNames: ["pc"]))

    // MARK: discovery.k8s.io/v1

    public static let endpointSlices = ServedResource(
        type: ResourceType(group: "discovery.k8s.io", version: "v1", resource: "endpointslices",
                           kind: "EndpointSlice", namespaced: true, hasStatus: false))

    /// The stored form of a type served as a view of another (`autoscaling/v1`
    /// HorizontalPodAutoscalers → `autoscaling/v2`, `events.k8s.io/v1` Events → core `v1`);
    /// `nil` for a type stored as it is served.
    public static func storage(of type: ResourceType) -> ServedResource? {
        switch (type.group, type.version, type.resource) {
        case ("autoscaling", "v1", "horizontalpodautoscalers"): horizontalPodAutoscalers
        case ("events.k8s.io", "v1", "events"): events
        default: nil
        }
    }

    // MARK: Types referred to by their subresources

    private static let nodeType = ResourceType(
        group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false, hasStatus: true,
        shortNames: ["no"], tracksGeneration: false,
        // The zero NodeStatus, as kube writes it: its structs and strings have no omitempty.
        initialStatus: [
            "daemonEndpoints": ["kubeletEndpoint": ["Port": 0]],
            "nodeInfo": [
                "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "", "osImage": "",
                "containerRuntimeVersion": "", "kubeletVersion": "", "kubeProxyVersion": "", "operatingSystem": "",
                "architecture": "",
            ],
        ])
    private static let resourceQuotaType = ResourceType(
        group: "", version: "v1", resource: "resourcequotas", kind: "ResourceQuota", namespaced: true,
        hasStatus: true, shortNames: ["quota"], tracksGeneration: false, initialStatus: [:])
    private static let ingressType = ResourceType(
        group: "networking.k8s.io", version: "v1", resource: "ingresses", kind: "Ingress", namespaced: true,
        hasStatus: true, shortNames: ["ing"], initialStatus: ["loadBalancer": [:]])
    private static let pdbType = ResourceType(
        group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget",
        namespaced: true, hasStatus: true, shortNames: ["pdb"],
        initialStatus: ["disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0])

    private static func hpaType(version: String, initialStatus: JSONValue?) -> ResourceType {
        ResourceType(
            group: "autoscaling", version: version, resource: "horizontalpodautoscalers",
            kind: "HorizontalPodAutoscaler", namespaced: true, hasStatus: true, shortNames: ["hpa"],
            categories: ["all"], tracksGeneration: false, initialStatus: initialStatus)
    }
}

extension BuiltinTypes {
    /// The kinds above, core first, then their groups in kube's discovery order.
    static let clusterKinds: [ServedResource] = [
        endpoints, limitRanges, nodes, resourceQuotas,
        eventsV1,
        horizontalPodAutoscalers, horizontalPodAutoscalersV1,
        ingressClasses, ingresses, networkPolicies,
        podDisruptionBudgets,
        priorityClasses,
        endpointSlices,
    ]
}
