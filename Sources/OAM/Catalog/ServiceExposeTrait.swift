public import OrderedCollections
public import Resources

/// `ServiceExposeTrait` (`standard.oam.dev/v1alpha1`): a Service, named after the trait,
/// selecting the workload's Pods on the ports it lists, of type ClusterIP (default), NodePort or
/// LoadBalancer.
///
/// ```yaml
/// traits:
/// - trait:
///     apiVersion: standard.oam.dev/v1alpha1
///     kind: ServiceExposeTrait
///     metadata: {name: web}          # the Service's name (and DNS name)
///     spec: {type: NodePort, ports: [{port: 80, targetPort: 8080}]}
/// ```
public enum ServiceExposeTrait {
    public static let kind = "ServiceExposeTrait"
    public static let plural = "serviceexposetraits"
    /// The TraitDefinition's name, `serviceexposetraits.standard.oam.dev`.
    public static let definitionName = "\(plural).\(StandardCatalog.group)"
    /// The kind of the trait.
    public static let traitKind = GroupVersionKind(group: StandardCatalog.group, version: StandardCatalog.version, kind: kind)
    /// The kind the trait makes.
    public static let serviceKind = GroupVersionKind(group: "", version: "v1", kind: "Service")
    /// The Service types it makes.
    public static let types = ["ClusterIP", "NodePort", "LoadBalancer"]
    /// The protocols a port may have.
    public static let protocols = ["TCP", "UDP", "SCTP"]
    /// The workloads it applies to: those that run Pods serving traffic.
    public static let appliesToWorkloads = [
        "containerizedworkloads.core.oam.dev", "podspecworkloads.standard.oam.dev", "deployments.apps",
        "statefulsets.apps", "daemonsets.apps",
    ]

    /// The Service of `trait`, named after it, sending its ports to the Pods with the labels
    /// `selector`.
    ///
    /// Each port's `targetPort` is its `port` and its `protocol` TCP when unset; when there are
    /// several ports, one without a name is named `<protocol>-<port>` (`tcp-80`), since a Service
    /// needs a name for each of several ports.
    ///
    /// - Throws: ``CatalogFieldError`` for no ports, a port out of 1–65535, an unknown type or
    ///   protocol, or two ports of one name.
    public static func service(
        for trait: Resource, selector: OrderedDictionary<String, String>
    ) throws(CatalogFieldError) -> Resource {
        let type = trait.spec?["type"]?.stringValue ?? "ClusterIP"
        guard types.contains(type) else {
            throw CatalogFieldError(
                path: "spec.type", message: "must be one of \(types.joined(separator: ", ")), found \"\(type)\"")
        }
        let entries = trait.spec?["ports"]?.arrayValue ?? []
        guard !entries.isEmpty else {
            throw CatalogFieldError(path: "spec.ports", message: "list at least one port to expose")
        }
        var ports: [JSONValue] = []
        var names: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let path = "spec.ports[\(index)]"
            guard let port = entry["port"]?.intValue, (1...65535).contains(port) else {
                throw CatalogFieldError(path: "\(path).port", message: "must be a port number from 1 to 65535")
            }
            let proto = entry["protocol"]?.stringValue ?? "TCP"
            guard protocols.contains(proto) else {
                throw CatalogFieldError(
                    path: "\(path).protocol",
                    message: "must be one of \(protocols.joined(separator: ", ")), found \"\(proto)\"")
            }
            var targetPort = JSONValue.int(port)
            switch entry["targetPort"] {
            case nil, .null?: break
            case .int(let number)? where (1...65535).contains(number): targetPort = .int(number)
            case .string(let name)? where !name.isEmpty:
                targetPort = Int64(name).map(JSONValue.int) ?? .string(name)
            default:
                throw CatalogFieldError(
                    path: "\(path).targetPort", message: "must be a port number from 1 to 65535 or a container port's name")
            }
            var name = entry["name"]?.stringValue ?? ""
            if name.isEmpty, entries.count > 1 { name = "\(proto.lowercased())-\(port)" }
            if !name.isEmpty {
                guard names.insert(name).inserted else {
                    throw CatalogFieldError(path: "\(path).name", message: "another port is named \"\(name)\" already")
                }
            }
            var rendered: JSONObject = [:]
            if !name.isEmpty { rendered["name"] = .string(name) }
            rendered["port"] = .int(port)
            rendered["targetPort"] = targetPort
            rendered["protocol"] = .string(proto)
            ports.append(.object(rendered))
        }
        var service = TraitProducedObject.make(serviceKind, by: trait)
        service.spec = [
            "type": .string(type),
            "selector": .object(JSONObject(uniqueKeysWithValues: selector.map { ($0.key, .string($0.value)) })),
            "ports": .array(ports),
        ]
        return service
    }

    /// What the trait's status shows of its Service: its name, type and cluster IP, the node
    /// ports the API server chose (NodePort, LoadBalancer) and the load balancer's addresses.
    public static func statusFields(of service: Resource) -> JSONObject {
        var fields: JSONObject = ["service": .string(service.name)]
        if let type = service.spec?["type"]?.stringValue { fields["type"] = .string(type) }
        if let clusterIP = service.spec?["clusterIP"]?.stringValue { fields["clusterIP"] = .string(clusterIP) }
        let nodePorts: [JSONValue] = (service.spec?["ports"]?.arrayValue ?? []).compactMap { port in
            guard let nodePort = port["nodePort"]?.intValue, let number = port["port"]?.intValue else { return nil }
            var entry: JSONObject = [:]
            if let name = port["name"]?.stringValue { entry["name"] = .string(name) }
            entry["port"] = .int(number)
            entry["nodePort"] = .int(nodePort)
            return .object(entry)
        }
        if !nodePorts.isEmpty { fields["nodePorts"] = .array(nodePorts) }
        let addresses: [JSONValue] = (service.status?["loadBalancer"]?["ingress"]?.arrayValue ?? []).compactMap {
            ($0["ip"]?.stringValue ?? $0["hostname"]?.stringValue).map(JSONValue.string)
        }
        if !addresses.isEmpty { fields["loadBalancer"] = .array(addresses) }
        return fields
    }
}

extension StandardCatalog {
    /// `serviceexposetraits.standard.oam.dev`.
    static var serviceExposeTrait: StandardCatalogEntry {
        typealias S = SchemaNode
        let spec = S.object([
            "type": S.described(
                "How the Service is reached: ClusterIP (inside the cluster, default), NodePort (also on a port "
                    + "of every node) or LoadBalancer (also through a cloud load balancer).",
                ["type": "string", "default": "ClusterIP", "enum": ["ClusterIP", "NodePort", "LoadBalancer"]]),
            "ports": S.described("The ports the Service exposes.", S.array(S.object([
                "port": S.described("The port the Service listens on.",
                                    ["type": "integer", "format": "int32", "minimum": 1, "maximum": 65535]),
                "targetPort": S.described(
                    "The Pods' port it sends to (a number or a container port's name); the port when unset.",
                    S.intOrString),
                "protocol": S.described("TCP (default), UDP or SCTP.", S.string(oneOf: ServiceExposeTrait.protocols)),
                "name": S.described(
                    "The port's name; needed when there are several (<protocol>-<port> when unset).", S.string),
            ], required: ["port"]))),
            "workloadRef": S.described("The workload whose Pods to expose; the runtime fills it in.",
                                       OAMSchemas.typedReference),
        ], required: ["ports"])
        let status = OAMSchemas.status([
            "conditions": OAMSchemas.conditions,
            "service": S.described("The name of the Service made (the trait's name).", S.string),
            "type": S.described("Its type.", S.string),
            "clusterIP": S.described("Its cluster IP.", S.string),
            "nodePorts": S.described("The node ports the API server chose.", S.array(S.object([
                "name": S.string, "port": S.int64, "nodePort": S.int64,
            ]))),
            "loadBalancer": S.described("The load balancer's addresses, once one reports.", S.strings),
        ])
        let crd = OAMCustomResourceDefinitions.crd(
            kind: ServiceExposeTrait.kind, plural: ServiceExposeTrait.plural, scope: .namespaced,
            shortNames: ["exposetrait"],
            columns: [
                OAMCustomResourceDefinitions.column("SERVICE", ".status.service"),
                OAMCustomResourceDefinitions.column("TYPE", ".spec.type"),
                OAMCustomResourceDefinitions.column("CLUSTER-IP", ".status.clusterIP"),
                OAMCustomResourceDefinitions.ageColumn,
            ],
            spec: spec, status: status,
            description: "Exposes the workload's Pods through a Service.",
            group: group, version: version)
        let definition = definition(kind: TraitDefinition.kind, name: ServiceExposeTrait.definitionName, spec: [
            "definitionRef": ["name": .string(ServiceExposeTrait.definitionName)],
            "workloadRefPath": "spec.workloadRef",
            "appliesToWorkloads": .array(ServiceExposeTrait.appliesToWorkloads.map(JSONValue.string)),
        ])
        return StandardCatalogEntry(
            definition: definition, customResourceDefinition: crd,
            example: """
                traits:
                - trait:
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: ServiceExposeTrait
                    metadata:
                      name: web
                    spec:
                      type: NodePort
                      ports:
                      - port: 80
                        targetPort: 8080
                """,
            summary: "A Service (ClusterIP, NodePort or LoadBalancer) named after the trait, selecting the "
                + "workload's Pods on the ports listed.")
    }
}
