import OrderedCollections
public import Resources

/// `MetricsTrait` (`standard.oam.dev/v1alpha1`): has Prometheus scrape the workload through a
/// Prometheus Operator `monitoring.coreos.com/v1` ServiceMonitor, on the workload's Service that
/// exposes the metrics port or on a Service the trait makes.
///
/// Where the cluster does not serve ServiceMonitors (no Prometheus Operator CRDs), the Service is
/// still made and the trait's `Monitored` condition says why there is no ServiceMonitor; the
/// ServiceMonitor follows once the CRD is installed.
///
/// ```yaml
/// traits:
/// - trait:
///     apiVersion: standard.oam.dev/v1alpha1
///     kind: MetricsTrait
///     spec: {port: 9090, interval: 30s}
/// ```
public enum MetricsTrait {
    public static let kind = "MetricsTrait"
    public static let plural = "metricstraits"
    /// The TraitDefinition's name, `metricstraits.standard.oam.dev`.
    public static let definitionName = "\(plural).\(StandardCatalog.group)"
    /// `path` when the trait does not say.
    public static let defaultPath = "/metrics"
    /// `scheme` when the trait does not say.
    public static let defaultScheme = "http"
    /// The name of the port of a Service the trait makes.
    public static let servicePortName = "metrics"
    /// The workloads it applies to: those that run long-lived Pods.
    public static let appliesToWorkloads = RouteTrait.appliesToWorkloads
    /// The kind the trait makes.
    public static let serviceMonitorKind = GroupVersionKind(
        group: "monitoring.coreos.com", version: "v1", kind: "ServiceMonitor")

    /// The condition that tells whether the ServiceMonitor exists.
    public enum Monitored {
        public static let type = "Monitored"
        /// The ServiceMonitor is applied.
        public static let applied = "ServiceMonitorApplied"
        /// The cluster does not serve the ServiceMonitor kind.
        public static let notServed = "ServiceMonitorNotServed"
    }

    /// The metrics port (`spec.port`), `nil` when it is left to the workload.
    public static func port(of trait: Resource) -> Int64? {
        trait.valueIfPresent(at: "spec.port")?.intValue
    }

    /// The ServiceMonitor of `trait`, named after it: it selects `backend`'s Service by its
    /// labels, in the trait's namespace, and scrapes its port (by name when it has one, else by
    /// target port) at `spec.path` with `spec.scheme`, every `spec.interval` when set.
    public static func serviceMonitor(for trait: Resource, backend: TraitBackend) -> Resource {
        let spec = trait.spec ?? .emptyObject
        var monitor = Resource(
            apiVersion: serviceMonitorKind.apiVersion, kind: serviceMonitorKind.kind, name: trait.name,
            namespace: trait.namespace)
        monitor.labels = TraitBackend.ownedLabels(of: trait)
        if let owner = TraitBackend.ownerReference(to: trait) { monitor.ownerReferences = [owner] }

        var endpoint: JSONObject = [:]
        if let name = backend.portName {
            endpoint["port"] = .string(name)
        } else {
            endpoint["targetPort"] = backend.targetPort
        }
        endpoint["path"] = .string(spec["path"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath)
        endpoint["scheme"] = .string(spec["scheme"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? defaultScheme)
        if let interval = spec["interval"]?.stringValue, !interval.isEmpty { endpoint["interval"] = .string(interval) }

        let matchLabels = JSONObject(uniqueKeysWithValues: backend.serviceLabels.map { ($0.key, .string($0.value)) })
        var monitorSpec: JSONObject = ["selector": ["matchLabels": .object(matchLabels)]]
        if let namespace = trait.namespace { monitorSpec["namespaceSelector"] = ["matchNames": [.string(namespace)]] }
        monitorSpec["endpoints"] = [.object(endpoint)]
        monitor.spec = .object(monitorSpec)
        return monitor
    }

    /// Whether a ServiceMonitor can select `backend`'s Service: it has labels to select it by.
    public static func canSelect(_ backend: TraitBackend) -> Bool {
        !backend.serviceLabels.isEmpty
    }
}

extension StandardCatalog {
    /// `metricstraits.standard.oam.dev`.
    static var metricsTrait: StandardCatalogEntry {
        typealias S = SchemaNode
        let spec = S.object([
            "port": S.described(
                "The port serving metrics: a port of the workload's Service, or a container port (a Service is "
                    + "made for it); the first port of its Service when unset.", S.int32),
            "path": S.described("The HTTP path of the metrics.", ["type": "string", "default": "/metrics", "pattern": "^/"]),
            "interval": S.described(
                "How often Prometheus scrapes, as a Prometheus duration (30s, 1m); Prometheus's own when unset.",
                S.string(pattern: "^([0-9]+(ms|s|m|h|d|w|y))+$")),
            "scheme": S.described(
                "http (default) or https.", ["type": "string", "default": "http", "enum": ["http", "https"]]),
            "workloadRef": S.described("The workload scraped; the runtime fills it in.", OAMSchemas.typedReference),
        ])
        let status = OAMSchemas.status([
            "conditions": OAMSchemas.conditions,
            "serviceMonitor": S.described("The name of the ServiceMonitor made, once the cluster serves the kind.", S.string),
            "service": S.described("The Service scraped.", S.string),
            "port": S.described("The port of that Service.", S.int64),
        ])
        let monitored = ".status.conditions[?(@.type==\"\(MetricsTrait.Monitored.type)\")]"
        let crd = OAMCustomResourceDefinitions.crd(
            kind: MetricsTrait.kind, plural: MetricsTrait.plural, scope: .namespaced, shortNames: [],
            columns: [
                OAMCustomResourceDefinitions.column("SERVICE", ".status.service"),
                OAMCustomResourceDefinitions.column("PORT", ".status.port", type: "integer"),
                OAMCustomResourceDefinitions.column("PATH", ".spec.path"),
                OAMCustomResourceDefinitions.column("MONITORED", "\(monitored).status"),
                OAMCustomResourceDefinitions.column("REASON", "\(monitored).reason"),
                OAMCustomResourceDefinitions.ageColumn,
            ],
            spec: S.described("Where and how Prometheus scrapes the workload.", spec), status: status,
            description: "Has Prometheus scrape the workload through a Prometheus Operator ServiceMonitor.",
            group: group, version: version)
        let definition = definition(kind: TraitDefinition.kind, name: MetricsTrait.definitionName, spec: [
            "definitionRef": ["name": .string(MetricsTrait.definitionName)],
            "workloadRefPath": "spec.workloadRef",
            "appliesToWorkloads": .array(MetricsTrait.appliesToWorkloads.map(JSONValue.string)),
        ])
        return StandardCatalogEntry(
            definition: definition, customResourceDefinition: crd,
            example: """
                traits:
                - trait:
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: MetricsTrait
                    spec:
                      port: 9090
                      path: /metrics
                      interval: 30s
                """,
            summary: "A Prometheus Operator ServiceMonitor scraping the workload (and a Service when it has none "
                + "for the port); where ServiceMonitors are not served, a condition says so.")
    }
}
