import OrderedCollections
import Resources

/// `InitContainerTrait` (`standard.oam.dev/v1alpha1`): init containers, with the volumes they
/// need, added to the pod template of the workload or of its child; `appVolumeMounts` mounts
/// volumes into the workload's own containers, so that what an init container prepares (a
/// downloaded file, a rendered configuration) is there when they start.
extension StandardCatalog {
    /// The init-container kind of the pod-template patch family.
    static let initContainerTraitKind = PodTemplatePatchKind(
        kind: "InitContainerTrait", plural: "initcontainertraits", entry: "init-container", patch: initContainerPatch)

    /// `initcontainertraits.standard.oam.dev`.
    static var initContainerTrait: StandardCatalogEntry {
        let S = SchemaNode.self
        return podTemplatePatchEntry(
            initContainerTraitKind, shortNames: ["initcontainer"],
            columns: [OAMCustomResourceDefinitions.column("INIT-CONTAINERS", ".spec.initContainers[*].name")],
            spec: [
                "initContainers": S.described("Containers run to completion, in order, before the Pod's containers.",
                                              S.array(PodTemplateSchemas.container)),
                "volumes": S.described("Volumes added to the pod template.", S.array(PodTemplateSchemas.volume)),
                "appVolumeMounts": S.described(
                    "Mounts added to the workload's own containers, to see what the init containers wrote.",
                    S.array(PodTemplateSchemas.volumeMount)),
                "appContainers": S.described(
                    "The workload's containers that get appVolumeMounts; its own (not the sidecars) when empty.", S.strings),
            ], required: ["initContainers"],
            description: "Init containers (and their volumes) added to a workload's pod template.",
            example: """
                traits:
                  - trait:
                      apiVersion: standard.oam.dev/v1alpha1
                      kind: InitContainerTrait
                      spec:
                        initContainers:
                          - name: fetch-config
                            image: busybox:1.36
                            command: ["sh", "-c", "echo ready > /work/config"]
                            volumeMounts:
                              - {name: work, mountPath: /work}
                        volumes:
                          - name: work
                            emptyDir: {}
                        appVolumeMounts:
                          - {name: work, mountPath: /etc/app}
                """,
            summary: "Init containers and their volumes merged into the workload's pod template, "
                + "with mounts for the workload's containers.")
    }

    /// The init-container patch: `initContainers` and `volumes` into the pod spec,
    /// `appVolumeMounts` into the workload's containers.
    static func initContainerPatch(_ spec: JSONValue, _ template: JSONValue) throws(PodTemplatePatchError)
        -> JSONValue
    {
        let initContainers = spec["initContainers"]?.arrayValue ?? []
        guard !initContainers.isEmpty else {
            throw PodTemplatePatchError(path: "spec.initContainers", "names no container")
        }
        try PodTemplatePatch.checkUnique(spec, "initContainers")
        try PodTemplatePatch.checkUnique(spec, "volumes")
        let mounts = try PodTemplatePatch.appVolumeMounts(
            spec["appVolumeMounts"]?.arrayValue ?? [], containers: PodTemplatePatch.strings(spec, "appContainers"),
            in: template, except: [], path: "spec.appContainers")
        return PodTemplatePatch.template(spec: [
            "initContainers": initContainers, "containers": mounts, "volumes": spec["volumes"]?.arrayValue ?? [],
        ])
    }
}
