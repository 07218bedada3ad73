import OrderedCollections
public import Resources

/// `PodSpecWorkload` (`standard.oam.dev/v1alpha1`): a replica count and a plain Kubernetes pod
/// spec, run as a Deployment, with a ClusterIP Service for every port its containers declare.
///
/// ```yaml
/// workload:
///   apiVersion: standard.oam.dev/v1alpha1
///   kind: PodSpecWorkload
///   spec:
///     replicas: 2
///     podSpec:
///       containers:
///       - {name: web, image: nginx:1.27, ports: [{containerPort: 80}]}
/// ```
///
/// Where ContainerizedWorkload has its own container language, this one takes the pod spec
/// people already write, unchanged; the Deployment and Service are named after the workload and
/// select its Pods by ``selectorLabel`` (the workload's uid), as ContainerizedWorkload's do.
public enum PodSpecWorkload {
    public static let kind = "PodSpecWorkload"
    public static let plural = "podspecworkloads"
    /// The WorkloadDefinition's name, `podspecworkloads.standard.oam.dev`.
    public static let definitionName = "\(plural).\(StandardCatalog.group)"
    /// The kind of the workload.
    public static let workloadKind = GroupVersionKind(
        group: StandardCatalog.group, version: StandardCatalog.version, kind: kind)
    /// The label by which the Deployment and the Service find the workload's Pods; its value is
    /// the workload's uid (its name while rendered offline, before it has one).
    public static let selectorLabel = "podspecworkload.standard.oam.dev"

    /// The objects that run a PodSpecWorkload.
    public struct Rendered: Sendable, Hashable {
        /// The `apps/v1` Deployment running the pod spec.
        public var deployment: Resource
        /// The ClusterIP `v1` Service of the containers' ports; `nil` when they declare none.
        public var service: Resource?
    }

    /// The Deployment and Service of `workload`.
    ///
    /// - Parameter withReplicas: whether the Deployment's `spec.replicas` is the workload's
    ///   `spec.replicas`; `false` leaves it to whoever scales the Deployment (a scaler or
    ///   autoscaler trait that took it over, see ``replicasManagedElsewhere(_:fieldManager:)``).
    ///   An unset `spec.replicas` is always left out (the API default is 1).
    /// - Throws: ``CatalogFieldError`` for a workload without a pod spec or containers, a
    ///   container without a name or image, a negative replica count or a port out of range.
    public static func render(_ workload: Resource, withReplicas: Bool = true) throws(CatalogFieldError) -> Rendered {
        guard !workload.name.isEmpty else {
            throw CatalogFieldError(path: "metadata.name", message: "is required")
        }
        let replicas = try replicas(of: workload)
        guard case .object(let podSpec)? = workload.spec?["podSpec"] else {
            throw CatalogFieldError(path: "spec.podSpec", message: "is required: the pod spec to run")
        }
        guard let containers = podSpec["containers"]?.arrayValue, !containers.isEmpty else {
            throw CatalogFieldError(path: "spec.podSpec.containers", message: "must list at least one container")
        }
        for (index, container) in containers.enumerated() {
            for field in ["name", "image"] where container[field]?.stringValue?.isEmpty ?? true {
                throw CatalogFieldError(
                    path: "spec.podSpec.containers[\(index)].\(field)", message: "is required")
            }
        }
        let selectorValue = workload.uid.flatMap { $0.isEmpty ? nil : $0 } ?? workload.name
        let owner = workload.uid.flatMap { uid in
            uid.isEmpty ? nil : OwnerReference(
                apiVersion: workload.apiVersion, kind: workload.kind, name: workload.name, uid: uid,
                controller: true, blockOwnerDeletion: true)
        }

        var deployment = Resource(apiVersion: "apps/v1", kind: "Deployment", name: workload.name,
                                  namespace: workload.namespace)
        deployment.labels = workload.labels
        if let owner { deployment.ownerReferences = [owner] }
        // The selector label comes first and wins over a workload label of the same key.
        var templateLabels: JSONObject = [selectorLabel: .string(selectorValue)]
        for (key, value) in workload.labels where key != selectorLabel { templateLabels[key] = .string(value) }
        var deploymentSpec: JSONObject = [:]
        if withReplicas, let replicas { deploymentSpec["replicas"] = .int(replicas) }
        deploymentSpec["selector"] = ["matchLabels": [selectorLabel: .string(selectorValue)]]
        deploymentSpec["template"] = ["metadata": ["labels": .object(templateLabels)], "spec": .object(podSpec)]
        deployment.spec = .object(deploymentSpec)

        let ports = try servicePorts(containers)
        var service: Resource?
        if !ports.isEmpty {
            var made = Resource(apiVersion: "v1", kind: "Service", name: workload.name, namespace: workload.namespace)
            made.labels = workload.labels
            made.setLabel(selectorLabel, selectorValue)
            if let owner { made.ownerReferences = [owner] }
            made.spec = [
                "type": "ClusterIP",
                "selector": [selectorLabel: .string(selectorValue)],
                "ports": .array(ports),
            ]
            service = made
        }
        return Rendered(deployment: deployment, service: service)
    }

    /// `spec.replicas`: `nil` when unset.
    public static func replicas(of workload: Resource) throws(CatalogFieldError) -> Int64? {
        guard let value = workload.spec?["replicas"], !value.isNull else { return nil }
        guard let number = value.intValue, number >= 0 else {
            throw CatalogFieldError(path: "spec.replicas", message: "must be an integer, 0 or more")
        }
        return number
    }

    /// One Service port per distinct `containerPort`/`protocol` the containers declare, in
    /// order: named as the container names it, else (when there are several) `<protocol>-<port>`.
    static func servicePorts(_ containers: [JSONValue]) throws(CatalogFieldError) -> [JSONValue] {
        var declared: [(name: String?, port: Int64, protocol: String)] = []
        var seen: Set<String> = []
        for (index, container) in containers.enumerated() {
            for (portIndex, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
                guard let number = port["containerPort"]?.intValue, (1...65535).contains(number) else {
                    throw CatalogFieldError(
                        path: "spec.podSpec.containers[\(index)].ports[\(portIndex)].containerPort",
                        message: "must be a port number from 1 to 65535")
                }
                let proto = port["protocol"]?.stringValue ?? "TCP"
                guard seen.insert("\(number)/\(proto)").inserted else { continue }
                declared.append((port["name"]?.stringValue, number, proto))
            }
        }
        var names: Set<String> = []
        return declared.map { entry in
            var name = entry.name ?? ""
            if declared.count > 1, name.isEmpty || names.contains(name) {
                name = "\(entry.protocol.lowercased())-\(entry.port)"
            }
            names.insert(name)
            var members: JSONObject = [:]
            if !name.isEmpty { members["name"] = .string(name) }
            members["port"] = .int(entry.port)
            members["targetPort"] = .int(entry.port)
            members["protocol"] = .string(entry.protocol)
            return .object(members)
        }
    }

    /// Whether a field manager other than `fieldManager` owns `spec.replicas` of `deployment`
    /// (its `metadata.managedFields`): a scaler or autoscaler trait scaled it, and the workload's
    /// own `spec.replicas` must not take it back on every reconcile.
    public static func replicasManagedElsewhere(_ deployment: Resource, fieldManager: String) -> Bool {
        let entries = deployment.value["metadata"]?["managedFields"]?.arrayValue ?? []
        return entries.contains { entry in
            entry["manager"]?.stringValue != fieldManager
                && entry["fieldsV1"]?["f:spec"]?["f:replicas"] != nil
        }
    }

    /// The `status` fields users act on, from the Deployment: `replicas` and `readyReplicas`.
    public static func statusFields(of deployment: Resource) -> JSONObject {
        [
            "replicas": .int(deployment.status?["replicas"]?.intValue ?? 0),
            "readyReplicas": .int(deployment.status?["readyReplicas"]?.intValue ?? 0),
        ]
    }
}

extension StandardCatalog {
    /// `podspecworkloads.standard.oam.dev`.
    static var podSpecWorkload: StandardCatalogEntry {
        typealias S = SchemaNode
        let podSpec = S.described(
            "A core/v1 PodSpec, as in a Deployment's template. Containers are typed (name and image required); "
                + "the other fields are kept as written and checked when the Deployment is created.",
            S.object([
                "containers": S.described("The containers of each Pod.", S.array(PodTemplateSchemas.container)),
                "initContainers": S.described("Containers run to completion before the others.",
                                              S.array(PodTemplateSchemas.container)),
                "volumes": S.described("Volumes the containers may mount.", S.array(PodTemplateSchemas.volume)),
                "restartPolicy": S.string(oneOf: ["Always", "OnFailure", "Never"]),
                "serviceAccountName": S.string,
                "nodeSelector": S.stringMap,
                "tolerations": S.array(PodTemplateSchemas.toleration),
            ], required: ["containers"], preserveUnknownFields: true))
        let spec = S.object([
            "replicas": S.described(
                "How many Pods to run (1 when unset). A scaler or autoscaler trait that scales the Deployment "
                    + "takes over from it.",
                ["type": "integer", "format": "int32", "minimum": 0]),
            "podSpec": podSpec,
        ], required: ["podSpec"])
        let status = OAMSchemas.status([
            "conditions": OAMSchemas.conditions,
            "resources": S.described("The Deployment and Service made for the workload.",
                                     S.array(OAMSchemas.typedReference)),
            "replicas": S.described("The Deployment's Pods.", S.int64),
            "readyReplicas": S.described("Those of them ready.", S.int64),
        ])
        let crd = OAMCustomResourceDefinitions.crd(
            kind: PodSpecWorkload.kind, plural: PodSpecWorkload.plural, scope: .namespaced,
            shortNames: ["podspecworkload", "psw"],
            columns: [
                OAMCustomResourceDefinitions.column("REPLICAS", ".spec.replicas", type: "integer"),
                OAMCustomResourceDefinitions.column("READY", ".status.readyReplicas", type: "integer"),
                OAMCustomResourceDefinitions.column("SYNCED", ".status.conditions[?(@.type==\"Synced\")].status"),
                OAMCustomResourceDefinitions.ageColumn,
            ],
            spec: spec, status: status,
            description: "A pod spec and a replica count, run as a Deployment with a Service for its ports.",
            group: group, version: version)
        let definition = definition(kind: WorkloadDefinition.kind, name: PodSpecWorkload.definitionName, spec: [
            "definitionRef": ["name": .string(PodSpecWorkload.definitionName)],
            "childResourceKinds": [
                ["apiVersion": "apps/v1", "kind": "Deployment"],
                ["apiVersion": "v1", "kind": "Service"],
            ],
            "podSpecPath": "spec.podSpec",
        ])
        return StandardCatalogEntry(
            definition: definition, customResourceDefinition: crd,
            example: """
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata:
                  name: web
                spec:
                  workload:
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: PodSpecWorkload
                    spec:
                      replicas: 2
                      podSpec:
                        containers:
                        - name: web
                          image: nginx:1.27
                          ports:
                          - containerPort: 80
                  parameters:
                  - name: image
                    fieldPaths: ["spec.podSpec.containers[0].image"]
                """,
            summary: "A Deployment running the pod spec, with a ClusterIP Service for the ports its containers "
                + "declare.")
    }
}
