public import OrderedCollections
public import Resources

/// The Service a trait sends to — a RouteTrait's Ingress backend, a MetricsTrait's scrape target:
/// one of the workload's own Services that exposes the wanted port, or else a Service the trait
/// makes itself, named after the trait and selecting the workload's Pods.
///
/// ```swift
/// let backend = try TraitBackend.choose(
///     for: trait, port: 8080, portPath: "spec.backend.port", portName: "http",
///     workloadServices: services, podSelector: ["app": "web"], containerPorts: [8080])
/// backend.service    // nil: the workload's Service `web` exposes 8080
/// ```
public struct TraitBackend: Sendable, Equatable {
    /// The name of the Service.
    public var serviceName: String
    /// The Service port (`spec.ports[].port`) that leads to the wanted port.
    public var port: Int64
    /// That port's name in the Service, when it has one.
    public var portName: String?
    /// The port on the Pods that Service port sends to (`targetPort`, the port itself when unset).
    public var targetPort: JSONValue
    /// The Service's labels, what a ServiceMonitor selects it by.
    public var serviceLabels: OrderedDictionary<String, String>
    /// The Service the trait makes, when none of the workload's exposes the port; `nil` when the
    /// trait uses one of the workload's.
    public var service: Resource?

    /// The label a Service made by a trait carries, with the trait's name: what tells it from the
    /// workload's own Services, and what a ServiceMonitor selects it by.
    public static let traitLabel = "standard.oam.dev/trait"

    public init(
        serviceName: String, port: Int64, portName: String?, targetPort: JSONValue,
        serviceLabels: OrderedDictionary<String, String>, service: Resource?
    ) {
        self.serviceName = serviceName
        self.port = port
        self.portName = portName
        self.targetPort = targetPort
        self.serviceLabels = serviceLabels
        self.service = service
    }

    /// Picks the Service `trait` sends to.
    ///
    /// - Parameters:
    ///   - port: the port the trait names (a Service port or a target port of the workload's
    ///     Services, a container port of its Pods); `nil`: the first port of the workload's
    ///     first Service (by name), else its Pods' first container port.
    ///   - portPath: where the trait holds that port, for messages (`spec.backend.port`).
    ///   - portName: the name of the port of a Service the trait makes (`http`, `metrics`).
    ///   - workloadServices: the workload's Services (its children of kind Service).
    ///   - podSelector: the labels of the workload's Pods; `nil` when they cannot be told.
    ///   - containerPorts: the ports the workload's containers declare, in order.
    /// - Throws: ``TraitBackendError`` when no port can be told, or no Service can be made
    ///   because the Pods cannot be told.
    public static func choose(
        for trait: Resource, port: Int64?, portPath: String, portName: String, workloadServices: [Resource],
        podSelector: OrderedDictionary<String, String>?, containerPorts: [Int64]
    ) throws(TraitBackendError) -> TraitBackend {
        let services = workloadServices.sorted { $0.name < $1.name }
        if let found = existing(in: services, port: port) { return found }

        guard let wanted = port ?? containerPorts.first else {
            throw TraitBackendError(
                path: portPath,
                message: "no port to send to: the workload has no Service and its containers declare no port; "
                    + "set \(portPath)")
        }
        guard let podSelector, !podSelector.isEmpty else {
            throw TraitBackendError(
                path: "spec.workloadRef",
                message: "cannot make a Service for port \(wanted): the Pods of the workload cannot be told "
                    + "(it has no pod template labels)")
        }
        var service = Resource(apiVersion: "v1", kind: "Service", name: trait.name, namespace: trait.namespace)
        service.labels = ownedLabels(of: trait)
        service.setLabel(traitLabel, trait.name)
        if let owner = ownerReference(to: trait) { service.ownerReferences = [owner] }
        service.spec = [
            "type": "ClusterIP",
            "selector": .object(JSONObject(uniqueKeysWithValues: podSelector.map { ($0.key, .string($0.value)) })),
            "ports": [["name": .string(portName), "port": .int(wanted), "targetPort": .int(wanted), "protocol": "TCP"]],
        ]
        return TraitBackend(
            serviceName: service.name, port: wanted, portName: portName, targetPort: .int(wanted),
            serviceLabels: service.labels, service: service)
    }

    /// The first Service port of `services` that is `port` or sends to it (any first port when
    /// `port` is `nil`).
    private static func existing(in services: [Resource], port: Int64?) -> TraitBackend? {
        func backend(_ service: Resource, _ entry: JSONValue) -> TraitBackend? {
            guard let number = entry["port"]?.intValue else { return nil }
            return TraitBackend(
                serviceName: service.name, port: number, portName: entry["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                targetPort: entry["targetPort"] ?? .int(number), serviceLabels: service.labels, service: nil)
        }
        let ports = services.flatMap { service in
            (service.spec?["ports"]?.arrayValue ?? []).map { (service, $0) }
        }
        guard let port else { return ports.first.flatMap(backend) }
        if let match = ports.first(where: { $0.1["port"]?.intValue == port }) { return backend(match.0, match.1) }
        if let match = ports.first(where: { $0.1["targetPort"]?.intValue == port }) { return backend(match.0, match.1) }
        return nil
    }

    /// The labels an object made by a trait copies from it: the application and component names.
    public static func ownedLabels(of trait: Resource) -> OrderedDictionary<String, String> {
        var labels: OrderedDictionary<String, String> = [:]
        for key in [OAM.Label.appName, OAM.Label.component] {
            if let value = trait.labels[key] { labels[key] = value }
        }
        return labels
    }

    /// The controller reference an object made by `trait` carries (garbage collection removes it
    /// with the trait); `nil` while the trait has no uid (offline rendering).
    public static func ownerReference(to trait: Resource) -> OwnerReference? {
        guard let uid = trait.uid, !uid.isEmpty else { return nil }
        return OwnerReference(
            apiVersion: trait.apiVersion, kind: trait.kind, name: trait.name, uid: uid, controller: true,
            blockOwnerDeletion: true)
    }
}

/// Why a trait's backend Service cannot be chosen: the field at fault and what to do.
public struct TraitBackendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The trait's field the problem is about, such as `spec.backend.port`.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
