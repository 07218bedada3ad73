import OrderedCollections
import Resources

/// `SidecarTrait` (`standard.oam.dev/v1alpha1`): containers (and their volumes) added to the
/// pod template of the workload or of its child — a ContainerizedWorkload's Deployment, a
/// Deployment's own template — beside the workload's containers, which stay its owner's.
///
/// `appVolumeMounts` mounts volumes into the workload's own containers (all of them, or those
/// `appContainers` names), for what the sidecar shares with them: logs to ship, files to serve.
/// Each sidecar container is marked by a pod-template annotation
/// `sidecar.standard.oam.dev/<container>: "true"`, so that the traits acting on all of the
/// workload's containers (env, mounts) leave it alone.
extension StandardCatalog {
    /// The sidecar kind of the pod-template patch family.
    static let sidecarTraitKind = PodTemplatePatchKind(
        kind: "SidecarTrait", plural: "sidecartraits", entry: "sidecar", patch: sidecarPatch)

    /// `sidecartraits.standard.oam.dev`.
    static var sidecarTrait: StandardCatalogEntry {
        let S = SchemaNode.self
        return podTemplatePatchEntry(
            sidecarTraitKind, shortNames: ["sidecar"],
            columns: [OAMCustomResourceDefinitions.column("CONTAINERS", ".spec.containers[*].name")],
            spec: [
                "containers": S.described("The containers added to the pod template.",
                                          S.array(PodTemplateSchemas.container)),
                "volumes": S.described("Volumes added to the pod template, for the sidecars (and appVolumeMounts).",
                                       S.array(PodTemplateSchemas.volume)),
                "appVolumeMounts": S.described(
                    "Mounts added to the workload's own containers, to share a volume with the sidecars.",
                    S.array(PodTemplateSchemas.volumeMount)),
                "appContainers": S.described(
                    "The workload's containers that get appVolumeMounts; its own (not the sidecars) when empty.", S.strings),
            ], required: ["containers"],
            description: "Containers added beside a workload's own, in its pod template.",
            example: """
                traits:
                  - trait:
                      apiVersion: standard.oam.dev/v1alpha1
                      kind: SidecarTrait
                      spec:
                        containers:
                          - name: log-shipper
                            image: fluent/fluent-bit:3.0
                            volumeMounts:
                              - {name: logs, mountPath: /var/log/app}
                        volumes:
                          - name: logs
                            emptyDir: {}
                        appVolumeMounts:
                          - {name: logs, mountPath: /var/log/app}
                """,
            summary: "Sidecar containers and volumes merged into the workload's pod template "
                + "(its own field manager: the workload's containers stay its owner's).")
    }

    /// The sidecar patch: `containers` and `volumes` into the pod spec, `appVolumeMounts` into
    /// the workload's containers.
    static func sidecarPatch(_ spec: JSONValue, _ template: JSONValue) throws(PodTemplatePatchError) -> JSONValue {
        let containers = spec["containers"]?.arrayValue ?? []
        guard !containers.isEmpty else { throw PodTemplatePatchError(path: "spec.containers", "names no container") }
        try PodTemplatePatch.checkUnique(spec, "containers")
        try PodTemplatePatch.checkUnique(spec, "volumes")
        let own = Set(containers.compactMap { $0["name"]?.stringValue })
        let mounts = try PodTemplatePatch.appVolumeMounts(
            spec["appVolumeMounts"]?.arrayValue ?? [], containers: PodTemplatePatch.strings(spec, "appContainers"),
            in: template, except: own, path: "spec.appContainers")
        // The workload's containers first: server-side apply orders new elements after those
        // they follow in the intent, so the sidecars land after the workload's own containers
        // (the first container stays the one `kubectl logs` and `exec` pick by default).
        var annotations: JSONObject = [:]
        for name in own.sorted() { annotations[PodTemplatePatch.sidecarAnnotationPrefix + name] = "true" }
        return PodTemplatePatch.template(spec: [
            "containers": mounts + containers, "volumes": spec["volumes"]?.arrayValue ?? [],
        ], annotations: annotations)
    }
}
