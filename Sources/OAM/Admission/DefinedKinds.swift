import OrderedCollections
public import Resources

/// What a definition's `definitionRef` names, as a kind: `deployments.apps` is `apps/v1`
/// `Deployment`. Admission mutation needs it to turn a Component's `type` or a trait's `name` into
/// `apiVersion` and `kind` (spec §10.1, §10.3).
///
/// The reference runtime asks API discovery; here the caller passes the data in — the
/// CustomResourceDefinitions it can read — so that admission stays a pure function. The common
/// built-in kinds and the OAM kinds are known without a CRD.
///
/// ```swift
/// var kinds = DefinedKinds()
/// kinds.add(crd: crd)                      // spec.group, spec.names.kind, spec.versions
/// kinds.groupVersionKind(for: .init(name: "deployments.apps"))   // apps/v1 Deployment
/// ```
public struct DefinedKinds: Sendable, Hashable {
    /// The group and kind a definition name stands for, with its versions, preferred first.
    struct Entry: Sendable, Hashable {
        var group: String
        var kind: String
        var versions: [String]
    }

    private var entries: [String: Entry] = [:]

    /// The built-in kinds and, with `crds`, the kinds of these CustomResourceDefinitions.
    public init(crds: [Resource] = []) {
        for (group, version, plural, kind) in Self.builtin {
            entries["\(plural).\(group)"] = Entry(group: group, kind: kind, versions: [version])
        }
        for crd in crds { add(crd: crd) }
    }

    /// Learns the kind of a CustomResourceDefinition: its name (`<plural>.<group>`), group, kind
    /// and served versions in the order the CRD lists them (the first is used when a
    /// `definitionRef` names no version, as the reference's `versions[0]`). Other objects are ignored.
    public mutating func add(crd: Resource) {
        guard crd.kind == "CustomResourceDefinition",
            let group = crd.valueIfPresent(at: "spec.group")?.stringValue,
            let kind = crd.valueIfPresent(at: "spec.names.kind")?.stringValue
        else { return }
        let versions = (crd.valueIfPresent(at: "spec.versions")?.arrayValue ?? [])
            .filter { $0["served"]?.boolValue ?? true }
            .compactMap { $0["name"]?.stringValue }
        guard !versions.isEmpty else { return }
        entries[crd.name] = Entry(group: group, kind: kind, versions: versions)
    }

    /// The kind `reference` names, at `reference.version` when given, else at the preferred
    /// version; `nil` when the name is unknown.
    public func groupVersionKind(for reference: DefinitionReference) -> GroupVersionKind? {
        guard let entry = entries[reference.name], let preferred = entry.versions.first else { return nil }
        let version = reference.version.flatMap { $0.isEmpty ? nil : $0 } ?? preferred
        return GroupVersionKind(group: entry.group, version: version, kind: entry.kind)
    }

    /// Kinds every cluster serves, and the OAM kinds (whose CRDs Mizzen installs).
    private static let builtin: [(group: String, version: String, plural: String, kind: String)] = [
        ("", "v1", "pods", "Pod"), ("", "v1", "services", "Service"), ("", "v1", "configmaps", "ConfigMap"),
        ("", "v1", "secrets", "Secret"), ("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim"),
        ("", "v1", "serviceaccounts", "ServiceAccount"),
        ("apps", "v1", "deployments", "Deployment"), ("apps", "v1", "statefulsets", "StatefulSet"),
        ("apps", "v1", "daemonsets", "DaemonSet"), ("apps", "v1", "replicasets", "ReplicaSet"),
        ("batch", "v1", "jobs", "Job"), ("batch", "v1", "cronjobs", "CronJob"),
        ("networking.k8s.io", "v1", "ingresses", "Ingress"),
        ("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy"),
        ("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler"),
        ("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget"),
        (OAM.group, OAM.version, "containerizedworkloads", "ContainerizedWorkload"),
        (OAM.group, OAM.version, "manualscalertraits", "ManualScalerTrait"),
        (OAM.group, OAM.version, "healthscopes", "HealthScope"),
    ]
}
