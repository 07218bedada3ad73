public import Resources

/// The built-in types the embedded API server serves, named, scoped and described exactly as
/// kube-apiserver 1.32 does in discovery (resource names, short names, categories, verbs and
/// subresources), so that `kubectl api-resources`, `kubectl get deploy`, `kubectl get all` and
/// `kubectl scale` behave as they do against a real cluster.
///
/// ```swift
/// BuiltinTypes.deployments.type.shortNames   // ["deploy"]
/// BuiltinTypes.served(group: "apps", resource: "deployments")?.subresource("scale")
/// ```
public enum BuiltinTypes {
    // MARK: core/v1

    public static let namespaces = ServedResource(
        type: namespaceType,
        // Namespaces are not deleted as a collection: kube leaves out `deletecollection`.
        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
        subresources: [.status(of: namespaceType)])

    public static let configMaps = ServedResource(
        type: ResourceType(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true,
                           hasStatus: false, shortNames: ["cm"], tracksGeneration: false))

    public static let secrets = ServedResource(
        type: ResourceType(group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true,
                           hasStatus: false, tracksGeneration: false))

    public static let services = ServedResource(
        type: serviceType, subresources: [.status(of: serviceType)])

    public static let events = ServedResource(
        type: ResourceType(group: "", version: "v1", resource: "events", kind: "Event", namespaced: true,
                           hasStatus: false, shortNames: ["ev"], tracksGeneration: false))

    public static let serviceAccounts = ServedResource(
        type: ResourceType(group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount",
                           namespaced: true, hasStatus: false, shortNames: ["sa"], tracksGeneration: false),
        // `serviceaccounts/token`: `kubectl create token` posts an authentication.k8s.io/v1 TokenRequest.
        subresources: [Subresource(
            name: "token", responseKind: GroupVersionKind(group: "authentication.k8s.io", version: "v1", kind: "TokenRequest"),
            verbs: ["create"])])

    // MARK: apps/v1

    public static let deployments = ServedResource(
        type: deploymentType, subresources: [.status(of: deploymentType), .scale])

    public static let statefulSets = ServedResource(
        type: statefulSetType, subresources: [.status(of: statefulSetType), .scale])

    public static let controllerRevisions = ServedResource(
        type: ResourceType(group: "apps", version: "v1", resource: "controllerrevisions", kind: "ControllerRevision",
                           namespaced: true, hasStatus: false, tracksGeneration: false))

    // MARK: authentication.k8s.io/v1 and authorization.k8s.io/v1: reviews, created and never stored

    public static let selfSubjectReviews = review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview")
    public static let tokenReviews = review("authentication.k8s.io", "tokenreviews", "TokenReview")
    public static let localSubjectAccessReviews = review(
        "authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", namespaced: true)
    public static let selfSubjectAccessReviews = review(
        "authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview")
    public static let selfSubjectRulesReviews = review(
        "authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview")
    public static let subjectAccessReviews = review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview")

    /// A kind that is only ever created: kube lists the single verb `create`.
    private static func review(_ group: String, _ resource: String, _ kind: String, namespaced: Bool = false)
        -> ServedResource
    {
        ServedResource(
            type: ResourceType(group: group, version: "v1", resource: resource, kind: kind, namespaced: namespaced,
                               hasStatus: false),
            verbs: ["create"])
    }

    // MARK: coordination.k8s.io/v1

    public static let leases = ServedResource(
        type: ResourceType(group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease",
                           namespaced: true, hasStatus: false, tracksGeneration: false))

    // MARK: admissionregistration.k8s.io/v1

    public static let mutatingWebhookConfigurations = ServedResource(
        type: ResourceType(group: "admissionregistration.k8s.io", version: "v1",
                           resource: "mutatingwebhookconfigurations", kind: "MutatingWebhookConfiguration",
                           namespaced: false, hasStatus: false, categories: ["api-extensions"]))

    public static let validatingWebhookConfigurations = ServedResource(
        type: ResourceType(group: "admissionregistration.k8s.io", version: "v1",
                           resource: "validatingwebhookconfigurations", kind: "ValidatingWebhookConfiguration",
                           namespaced: false, hasStatus: false, categories: ["api-extensions"]))

    // MARK: apiextensions.k8s.io/v1

    public static let customResourceDefinitions = ServedResource(
        type: crdType, subresources: [.status(of: crdType)])

    /// Every built-in type, core group first, then the groups in the order `kubectl api-resources`
    /// lists them.
    public static let all: [ServedResource] = [
        configMaps, events, namespaces, secrets, serviceAccounts, services,
        controllerRevisions, deployments, statefulSets,
        selfSubjectReviews, tokenReviews,
        localSubjectAccessReviews, selfSubjectAccessReviews, selfSubjectRulesReviews, subjectAccessReviews,
        leases,
        clusterRoleBindings, clusterRoles, roleBindings, roles,
        mutatingWebhookConfigurations, validatingWebhookConfigurations,
        customResourceDefinitions,
    ] + workloads + clusterKinds

    /// The built-in type with this group and plural resource name.
    public static func served(group: String, resource: String) -> ServedResource? {
        all.first { $0.type.group == group && $0.type.resource == resource }
    }

    /// The built-in type with this group, version and kind.
    public static func served(_ kind: GroupVersionKind) -> ServedResource? {
        all.first { $0.type.groupVersionKind == kind }
    }

    // MARK: Types referred to by their subresources

    private static let namespaceType = ResourceType(
        group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false, hasStatus: true,
        shortNames: ["ns"], tracksGeneration: false)
    private static let serviceType = ResourceType(
        group: "", version: "v1", resource: "services", kind: "Service", namespaced: true, hasStatus: true,
        shortNames: ["svc"], categories: ["all"], tracksGeneration: false,
        initialStatus: ["loadBalancer": [:]])
    private static let deploymentType: ResourceType = {
        var type = ResourceType(
            group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true,
            hasStatus: true, shortNames: ["deploy"], categories: ["all"], annotationsBumpGeneration: true,
            initialStatus: [:])
        // kube's deployment status strategy resets only the spec and the labels.
        type.metadataWritableThroughStatus = ["annotations"]
        return type
    }()
    private static let statefulSetType = ResourceType(
        group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet", namespaced: true,
        hasStatus: true, shortNames: ["sts"], categories: ["all"], initialStatus: ["replicas": 0, "availableReplicas": 0])
    private static let crdType = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false, hasStatus: true, shortNames: ["crd", "crds"],
        categories: ["api-extensions"])
}
