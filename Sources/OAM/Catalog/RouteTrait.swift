import OrderedCollections
public import Resources

/// `RouteTrait` (`standard.oam.dev/v1alpha1`): routes a host and path to the workload through a
/// `networking.k8s.io/v1` Ingress, with TLS from a Secret and an ingress class when asked; the
/// backend is the workload's Service that exposes the port, or a Service the trait makes.
///
/// ```yaml
/// traits:
/// - trait:
///     apiVersion: standard.oam.dev/v1alpha1
///     kind: RouteTrait
///     spec: {host: shop.example.com, backend: {port: 8080}}
/// ```
public enum RouteTrait {
    public static let kind = "RouteTrait"
    public static let plural = "routetraits"
    /// The TraitDefinition's name, `routetraits.standard.oam.dev`.
    public static let definitionName = "\(plural).\(StandardCatalog.group)"
    /// `path` when the trait does not say.
    public static let defaultPath = "/"
    /// `pathType` when the trait does not say.
    public static let defaultPathType = "Prefix"
    /// The name of the port of a Service the trait makes.
    public static let servicePortName = "http"
    /// The workloads it applies to: those that run Pods serving traffic (not Jobs).
    public static let appliesToWorkloads = [
        "deployments.apps", "statefulsets.apps", "daemonsets.apps", "containerizedworkloads.core.oam.dev",
        "podspecworkloads.standard.oam.dev",
    ]
    /// The kind the trait makes.
    public static let ingressKind = GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "Ingress")

    /// The port the trait routes to (`spec.backend.port`), `nil` when it leaves it to the workload.
    public static func port(of trait: Resource) -> Int64? {
        trait.valueIfPresent(at: "spec.backend.port")?.intValue
    }

    /// The hosts the route answers for (none: every host).
    public static func hosts(of trait: Resource) -> [String] {
        guard let host = trait.valueIfPresent(at: "spec.host")?.stringValue, !host.isEmpty else { return [] }
        return [host]
    }

    /// The Ingress of `trait`, named after it, sending `spec.host` + `spec.path` to `backend`.
    ///
    /// The Ingress carries the trait's `spec.annotations`, the application and component labels
    /// and a controller reference to the trait (when it has a uid).
    public static func ingress(for trait: Resource, backend: TraitBackend) -> Resource {
        let spec = trait.spec ?? .emptyObject
        var ingress = Resource(
            apiVersion: ingressKind.apiVersion, kind: ingressKind.kind, name: trait.name, namespace: trait.namespace)
        ingress.labels = TraitBackend.ownedLabels(of: trait)
        for (key, value) in spec["annotations"]?.objectValue ?? [:] {
            if let value = value.stringValue { ingress.setAnnotation(key, value) }
        }
        if let owner = TraitBackend.ownerReference(to: trait) { ingress.ownerReferences = [owner] }

        let path = spec["path"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
        let pathType = spec["pathType"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? defaultPathType
        let httpPath: JSONValue = [
            "path": .string(path), "pathType": .string(pathType),
            "backend": ["service": ["name": .string(backend.serviceName), "port": ["number": .int(backend.port)]]],
        ]
        var rule: JSONObject = [:]
        let hosts = hosts(of: trait)
        if let host = hosts.first { rule["host"] = .string(host) }
        rule["http"] = ["paths": [httpPath]]

        var ingressSpec: JSONObject = [:]
        if let className = spec["ingressClassName"]?.stringValue, !className.isEmpty {
            ingressSpec["ingressClassName"] = .string(className)
        }
        if let secret = spec["tls"]?["secretName"]?.stringValue, !secret.isEmpty {
            var tls: JSONObject = [:]
            if !hosts.isEmpty { tls["hosts"] = .array(hosts.map(JSONValue.string)) }
            tls["secretName"] = .string(secret)
            ingressSpec["tls"] = [.object(tls)]
        }
        ingressSpec["rules"] = [.object(rule)]
        ingress.spec = .object(ingressSpec)
        return ingress
    }

    /// The first load balancer address of a live Ingress (an IP, else a host name), if any.
    public static func address(of ingress: Resource) -> String? {
        for entry in ingress.valueIfPresent(at: "status.loadBalancer.ingress")?.arrayValue ?? [] {
            if let ip = entry["ip"]?.stringValue, !ip.isEmpty { return ip }
            if let hostname = entry["hostname"]?.stringValue, !hostname.isEmpty { return hostname }
        }
        return nil
    }
}

extension StandardCatalog {
    /// `routetraits.standard.oam.dev`.
    static var routeTrait: StandardCatalogEntry {
        typealias S = SchemaNode
        let spec = S.object([
            "host": S.described(
                "The host name the route answers for; every host when unset.", S.string),
            "path": S.described(
                "The path routed to the workload.", ["type": "string", "default": "/", "pattern": "^/"]),
            "pathType": S.described(
                "How the path matches: Prefix (default), Exact or ImplementationSpecific.",
                ["type": "string", "default": "Prefix", "enum": ["Prefix", "Exact", "ImplementationSpecific"]]),
            "tls": S.described(
                "Serve TLS for the host with the certificate and key of a kubernetes.io/tls Secret.",
                S.object(["secretName": S.described("The Secret's name, in the trait's namespace.", S.string)],
                         required: ["secretName"])),
            "backend": S.described(
                "Where requests go.",
                S.object(["port": S.described(
                    "The workload's port: a port of its Service, or a container port (a Service is made for it); "
                        + "the first port of its Service when unset.", S.int32)])),
            "ingressClassName": S.described(
                "The IngressClass that serves the route; the cluster's default class when unset.", S.string),
            "annotations": S.described(
                "Annotations of the Ingress, for the ingress controller (e.g. cert-manager.io/cluster-issuer).",
                S.stringMap),
            "workloadRef": S.described("The workload routed to; the runtime fills it in.", OAMSchemas.typedReference),
        ])
        let status = OAMSchemas.status([
            "conditions": OAMSchemas.conditions,
            "ingress": S.described("The name of the Ingress made.", S.string),
            "hosts": S.described("The hosts the Ingress answers for.", S.strings),
            "service": S.described("The Service the Ingress sends to.", S.string),
            "port": S.described("The port of that Service.", S.int64),
            "address": S.described("The Ingress's load balancer address, once its controller reports one.", S.string),
        ])
        let crd = OAMCustomResourceDefinitions.crd(
            kind: RouteTrait.kind, plural: RouteTrait.plural, scope: .namespaced, shortNames: [],
            columns: [
                OAMCustomResourceDefinitions.column("HOST", ".spec.host"),
                OAMCustomResourceDefinitions.column("PATH", ".spec.path"),
                OAMCustomResourceDefinitions.column("SERVICE", ".status.service"),
                OAMCustomResourceDefinitions.column("PORT", ".status.port", type: "integer"),
                OAMCustomResourceDefinitions.column("ADDRESS", ".status.address"),
                OAMCustomResourceDefinitions.ageColumn,
            ],
            spec: S.described("Which host and path lead to the workload, and how.", spec), status: status,
            description: "Routes a host and path to the workload through an Ingress.",
            group: group, version: version)
        let definition = definition(kind: TraitDefinition.kind, name: RouteTrait.definitionName, spec: [
            "definitionRef": ["name": .string(RouteTrait.definitionName)],
            "workloadRefPath": "spec.workloadRef",
            "appliesToWorkloads": .array(RouteTrait.appliesToWorkloads.map(JSONValue.string)),
        ])
        return StandardCatalogEntry(
            definition: definition, customResourceDefinition: crd,
            example: """
                traits:
                - trait:
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: RouteTrait
                    spec:
                      host: shop.example.com
                      path: /
                      tls: {secretName: shop-tls}
                      backend: {port: 8080}
                """,
            summary: "An Ingress for a host and path to the workload (and a Service when it has none for the port).")
    }
}
