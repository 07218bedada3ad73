import OrderedCollections
public import Resources

/// Maps kinds to their REST resources (`Deployment` → `deployments.apps`) without a server.
///
/// The reference runtime asks API discovery; offline, Mizzen knows the built-in kinds, learns
/// every CustomResourceDefinition it is given, and otherwise guesses the plural as
/// kube-apiserver does for a CRD without an explicit plural (lower-case, `-s`/`-es`/`-ies`).
public struct KindMapper: Sendable, Hashable {
    private var plurals: [GroupKind: String]
    /// `<plural>.<group>` of every known kind, so that lookups on the render path build no string.
    private var definitionNames: [GroupKind: String]

    /// A group and kind, without version.
    public struct GroupKind: Sendable, Hashable {
        public var group: String
        public var kind: String

        public init(group: String, kind: String) {
            self.group = group
            self.kind = kind
        }
    }

    /// A mapper that knows the built-in Kubernetes and OAM kinds.
    public init() {
        plurals = Self.builtin
        definitionNames = Dictionary(uniqueKeysWithValues: Self.builtin.map { ($0.key, "\($0.value).\($0.key.group)") })
    }

    /// Learns the kind and plural of a CustomResourceDefinition; other objects are ignored.
    public mutating func learn(from resource: Resource) {
        guard resource.kind == "CustomResourceDefinition",
            let group = resource.valueIfPresent(at: "spec.group")?.stringValue,
            let kind = resource.valueIfPresent(at: "spec.names.kind")?.stringValue,
            let plural = resource.valueIfPresent(at: "spec.names.plural")?.stringValue
        else { return }
        plurals[GroupKind(group: group, kind: kind)] = plural
        definitionNames[GroupKind(group: group, kind: kind)] = "\(plural).\(group)"
    }

    /// The plural resource name of `kind` in `group`.
    public func plural(group: String, kind: String) -> String {
        plurals[GroupKind(group: group, kind: kind)] ?? Self.guessPlural(kind)
    }

    /// The definition name of a type (spec §1.5): `<plural>.<group>`, `<plural>.` for the core group.
    public func definitionName(apiVersion: String, kind: String) -> String {
        let group = GroupVersion.group(ofAPIVersion: apiVersion)
        return definitionNames[GroupKind(group: group, kind: kind)] ?? "\(Self.guessPlural(kind)).\(group)"
    }

    /// The kind whose resource is `plural` in `group`, when known.
    public func kind(group: String, plural: String) -> String? {
        plurals.first { $0.key.group == group && $0.value == plural }?.key.kind
    }

    static func guessPlural(_ kind: String) -> String {
        let lower = kind.lowercased()
        if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("z") || lower.hasSuffix("ch")
            || lower.hasSuffix("sh")
        {
            return lower + "es"
        }
        if lower.hasSuffix("y"), let beforeY = lower.dropLast().last, !"aeiou".contains(beforeY) {
            return lower.dropLast() + "ies"
        }
        return lower + "s"
    }

    private static let builtin: [GroupKind: String] = {
        let table: [(String, String, String)] = [
            ("", "Pod", "pods"), ("", "Service", "services"), ("", "ConfigMap", "configmaps"),
            ("", "Secret", "secrets"), ("", "Namespace", "namespaces"), ("", "ServiceAccount", "serviceaccounts"),
            ("", "PersistentVolumeClaim", "persistentvolumeclaims"), ("", "Event", "events"),
            ("", "Endpoints", "endpoints"),
            ("apps", "Deployment", "deployments"), ("apps", "StatefulSet", "statefulsets"),
            ("apps", "DaemonSet", "daemonsets"), ("apps", "ReplicaSet", "replicasets"),
            ("apps", "ControllerRevision", "controllerrevisions"),
            ("batch", "Job", "jobs"), ("batch", "CronJob", "cronjobs"),
            ("networking.k8s.io", "Ingress", "ingresses"), ("networking.k8s.io", "NetworkPolicy", "networkpolicies"),
            ("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers"),
            ("policy", "PodDisruptionBudget", "poddisruptionbudgets"),
            ("coordination.k8s.io", "Lease", "leases"),
            ("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions"),
            (OAM.group, "WorkloadDefinition", "workloaddefinitions"),
            (OAM.group, "TraitDefinition", "traitdefinitions"),
            (OAM.group, "ScopeDefinition", "scopedefinitions"),
            (OAM.group, "Component", "components"),
            (OAM.group, "ApplicationConfiguration", "applicationconfigurations"),
            (OAM.group, "ContainerizedWorkload", "containerizedworkloads"),
            (OAM.group, "ManualScalerTrait", "manualscalertraits"),
            (OAM.group, "HealthScope", "healthscopes"),
        ]
        var out: [GroupKind: String] = [:]
        for (group, kind, plural) in table { out[GroupKind(group: group, kind: kind)] = plural }
        return out
    }()
}
