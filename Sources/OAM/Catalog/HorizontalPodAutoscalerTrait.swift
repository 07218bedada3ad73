import OrderedCollections
public import Resources

/// `HorizontalPodAutoscalerTrait` (`standard.oam.dev/v1alpha1`): an `autoscaling/v2`
/// HorizontalPodAutoscaler that keeps the replicas of the workload's scalable object — the
/// workload itself when it is a Deployment, StatefulSet or ReplicaSet, else its child of such a
/// kind (a ContainerizedWorkload's Deployment) — between `minReplicas` and `maxReplicas`,
/// following CPU and/or memory utilisation.
///
/// ```yaml
/// traits:
/// - trait:
///     apiVersion: standard.oam.dev/v1alpha1
///     kind: HorizontalPodAutoscalerTrait
///     spec: {minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 70}
/// ```
public enum HorizontalPodAutoscalerTrait {
    public static let kind = "HorizontalPodAutoscalerTrait"
    public static let plural = "horizontalpodautoscalertraits"
    /// The TraitDefinition's name, `horizontalpodautoscalertraits.standard.oam.dev`.
    public static let definitionName = "\(plural).\(StandardCatalog.group)"
    /// The kind of the trait.
    public static let traitKind = GroupVersionKind(group: StandardCatalog.group, version: StandardCatalog.version, kind: kind)
    /// The kind the trait makes.
    public static let autoscalerKind = GroupVersionKind(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler")
    /// `minReplicas` when unset (the HPA's own default).
    public static let defaultMinReplicas: Int64 = 1
    /// The CPU utilisation aimed at when the trait names no target (the HPA's own default).
    public static let defaultCPUUtilization: Int64 = 80
    /// The workloads it applies to: those that run a replica count.
    public static let appliesToWorkloads = [
        "containerizedworkloads.core.oam.dev", "podspecworkloads.standard.oam.dev", "deployments.apps",
        "statefulsets.apps",
    ]
    /// The traits it cannot share a component with: both would set the replicas.
    public static let conflictsWith = ["manualscalertraits.core.oam.dev"]
    /// `group/Kind` of what an autoscaler can scale (kinds with a `scale` subresource and a selector).
    public static let scalableKinds: Set<String> = ["apps/Deployment", "apps/StatefulSet", "apps/ReplicaSet"]

    /// Whether `object` is of a kind an autoscaler scales.
    public static func isScalable(_ object: Resource) -> Bool {
        scalableKinds.contains("\(GroupVersion(apiVersion: object.apiVersion).group)/\(object.kind)")
    }

    /// The HorizontalPodAutoscaler of `trait`, named after it, scaling `target`.
    ///
    /// - Throws: ``CatalogFieldError`` for a field out of range: `minReplicas` below 1,
    ///   `maxReplicas` unset or below `minReplicas`, a utilisation below 1.
    public static func autoscaler(for trait: Resource, target: TypedReference) throws(CatalogFieldError) -> Resource {
        let minReplicas = try TraitProducedObject.integer("minReplicas", of: trait, minimum: 1) ?? defaultMinReplicas
        guard let maxReplicas = try TraitProducedObject.integer("maxReplicas", of: trait, minimum: 1) else {
            throw CatalogFieldError(path: "spec.maxReplicas", message: "is required: the most replicas to scale to")
        }
        guard maxReplicas >= minReplicas else {
            throw CatalogFieldError(
                path: "spec.maxReplicas", message: "must be at least minReplicas (\(minReplicas)), found \(maxReplicas)")
        }
        let cpu = try TraitProducedObject.integer("targetCPUUtilizationPercentage", of: trait, minimum: 1)
        let memory = try TraitProducedObject.integer("targetMemoryUtilizationPercentage", of: trait, minimum: 1)
        var metrics: [JSONValue] = []
        if let cpu = cpu ?? (memory == nil ? defaultCPUUtilization : nil) { metrics.append(metric("cpu", cpu)) }
        if let memory { metrics.append(metric("memory", memory)) }

        var spec: JSONObject = [
            "scaleTargetRef": [
                "apiVersion": .string(target.apiVersion), "kind": .string(target.kind), "name": .string(target.name),
            ],
            "minReplicas": .int(minReplicas),
            "maxReplicas": .int(maxReplicas),
            "metrics": .array(metrics),
        ]
        if let window = try TraitProducedObject.integer("scaleDownStabilizationSeconds", of: trait, minimum: 0) {
            guard window <= 3600 else {
                throw CatalogFieldError(
                    path: "spec.scaleDownStabilizationSeconds", message: "must be at most 3600, found \(window)")
            }
            spec["behavior"] = ["scaleDown": ["stabilizationWindowSeconds": .int(window)]]
        }
        var autoscaler = TraitProducedObject.make(autoscalerKind, by: trait)
        autoscaler.spec = .object(spec)
        return autoscaler
    }

    private static func metric(_ resource: String, _ utilization: Int64) -> JSONValue {
        [
            "type": "Resource",
            "resource": [
                "name": .string(resource),
                "target": ["type": "Utilization", "averageUtilization": .int(utilization)],
            ],
        ]
    }

    /// What the trait's status shows of its autoscaler: its name, what it scales, its current
    /// and desired replicas and its conditions (`AbleToScale`, `ScalingActive`, `ScalingLimited`),
    /// as the HPA controller wrote them; `nil` members are left out.
    public static func statusFields(of autoscaler: Resource) -> JSONObject {
        var fields: JSONObject = ["autoscaler": .string(autoscaler.name)]
        if let target = autoscaler.spec?["scaleTargetRef"], let kind = target["kind"]?.stringValue,
            let name = target["name"]?.stringValue
        {
            fields["target"] = .string("\(kind)/\(name)")
        }
        for key in ["currentReplicas", "desiredReplicas"] {
            if let value = autoscaler.status?[key]?.intValue { fields[key] = .int(value) }
        }
        return fields
    }

    /// The autoscaler's conditions, to be shown beside the trait's `Synced` one.
    public static func conditions(of autoscaler: Resource) -> [JSONValue] {
        autoscaler.status?["conditions"]?.arrayValue ?? []
    }
}

extension StandardCatalog {
    /// `horizontalpodautoscalertraits.standard.oam.dev`.
    static var horizontalPodAutoscalerTrait: StandardCatalogEntry {
        typealias S = SchemaNode
        let percent: JSONValue = ["type": "integer", "format": "int32", "minimum": 1]
        let spec = S.object([
            "minReplicas": S.described(
                "The fewest replicas the workload runs; 1 when unset.",
                ["type": "integer", "format": "int32", "minimum": 1, "default": 1]),
            "maxReplicas": S.described(
                "The most replicas the workload may be scaled to; at least minReplicas.",
                ["type": "integer", "format": "int32", "minimum": 1]),
            "targetCPUUtilizationPercentage": S.described(
                "Average CPU use of the Pods, in percent of their CPU request, to aim at; "
                    + "80 when neither target is set.", percent),
            "targetMemoryUtilizationPercentage": S.described(
                "Average memory use of the Pods, in percent of their memory request, to aim at.", percent),
            "scaleDownStabilizationSeconds": S.described(
                "How long a lower recommendation must last before the workload is scaled down "
                    + "(the autoscaler's default, 300, when unset).",
                ["type": "integer", "format": "int32", "minimum": 0, "maximum": 3600]),
            "workloadRef": S.described("The workload to autoscale; the runtime fills it in.", OAMSchemas.typedReference),
        ], required: ["maxReplicas"])
        let status = OAMSchemas.status([
            "conditions": S.described(
                "Synced, and the autoscaler's own conditions: AbleToScale, ScalingActive, ScalingLimited.",
                OAMSchemas.conditions),
            "autoscaler": S.described("The name of the HorizontalPodAutoscaler made.", S.string),
            "target": S.described("What it scales, as Kind/name.", S.string),
            "currentReplicas": S.described("The replicas the target runs, as the autoscaler last saw.", S.int64),
            "desiredReplicas": S.described("The replicas the autoscaler wants.", S.int64),
        ])
        let crd = OAMCustomResourceDefinitions.crd(
            kind: HorizontalPodAutoscalerTrait.kind, plural: HorizontalPodAutoscalerTrait.plural, scope: .namespaced,
            shortNames: ["hpatrait"],
            columns: [
                OAMCustomResourceDefinitions.column("TARGET", ".status.target"),
                OAMCustomResourceDefinitions.column("MIN", ".spec.minReplicas", type: "integer"),
                OAMCustomResourceDefinitions.column("MAX", ".spec.maxReplicas", type: "integer"),
                OAMCustomResourceDefinitions.column("CURRENT", ".status.currentReplicas", type: "integer"),
                OAMCustomResourceDefinitions.column("DESIRED", ".status.desiredReplicas", type: "integer"),
                OAMCustomResourceDefinitions.ageColumn,
            ],
            spec: spec, status: status,
            description: "Scales the workload between a minimum and a maximum of replicas with its CPU or memory use.",
            group: group, version: version)
        let definition = definition(kind: TraitDefinition.kind, name: HorizontalPodAutoscalerTrait.definitionName, spec: [
            "definitionRef": ["name": .string(HorizontalPodAutoscalerTrait.definitionName)],
            "workloadRefPath": "spec.workloadRef",
            "appliesToWorkloads": .array(HorizontalPodAutoscalerTrait.appliesToWorkloads.map(JSONValue.string)),
            "conflictsWith": .array(HorizontalPodAutoscalerTrait.conflictsWith.map(JSONValue.string)),
            "ownsWorkloadFields": ["spec.replicas"],
        ])
        return StandardCatalogEntry(
            definition: definition, customResourceDefinition: crd,
            example: """
                traits:
                - trait:
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: HorizontalPodAutoscalerTrait
                    spec:
                      minReplicas: 2
                      maxReplicas: 10
                      targetCPUUtilizationPercentage: 70
                """,
            summary: "An autoscaling/v2 HorizontalPodAutoscaler on the workload's Deployment or StatefulSet "
                + "(conflicts with ManualScalerTrait).")
    }
}
