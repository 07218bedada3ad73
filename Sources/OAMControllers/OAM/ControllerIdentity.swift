import OrderedCollections
public import Resources
import OAM

/// The least-privilege identity `mizzen controller` runs as on a cluster, which `mizzen install`
/// creates: the ServiceAccount `mizzen-system/mizzen-controller`, the ClusterRole
/// `mizzen-controller` with exactly what the OAM controllers call, and the ClusterRoleBinding
/// between them.
///
/// The rules follow the controllers' calls: they watch every OAM kind and write the status of
/// ApplicationConfigurations, Components, workloads, traits and scopes; they apply and
/// garbage-collect the objects the built-in definitions and the catalog render
/// (ContainerizedWorkloads, ManualScalerTraits, the catalog's kinds, Deployments, StatefulSets,
/// DaemonSets, Jobs, CronJobs, Services, ConfigMaps, HorizontalPodAutoscalers,
/// PodDisruptionBudgets, Ingresses, ServiceMonitors), keep Component revisions as
/// ControllerRevisions, read CRDs (to learn which kinds are served and their schemas), record
/// Events, hold a Lease when electing a leader, and register their admission webhooks. Nothing
/// else: no Secrets, no Pods, no namespaces (discovery is every authenticated user's).
///
/// Definitions of other workload or trait kinds need those kinds granted too: bind a further
/// ClusterRole to the same ServiceAccount (the controller reports the missing permission
/// by name, with kube's 403, on the AppConfig's status and in its log).
///
/// ```swift
/// ControllerIdentity.objects   // Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding
/// ```
public enum ControllerIdentity {
    public static let namespace = "mizzen-system"
    public static let name = "mizzen-controller"
    /// The user its tokens authenticate as.
    public static var username: String { "system:serviceaccount:\(namespace):\(name)" }

    static let read: [String] = ["get", "list", "watch"]
    static let write: [String] = ["get", "list", "watch", "create", "update", "patch", "delete"]
    static let statusWrite: [String] = ["get", "update", "patch"]

    /// The ClusterRole's rules: one per group and set of verbs, in a stable order.
    public static let rules: [JSONValue] = [
        rule(OAM.group, ["workloaddefinitions", "traitdefinitions", "scopedefinitions"], read),
        rule(OAM.group, ["applicationconfigurations", "components", "healthscopes"], ["get", "list", "watch", "update", "patch"]),
        rule(OAM.group, ["containerizedworkloads", "manualscalertraits"], write),
        rule(OAM.group, [
            "applicationconfigurations/status", "components/status", "containerizedworkloads/status",
            "manualscalertraits/status", "healthscopes/status",
        ], statusWrite),
        // The catalog's kinds (StandardCatalog) and what their reconcilers make or patch.
        rule(StandardCatalog.group, catalogPlurals, write),
        rule(StandardCatalog.group, catalogPlurals.map { "\($0)/status" }, statusWrite),
        rule("apps", ["deployments", "controllerrevisions", "statefulsets", "daemonsets"], write),
        rule("apps", ["replicasets"], read),
        rule("batch", ["jobs", "cronjobs"], write),
        rule("autoscaling", ["horizontalpodautoscalers"], write),
        rule("policy", ["poddisruptionbudgets"], write),
        rule("networking.k8s.io", ["ingresses"], write),
        rule("monitoring.coreos.com", ["servicemonitors"], write),
        rule("", ["services", "configmaps"], write),
        rule("", ["events"], ["create", "update", "patch"]),
        rule("coordination.k8s.io", ["leases"], ["get", "create", "update"]),
        rule("apiextensions.k8s.io", ["customresourcedefinitions"], read),
        rule("admissionregistration.k8s.io", ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"],
             ["get", "create", "update", "patch", "delete"]),
    ]

    /// The plural names of the catalog's custom kinds.
    static var catalogPlurals: [String] {
        StandardCatalog.entries.compactMap { $0.customResourceDefinition?.spec?["names"]?["plural"]?.stringValue }
    }

    /// What `mizzen install` applies for it, in order.
    public static var objects: [Resource] {
        var namespaceObject = Resource(apiVersion: "v1", kind: "Namespace", name: namespace)
        namespaceObject.setLabel("app.kubernetes.io/part-of", "mizzen")
        var account = Resource(apiVersion: "v1", kind: "ServiceAccount", name: name, namespace: namespace)
        account.setLabel("app.kubernetes.io/part-of", "mizzen")
        var role = Resource(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: name)
        role.setLabel("app.kubernetes.io/part-of", "mizzen")
        role.object["rules"] = .array(rules)
        var binding = Resource(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", name: name)
        binding.setLabel("app.kubernetes.io/part-of", "mizzen")
        binding.object["roleRef"] = ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)]
        binding.object["subjects"] = [["kind": "ServiceAccount", "name": .string(name), "namespace": .string(namespace)]]
        return [namespaceObject, account, role, binding]
    }

    private static func rule(_ group: String, _ resources: [String], _ verbs: [String]) -> JSONValue {
        ["apiGroups": [.string(group)], "resources": .array(resources.map(JSONValue.string)), "verbs": .array(verbs.map(JSONValue.string))]
    }
}
