import OrderedCollections
public import Resources

/// Turns a ContainerizedWorkload into the Deployment, Service and ConfigMaps that run it
/// (spec §7.2–7.4).
///
/// The translation is a pure function of the workload: no I/O, no clock, and the same input
/// always gives the same output, so it serves both the controller and offline rendering.
///
/// ```swift
/// let translated = try ContainerizedWorkloadTranslation.translate(workload)
/// translated.deployment.name        // the workload's name
/// translated.service?.spec?["type"] // "ClusterIP"
/// ```
///
/// It follows the reference runtime except for the defects of spec §12.16, which it fixes:
///
/// 1. Every `resources.volumes[]` entry also gets a pod volume, `emptyDir: {}` or
///    `emptyDir: {sizeLimit: <disk.required>}`, so the pod spec is valid. Containers naming the
///    same volume share it.
/// 2. Config files are mounted one file each, with `mountPath` the file's full path and
///    `subPath` its name, so two files in one directory no longer collide on one mount path.
///    Secret files likewise: the secret's volume lists `items: [{key, path: key}]` and the
///    mount uses `subPath: <key>`.
/// 3. No Service is made when the first container has no ports (``TranslatedWorkload/service``
///    is `nil`), instead of a Service with no ports that the API server rejects.
/// 4. `imagePullSecrets` lists each secret once, in the order the containers first name it.
///
/// ConfigMaps that are no longer rendered are the controller's to delete; they are not part of
/// a translation.
public enum ContainerizedWorkloadTranslation {
    /// The kind translated.
    public static let kind = "ContainerizedWorkload"

    /// The objects that run `workload`.
    ///
    /// The Deployment and the Service select pods by the label
    /// `containerizedworkload.oam.crossplane.io: <workload uid>`. A workload that has no uid yet
    /// (offline rendering, before the API server assigned one) uses its name as the label value
    /// instead, and its objects carry no owner reference to it: an owner reference without a uid
    /// is invalid. The controller always translates stored workloads, which have a uid.
    ///
    /// The ConfigMaps name the Deployment as their controlling owner only when the Deployment has
    /// a uid, which a fresh translation never has: the controller adds
    /// ``configMapOwnerReference(deployment:)`` of the applied Deployment before it applies them.
    ///
    /// - Parameter workload: a `core.oam.dev/v1alpha2` ContainerizedWorkload.
    /// - Returns: the Deployment, the Service (`nil` when the first container has no ports) and
    ///   one ConfigMap per config file with a `value`.
    /// - Throws: ``TranslationError`` naming the first field that is missing or has the wrong
    ///   type, such as `spec.containers[0].image: required field is missing`.
    public static func translate(_ workload: Resource) throws(TranslationError) -> TranslatedWorkload {
        let root = try FieldReader(workload.value, at: .root)
        let metadata = try root.object("metadata")
        guard let name = try metadata?.string("name"), !name.isEmpty else {
            throw .missing(FieldPath([.field("metadata"), .field("name")]))
        }
        let namespace = try metadata?.string("namespace")
        let uid = try metadata?.string("uid").flatMap { $0.isEmpty ? nil : $0 }
        let selectorValue = uid ?? name
        let workloadReference = uid.map {
            OwnerReference(
                apiVersion: workload.apiVersion.isEmpty ? OAM.apiVersion : workload.apiVersion,
                kind: workload.kind.isEmpty ? kind : workload.kind, name: name, uid: $0,
                controller: true, blockOwnerDeletion: true)
        }

        let spec = try root.object("spec") ?? FieldReader(members: [:], path: root.path("spec"))
        guard let containers = try spec.objects("containers") else {
            throw .missing(spec.path("containers"))
        }
        guard !containers.isEmpty else {
            throw TranslationError(path: spec.path("containers"), message: "must list at least one container")
        }
        var parts = PodParts()
        for container in containers {
            parts.containers.append(try translateContainer(container, workloadName: name, into: &parts))
        }

        let deployment = try makeDeployment(
            name: name, namespace: namespace, workload: workload, spec: spec, parts: parts,
            selectorValue: selectorValue, owner: workloadReference)
        let firstPort = parts.containers[0]["ports"]?[0]
        let service = firstPort?["containerPort"].map { port in
            makeService(protocol: firstPort?["protocol"] ?? "TCP",
                name: name, namespace: namespace, port: port, selectorValue: selectorValue, owner: workloadReference)
        }
        let configMaps = parts.configFiles.map { configMapName, file in
            makeConfigMap(
                name: configMapName, file: file, namespace: namespace, workload: workload, deployment: deployment)
        }
        return TranslatedWorkload(deployment: deployment, service: service, configMaps: configMaps)
    }

    /// The controlling owner reference a ConfigMap of the translation gets to `deployment`, or
    /// `nil` while the Deployment has no uid (it has not been applied yet).
    ///
    /// - Parameter deployment: the Deployment as the API server returned it.
    public static func configMapOwnerReference(deployment: Resource) -> OwnerReference? {
        guard let uid = deployment.uid, !uid.isEmpty else { return nil }
        return OwnerReference(
            apiVersion: deployment.apiVersion.isEmpty ? "apps/v1" : deployment.apiVersion,
            kind: deployment.kind.isEmpty ? "Deployment" : deployment.kind, name: deployment.name, uid: uid,
            controller: true, blockOwnerDeletion: true)
    }

    // MARK: - Objects

    private static let selectorLabel = OAM.Label.containerizedWorkload

    private static func makeDeployment(
        name: String, namespace: String?, workload: Resource, spec: FieldReader, parts: PodParts,
        selectorValue: String, owner: OwnerReference?
    ) throws(TranslationError) -> Resource {
        var deployment = Resource(apiVersion: "apps/v1", kind: "Deployment", name: name, namespace: namespace)
        deployment.labels = workload.labels
        deployment.annotations = workload.annotations
        if let owner { deployment.ownerReferences = [owner] }

        // The selector label comes first and wins over a workload label of the same key.
        var templateLabels: JSONObject = [selectorLabel: .string(selectorValue)]
        for (key, value) in workload.labels where key != selectorLabel {
            templateLabels[key] = .string(value)
        }

        var podSpec: JSONObject = ["containers": .array(parts.containers)]
        if !parts.volumes.isEmpty {
            podSpec["volumes"] = .array(parts.volumes.values.map(JSONValue.object))
        }
        var nodeSelector: JSONObject = [:]
        if let osType = try spec.string("osType") { nodeSelector["beta.kubernetes.io/os"] = .string(osType) }
        if let arch = try spec.string("arch") { nodeSelector["kubernetes.io/arch"] = .string(arch) }
        if !nodeSelector.isEmpty { podSpec["nodeSelector"] = .object(nodeSelector) }
        if !parts.imagePullSecrets.isEmpty {
            podSpec["imagePullSecrets"] = .array(parts.imagePullSecrets.map { ["name": .string($0)] })
        }

        // spec.replicas is left out: the API default is 1, and scaler traits own it.
        // The template has no annotations: passing the workload's made pods restart (issue #264).
        deployment.spec = [
            "selector": ["matchLabels": [selectorLabel: .string(selectorValue)]],
            "template": [
                "metadata": ["labels": .object(templateLabels)],
                "spec": .object(podSpec),
            ],
        ]
        return deployment
    }

    /// The Service of the first container's first port. Unlike the reference, which always says
    /// TCP, the port keeps the protocol the container declares.
    private static func makeService(
        protocol: JSONValue, name: String, namespace: String?, port: JSONValue, selectorValue: String, owner: OwnerReference?
    ) -> Resource {
        var service = Resource(apiVersion: "v1", kind: "Service", name: name, namespace: namespace)
        service.labels = [selectorLabel: selectorValue]
        if let owner { service.ownerReferences = [owner] }
        service.spec = [
            "type": "ClusterIP",
            "selector": [selectorLabel: .string(selectorValue)],
            "ports": [["name": .string(name), "port": port, "targetPort": port, "protocol": `protocol`]],
        ]
        return service
    }

    private static func makeConfigMap(
        name: String, file: PodParts.ConfigFile, namespace: String?, workload: Resource, deployment: Resource
    ) -> Resource {
        var configMap = Resource(apiVersion: "v1", kind: "ConfigMap", name: name, namespace: namespace)
        configMap.labels = workload.labels
        configMap.annotations = workload.annotations
        if let owner = configMapOwnerReference(deployment: deployment) { configMap.ownerReferences = [owner] }
        configMap.object["data"] = [file.key: .string(file.value)]
        return configMap
    }
}
