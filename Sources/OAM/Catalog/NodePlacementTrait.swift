import OrderedCollections
import Resources

/// `NodePlacementTrait` (`standard.oam.dev/v1alpha1`): where the workload's Pods may run —
/// `nodeSelector` labels, node and pod `affinity`, and `tolerations` of node taints — set in
/// its pod template.
///
/// `tolerations` is a list the API server replaces as a whole: when the workload's pod
/// template has tolerations of its own, the trait's are a conflict it reports (Synced False)
/// rather than a list two owners keep rewriting. Two NodePlacementTraits on one component
/// conflict for the same reason.
extension StandardCatalog {
    /// The node-placement kind of the pod-template patch family.
    static let nodePlacementTraitKind = PodTemplatePatchKind(
        kind: "NodePlacementTrait", plural: "nodeplacementtraits", entry: "node-placement", patch: nodePlacementPatch)

    /// `nodeplacementtraits.standard.oam.dev`.
    static var nodePlacementTrait: StandardCatalogEntry {
        let S = SchemaNode.self
        return podTemplatePatchEntry(
            nodePlacementTraitKind, shortNames: ["placement"], columns: [],
            spec: [
                "nodeSelector": S.described("Node labels a node must have to run the Pods.", S.stringMap),
                "affinity": S.described("Node affinity, pod affinity and anti-affinity, as in a Pod.",
                                        PodTemplateSchemas.affinity),
                "tolerations": S.described("Taints the Pods tolerate.", S.array(PodTemplateSchemas.toleration)),
            ],
            conflictsWith: [nodePlacementTraitKind.definitionName],
            description: "Node selector, affinity and tolerations of a workload's Pods.",
            example: """
                traits:
                  - trait:
                      apiVersion: standard.oam.dev/v1alpha1
                      kind: NodePlacementTrait
                      spec:
                        nodeSelector:
                          kubernetes.io/arch: amd64
                        tolerations:
                          - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
                        affinity:
                          nodeAffinity:
                            requiredDuringSchedulingIgnoredDuringExecution:
                              nodeSelectorTerms:
                                - matchExpressions:
                                    - {key: topology.kubernetes.io/zone, operator: In, values: [zone-a, zone-b]}
                """,
            summary: "Node selector, node/pod affinity and tolerations set in the workload's pod template.")
    }

    /// The node-placement patch: `nodeSelector`, `affinity` and `tolerations` into the pod spec.
    static func nodePlacementPatch(_ spec: JSONValue, _ template: JSONValue) throws(PodTemplatePatchError)
        -> JSONValue
    {
        _ = template
        var podSpec: JSONObject = [:]
        if let selector = spec["nodeSelector"]?.objectValue, !selector.isEmpty { podSpec["nodeSelector"] = .object(selector) }
        if let affinity = spec["affinity"]?.objectValue, !affinity.isEmpty { podSpec["affinity"] = .object(affinity) }
        if let tolerations = spec["tolerations"]?.arrayValue, !tolerations.isEmpty {
            for (index, toleration) in tolerations.enumerated()
            where toleration["operator"]?.stringValue == "Exists" && toleration["value"] != nil {
                throw PodTemplatePatchError(path: "spec.tolerations[\(index)].value",
                                            "must be empty when operator is Exists")
            }
            podSpec["tolerations"] = .array(tolerations)
        }
        return podSpec.isEmpty ? [:] : ["spec": .object(podSpec)]
    }
}
