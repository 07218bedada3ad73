public import Resources

/// One entry of Mizzen's built-in catalog: a workload or trait kind of `standard.oam.dev/v1alpha1`
/// (or a native kind registered as a workload), with what `mizzen install` puts on a cluster, what
/// the embedded plane is seeded with and what `mizzen catalog show` prints.
public struct StandardCatalogEntry: Sendable {
    /// The WorkloadDefinition or TraitDefinition.
    public var definition: Resource
    /// The kind's CustomResourceDefinition; `nil` for a native kind (Deployment, Job…).
    public var customResourceDefinition: Resource?
    /// A short YAML example of its use in a Component or an AppConfig's `traits`.
    public var example: String
    /// One line: what it produces.
    public var summary: String

    public init(definition: Resource, customResourceDefinition: Resource?, example: String, summary: String) {
        self.definition = definition
        self.customResourceDefinition = customResourceDefinition
        self.example = example
        self.summary = summary
    }
}

/// The catalog Mizzen ships beyond the core definitions (spec §2.9): workloads and traits of the
/// community catalog (oam-dev/catalog), each with a structural CRD, a definition and, in
/// `OAMControllers/Catalog/`, its reconciler.
public enum StandardCatalog {
    /// The API group of the catalog's kinds.
    public static let group = "standard.oam.dev"
    /// The version served.
    public static let version = "v1alpha1"
    /// `standard.oam.dev/v1alpha1`.
    public static let apiVersion = "\(group)/\(version)"

    /// Every entry, workloads first; one line per entry.
    public static var entries: [StandardCatalogEntry] {
        [
            deploymentWorkload,
            statefulSetWorkload,
            daemonSetWorkload,
            jobWorkload,
            cronJobWorkload,
            podSpecWorkload,
            horizontalPodAutoscalerTrait,
            podDisruptionBudgetTrait,
            serviceExposeTrait,
            routeTrait,
            metricsTrait,
            sidecarTrait,
            envTrait,
            initContainerTrait,
            nodePlacementTrait,
            podMetadataTrait,
            rolloutTrait,
        ]
    }

    /// A WorkloadDefinition or TraitDefinition of the catalog, labelled as Mizzen's.
    static func definition(kind: String, name: String, spec: JSONValue) -> Resource {
        var resource = Resource(apiVersion: OAM.apiVersion, kind: kind, name: name)
        resource.setLabel("app.kubernetes.io/managed-by", "mizzen")
        resource.spec = spec
        return resource
    }
}
