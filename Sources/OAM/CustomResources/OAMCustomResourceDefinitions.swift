import OrderedCollections
public import Resources

/// The `apiextensions.k8s.io/v1` CustomResourceDefinitions of every `core.oam.dev/v1alpha2`
/// kind (spec §1.1, §2), with structural schemas that kube-apiserver accepts.
///
/// `mizzen install` applies them to a cluster; the embedded plane has them from its first start.
///
/// ```swift
/// for crd in OAMCustomResourceDefinitions.all { try await client.apply(crd, fieldManager: "mizzen", force: true) }
/// ```
public enum OAMCustomResourceDefinitions {
    /// `workloaddefinitions.core.oam.dev` (cluster-scoped).
    public static var workloadDefinition: Resource {
        crd(kind: WorkloadDefinition.kind, plural: "workloaddefinitions", scope: .cluster, shortNames: ["workload"],
            columns: definitionColumns, spec: OAMSchemas.workloadDefinitionSpec, status: nil,
            description: "Registers a kind as an OAM workload type.")
    }

    /// `traitdefinitions.core.oam.dev` (cluster-scoped).
    public static var traitDefinition: Resource {
        crd(kind: TraitDefinition.kind, plural: "traitdefinitions", scope: .cluster, shortNames: ["trait"],
            columns: definitionColumns, spec: OAMSchemas.traitDefinitionSpec, status: nil,
            description: "Registers a kind as an OAM trait.")
    }

    /// `scopedefinitions.core.oam.dev` (cluster-scoped).
    public static var scopeDefinition: Resource {
        crd(kind: ScopeDefinition.kind, plural: "scopedefinitions", scope: .cluster, shortNames: ["scope"],
            columns: definitionColumns, spec: OAMSchemas.scopeDefinitionSpec, status: nil,
            description: "Registers a kind as an OAM application scope.")
    }

    /// `components.core.oam.dev`.
    public static var component: Resource {
        // No short name: KubeVela's ComponentDefinition, in this group too, has `comp`.
        crd(kind: Component.kind, plural: "components", scope: .namespaced, shortNames: [],
            columns: [
                column("WORKLOAD-KIND", ".spec.workload.kind"),
                column("LATEST-REVISION", ".status.latestRevision.name"),
                ageColumn,
            ],
            spec: OAMSchemas.componentSpec, status: OAMSchemas.componentStatus,
            description: "A workload an application developer offers, with the parameters operators may set.")
    }

    /// `applicationconfigurations.core.oam.dev` (short name `appconfig`).
    public static var applicationConfiguration: Resource {
        let synced = ".status.conditions[?(@.type==\"Synced\")]"
        return crd(
            kind: ApplicationConfiguration.kind, plural: "applicationconfigurations", scope: .namespaced,
            shortNames: ["appconfig"],
            columns: [
                column("SYNCED", "\(synced).status"),
                column("STATUS", "\(synced).reason"),
                ageColumn,
            ],
            spec: OAMSchemas.applicationConfigurationSpec, status: OAMSchemas.applicationConfigurationStatus,
            description: "An application: components with their parameter values, traits and scopes.")
    }

    /// `containerizedworkloads.core.oam.dev`.
    public static var containerizedWorkload: Resource {
        crd(kind: ContainerizedWorkload.kind, plural: "containerizedworkloads", scope: .namespaced, shortNames: [],
            columns: [column("IMAGE", ".spec.containers[0].image"), ageColumn],
            spec: OAMSchemas.containerizedWorkloadSpec, status: OAMSchemas.containerizedWorkloadStatus,
            description: "Containers run as a Deployment and a Service.")
    }

    /// `manualscalertraits.core.oam.dev`.
    public static var manualScalerTrait: Resource {
        crd(kind: ManualScalerTrait.kind, plural: "manualscalertraits", scope: .namespaced, shortNames: ["manualscaler"],
            columns: [
                column("REPLICAS", ".spec.replicaCount", type: "integer"),
                column("WORKLOAD", ".spec.workloadRef.name"),
                ageColumn,
            ],
            spec: OAMSchemas.manualScalerTraitSpec, status: OAMSchemas.conditionedStatus,
            description: "Sets the replica count of a workload's children.")
    }

    /// `healthscopes.core.oam.dev`.
    public static var healthScope: Resource {
        crd(kind: HealthScope.kind, plural: "healthscopes", scope: .namespaced, shortNames: ["health"],
            columns: [column("HEALTH", ".status.scopeHealthCondition.healthStatus"), ageColumn],
            spec: OAMSchemas.healthScopeSpec, status: OAMSchemas.healthScopeStatus,
            description: "Aggregates the health of the workloads in it.")
    }

    /// Every OAM CRD, definitions first.
    public static var all: [Resource] {
        [
            workloadDefinition, traitDefinition, scopeDefinition, component, applicationConfiguration,
            containerizedWorkload, manualScalerTrait, healthScope,
        ] + StandardCatalog.entries.compactMap(\.customResourceDefinition)
    }

    // MARK: Building

    enum Scope: String {
        case cluster = "Cluster"
        case namespaced = "Namespaced"
    }

    private static let categories: JSONValue = ["oam"]

    static let ageColumn = column("AGE", ".metadata.creationTimestamp", type: "date")

    private static let definitionColumns = [column("DEFINITION-NAME", ".spec.definitionRef.name"), ageColumn]

    static func column(_ name: String, _ jsonPath: String, type: String = "string") -> JSONValue {
        ["name": .string(name), "type": .string(type), "jsonPath": .string(jsonPath)]
    }

    /// A structural CRD of one served and stored version; `group`/`version` default to `core.oam.dev/v1alpha2`
    /// (the catalog's kinds use `standard.oam.dev/v1alpha1`, ``StandardCatalog``).
    static func crd(
        kind: String, plural: String, scope: Scope, shortNames: [String], columns: [JSONValue], spec: JSONValue,
        status: JSONValue?, description: String, group: String = OAM.group, version versionName: String = OAM.version
    ) -> Resource {
        var root: JSONObject = [
            "apiVersion": SchemaNode.string,
            "kind": SchemaNode.string,
            "metadata": ["type": "object"],
            "spec": spec,
        ]
        if let status { root["status"] = status }
        let schema: JSONValue = [
            "description": .string(description),
            "type": "object",
            "properties": .object(root),
        ]
        var version: JSONObject = [
            "name": .string(versionName), "served": true, "storage": true,
            "schema": ["openAPIV3Schema": schema],
        ]
        if status != nil { version["subresources"] = ["status": [:]] }
        version["additionalPrinterColumns"] = .array(columns)

        var names: JSONObject = [
            "kind": .string(kind), "listKind": .string(kind + "List"), "plural": .string(plural),
            "singular": .string(kind.lowercased()),
        ]
        if !shortNames.isEmpty { names["shortNames"] = .array(shortNames.map { .string($0) }) }
        names["categories"] = categories

        var resource = Resource(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition",
                                name: "\(plural).\(group)")
        resource.setLabel("app.kubernetes.io/managed-by", "mizzen")
        resource.spec = [
            "group": .string(group),
            "names": .object(names),
            "scope": .string(scope.rawValue),
            "versions": [.object(version)],
        ]
        return resource
    }
}
