import OrderedCollections
import Resources

/// `PodMetadataTrait` (`standard.oam.dev/v1alpha1`): labels and annotations added to the
/// workload's Pods (its pod template's metadata) — for a service mesh, a log agent, a network
/// policy — beside the labels the workload's owner sets (its selector's among them, which the
/// trait cannot change: that would be a conflict it reports).
extension StandardCatalog {
    /// The pod-metadata kind of the pod-template patch family.
    static let podMetadataTraitKind = PodTemplatePatchKind(
        kind: "PodMetadataTrait", plural: "podmetadatatraits", entry: "pod-metadata", patch: podMetadataPatch)

    /// `podmetadatatraits.standard.oam.dev`.
    static var podMetadataTrait: StandardCatalogEntry {
        let S = SchemaNode.self
        return podTemplatePatchEntry(
            podMetadataTraitKind, shortNames: ["podmetadata"], columns: [],
            spec: [
                "labels": S.described("Labels added to the Pods.", S.stringMap),
                "annotations": S.described("Annotations added to the Pods.", S.stringMap),
            ],
            description: "Labels and annotations added to a workload's Pods.",
            example: """
                traits:
                  - trait:
                      apiVersion: standard.oam.dev/v1alpha1
                      kind: PodMetadataTrait
                      spec:
                        labels:
                          team: payments
                        annotations:
                          prometheus.io/scrape: "true"
                """,
            summary: "Labels and annotations merged into the metadata of the workload's pod template.")
    }

    /// The pod-metadata patch: `labels` and `annotations` into the template's metadata.
    static func podMetadataPatch(_ spec: JSONValue, _ template: JSONValue) throws(PodTemplatePatchError)
        -> JSONValue
    {
        _ = template
        var metadata: JSONObject = [:]
        for key in ["labels", "annotations"] {
            guard let members = spec[key]?.objectValue, !members.isEmpty else { continue }
            for (name, value) in members where value.stringValue == nil {
                throw PodTemplatePatchError(path: "spec.\(key).\(name)", "must be a string (found \(value.typeName))")
            }
            metadata[key] = .object(members)
        }
        return metadata.isEmpty ? [:] : ["metadata": .object(metadata)]
    }
}
