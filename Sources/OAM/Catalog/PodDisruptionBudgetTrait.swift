import OrderedCollections
public import Resources

/// `PodDisruptionBudgetTrait` (`standard.oam.dev/v1alpha1`): a `policy/v1` PodDisruptionBudget
/// over the workload's Pods, so that voluntary disruptions (a node drain, an eviction) keep
/// `minAvailable` of them running, or take at most `maxUnavailable` of them at once.
///
/// ```yaml
/// traits:
/// - trait:
///     apiVersion: standard.oam.dev/v1alpha1
///     kind: PodDisruptionBudgetTrait
///     spec: {minAvailable: "50%"}
/// ```
public enum PodDisruptionBudgetTrait {
    public static let kind = "PodDisruptionBudgetTrait"
    public static let plural = "poddisruptionbudgettraits"
    /// The TraitDefinition's name, `poddisruptionbudgettraits.standard.oam.dev`.
    public static let definitionName = "\(plural).\(StandardCatalog.group)"
    /// The kind of the trait.
    public static let traitKind = GroupVersionKind(group: StandardCatalog.group, version: StandardCatalog.version, kind: kind)
    /// The kind the trait makes.
    public static let budgetKind = GroupVersionKind(group: "policy", version: "v1", kind: "PodDisruptionBudget")
    /// The workloads it applies to: those whose Pods keep serving (not Jobs).
    public static let appliesToWorkloads = [
        "containerizedworkloads.core.oam.dev", "podspecworkloads.standard.oam.dev", "deployments.apps",
        "statefulsets.apps", "daemonsets.apps",
    ]

    /// The PodDisruptionBudget of `trait`, named after it, over the Pods `selector` (a
    /// LabelSelector) selects.
    ///
    /// - Throws: ``CatalogFieldError`` unless exactly one of `minAvailable` and `maxUnavailable`
    ///   is set, to a count or a percentage.
    public static func budget(for trait: Resource, selector: JSONValue) throws(CatalogFieldError) -> Resource {
        let minAvailable = trait.spec?["minAvailable"].flatMap { $0.isNull ? nil : $0 }
        let maxUnavailable = trait.spec?["maxUnavailable"].flatMap { $0.isNull ? nil : $0 }
        var spec: JSONObject = ["selector": selector]
        switch (minAvailable, maxUnavailable) {
        case (let value?, nil):
            spec["minAvailable"] = try TraitProducedObject.intOrPercent(value, path: "spec.minAvailable")
        case (nil, let value?):
            spec["maxUnavailable"] = try TraitProducedObject.intOrPercent(value, path: "spec.maxUnavailable")
        case (.some, .some):
            throw CatalogFieldError(
                path: "spec.maxUnavailable", message: "cannot be set together with spec.minAvailable: set one of them")
        case (nil, nil):
            throw CatalogFieldError(
                path: "spec.minAvailable", message: "set minAvailable or maxUnavailable (a count or a percentage)")
        }
        var budget = TraitProducedObject.make(budgetKind, by: trait)
        budget.spec = .object(spec)
        return budget
    }

    /// What the trait's status shows of its budget: its name and the counts the disruption
    /// controller reports (`currentHealthy`, `desiredHealthy`, `disruptionsAllowed`, `expectedPods`).
    public static func statusFields(of budget: Resource) -> JSONObject {
        var fields: JSONObject = ["budget": .string(budget.name)]
        for key in ["currentHealthy", "desiredHealthy", "disruptionsAllowed", "expectedPods"] {
            if let value = budget.status?[key]?.intValue { fields[key] = .int(value) }
        }
        return fields
    }
}

extension StandardCatalog {
    /// `poddisruptionbudgettraits.standard.oam.dev`.
    static var podDisruptionBudgetTrait: StandardCatalogEntry {
        typealias S = SchemaNode
        let spec = S.object([
            "minAvailable": S.described(
                "How many of the workload's Pods must stay available during voluntary disruptions: "
                    + "a count or a percentage (\"50%\"). Set this or maxUnavailable.", S.intOrString),
            "maxUnavailable": S.described(
                "How many of the workload's Pods may be unavailable at once during voluntary disruptions: "
                    + "a count or a percentage. Set this or minAvailable.", S.intOrString),
            "workloadRef": S.described("The workload whose Pods to protect; the runtime fills it in.",
                                       OAMSchemas.typedReference),
        ])
        let status = OAMSchemas.status([
            "conditions": OAMSchemas.conditions,
            "budget": S.described("The name of the PodDisruptionBudget made.", S.string),
            "currentHealthy": S.described("Healthy Pods now.", S.int64),
            "desiredHealthy": S.described("Healthy Pods the budget requires.", S.int64),
            "disruptionsAllowed": S.described("Pods that may be evicted now.", S.int64),
            "expectedPods": S.described("Pods the budget counts.", S.int64),
        ])
        let crd = OAMCustomResourceDefinitions.crd(
            kind: PodDisruptionBudgetTrait.kind, plural: PodDisruptionBudgetTrait.plural, scope: .namespaced,
            shortNames: ["pdbtrait"],
            columns: [
                OAMCustomResourceDefinitions.column("MIN-AVAILABLE", ".spec.minAvailable"),
                OAMCustomResourceDefinitions.column("MAX-UNAVAILABLE", ".spec.maxUnavailable"),
                OAMCustomResourceDefinitions.column("ALLOWED-DISRUPTIONS", ".status.disruptionsAllowed", type: "integer"),
                OAMCustomResourceDefinitions.ageColumn,
            ],
            spec: spec, status: status,
            description: "Limits how many of the workload's Pods voluntary disruptions may take at once.",
            group: group, version: version)
        let definition = definition(kind: TraitDefinition.kind, name: PodDisruptionBudgetTrait.definitionName, spec: [
            "definitionRef": ["name": .string(PodDisruptionBudgetTrait.definitionName)],
            "workloadRefPath": "spec.workloadRef",
            "appliesToWorkloads": .array(PodDisruptionBudgetTrait.appliesToWorkloads.map(JSONValue.string)),
        ])
        return StandardCatalogEntry(
            definition: definition, customResourceDefinition: crd,
            example: """
                traits:
                - trait:
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: PodDisruptionBudgetTrait
                    spec:
                      minAvailable: "50%"
                """,
            summary: "A policy/v1 PodDisruptionBudget over the workload's Pods (minAvailable or maxUnavailable).")
    }
}
