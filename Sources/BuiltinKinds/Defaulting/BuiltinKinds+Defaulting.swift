public import Resources

extension BuiltinKinds {
    /// Applies the defaults kube-apiserver gives an object of a built-in kind, in place.
    ///
    /// Defaulting is idempotent (defaulting a defaulted object changes nothing, so a no-op update
    /// stays one) and touches only what is unset. Kinds without defaults, and kinds that are not
    /// built in, are left as they are. Allocations that need the store (a Service's cluster IP and
    /// node ports) are the API server's; on an update (`old` is the stored object) a Service keeps
    /// those it was given and the request left out.
    ///
    /// ```swift
    /// var deployment = try Resource(json(#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{}}"#))
    /// BuiltinKinds.applyDefaults(&deployment, kind: deployment.groupVersionKind)
    /// deployment.spec?["replicas"]   // 1
    /// ```
    public static func applyDefaults(_ object: inout Resource, kind: GroupVersionKind, old: Resource? = nil) {
        switch (kind.group, kind.version, kind.kind) {
        case ("apps", "v1", "Deployment"): applyDeploymentDefaults(&object.object)
        case ("apps", "v1", "StatefulSet"): applyStatefulSetDefaults(&object.object)
        case ("", "v1", "Pod"): applyPodDefaults(&object.object, creating: old == nil)
        case ("apps", "v1", "ReplicaSet"): applyReplicaSetDefaults(&object.object)
        case ("apps", "v1", "DaemonSet"): applyDaemonSetDefaults(&object, old: old)
        case ("batch", "v1", "Job"): applyJobDefaults(&object, old: old)
        case ("batch", "v1", "CronJob"): applyCronJobDefaults(&object.object)
        case ("", "v1", "Service"):
            applyServiceDefaults(&object.object)
            if let previous = old?.spec?.objectValue {
                object.object.withObject("spec") { spec in
                    dropServiceTypeDependentFields(&spec, old: previous)
                    keepAllocatedServiceValues(&spec, from: previous)
                    normalizeClusterIPs(&spec, old: previous)
                }
            }
        case ("", "v1", "Namespace"): applyNamespaceDefaults(&object)
        case ("", "v1", "Secret"): applySecretDefaults(&object.object)
        case ("rbac.authorization.k8s.io", "v1", "RoleBinding"), ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"):
            applyRoleBindingDefaults(&object.object)
        case ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration"):
            applyWebhookConfigurationDefaults(&object.object, mutating: true)
        case ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration"):
            applyWebhookConfigurationDefaults(&object.object, mutating: false)
        default:
            _ = applyClusterKindDefaults(&object.object, kind: kind)
        }
    }
}
