import OrderedCollections
public import Resources

/// The definitions every Mizzen installation has (spec §2.9), as the reference Helm chart ships them.
public enum BuiltinDefinitions {
    /// `containerizedworkloads.core.oam.dev`: a ContainerizedWorkload, whose children are a
    /// Deployment and a Service.
    public static var containerizedWorkload: Resource {
        definition(kind: WorkloadDefinition.kind, name: "containerizedworkloads.core.oam.dev", spec: [
            "definitionRef": ["name": "containerizedworkloads.core.oam.dev"],
            "childResourceKinds": [
                ["apiVersion": "apps/v1", "kind": "Deployment"],
                ["apiVersion": "v1", "kind": "Service"],
            ],
        ])
    }

    /// `manualscalertraits.core.oam.dev`: a ManualScalerTrait, told its workload at `spec.workloadRef`.
    public static var manualScalerTrait: Resource {
        definition(kind: TraitDefinition.kind, name: "manualscalertraits.core.oam.dev", spec: [
            "workloadRefPath": "spec.workloadRef",
            "definitionRef": ["name": "manualscalertraits.core.oam.dev"],
            // Both would set the replicas: validation refuses the two on one component.
            "conflictsWith": [.string(HorizontalPodAutoscalerTrait.definitionName)],
            // It sets the workload's replicas: the AppConfig controller leaves them out of its apply.
            "ownsWorkloadFields": ["spec.replicas"],
        ])
    }

    /// `healthscopes.core.oam.dev`: a HealthScope, listing its workloads at `spec.workloadRefs`.
    public static var healthScope: Resource {
        definition(kind: ScopeDefinition.kind, name: "healthscopes.core.oam.dev", spec: [
            "workloadRefsPath": "spec.workloadRefs",
            "allowComponentOverlap": true,
            // The reference chart says "healthscope" (singular) here; lookups go by object name.
            "definitionRef": ["name": "healthscopes.core.oam.dev"],
        ])
    }

    /// All built-in definitions.
    /// All built-in definitions: the core ones above, then the catalog's (``StandardCatalog``).
    public static var all: [Resource] {
        [containerizedWorkload, manualScalerTrait, healthScope] + StandardCatalog.entries.map(\.definition)
    }

    private static func definition(kind: String, name: String, spec: JSONValue) -> Resource {
        var resource = Resource(apiVersion: OAM.apiVersion, kind: kind, name: name)
        resource.setLabel("app.kubernetes.io/managed-by", "mizzen")
        resource.spec = spec
        return resource
    }
}
