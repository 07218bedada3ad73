import OrderedCollections
public import Resources

extension BuiltinKinds {
    /// What kube-apiserver finds wrong with an object of a built-in kind, as causes of a 422
    /// `Invalid` (field paths and cause types as kube reports them). `old` is the stored object on
    /// an update, `nil` on a create; checks of immutable fields need it.
    ///
    /// Object metadata (name, labels, annotations) is checked by the API server for every kind;
    /// the CustomResourceDefinition has its own validation. Kinds not built in get no causes.
    ///
    /// ```swift
    /// BuiltinKinds.validationCauses(deployment, old: nil, kind: deployment.groupVersionKind)
    /// // [spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`]
    /// ```
    public static func validationCauses(_ object: Resource, old: Resource?, kind: GroupVersionKind) -> [APIError.Cause] {
        switch (kind.group, kind.version, kind.kind) {
        case ("apps", "v1", "Deployment"): deploymentCauses(object, old: old)
        case ("apps", "v1", "StatefulSet"): statefulSetCauses(object, old: old)
        case ("apps", "v1", "ControllerRevision"): controllerRevisionCauses(object, old: old)
        case ("", "v1", "Pod"): podCauses(object, old: old)
        case ("apps", "v1", "ReplicaSet"): replicaSetCauses(object, old: old)
        case ("apps", "v1", "DaemonSet"): daemonSetCauses(object, old: old)
        case ("batch", "v1", "Job"): jobCauses(object, old: old)
        case ("batch", "v1", "CronJob"): cronJobCauses(object, old: old)
        case ("", "v1", "Service"): serviceCauses(object, old: old)
        case ("", "v1", "Secret"): secretCauses(object, old: old)
        case ("", "v1", "ConfigMap"): configMapCauses(object, old: old)
        case ("", "v1", "Namespace"): namespaceCauses(object, old: old)
        case ("", "v1", "ServiceAccount"): serviceAccountCauses(object)
        case ("", "v1", "Event"): eventCauses(object)
        case ("coordination.k8s.io", "v1", "Lease"): leaseCauses(object)
        case ("rbac.authorization.k8s.io", "v1", "Role"): roleCauses(object, namespaced: true)
        case ("rbac.authorization.k8s.io", "v1", "ClusterRole"): roleCauses(object, namespaced: false)
        case ("rbac.authorization.k8s.io", "v1", "RoleBinding"): roleBindingCauses(object, old: old, namespaced: true)
        case ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"):
            roleBindingCauses(object, old: old, namespaced: false)
        case ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration"):
            webhookConfigurationCauses(object, mutating: true)
        case ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration"):
            webhookConfigurationCauses(object, mutating: false)
        default: clusterKindCauses(object, old: old, kind: kind) ?? []
        }
    }
}
