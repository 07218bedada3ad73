import OrderedCollections
import OAM
import Resources
import Testing

/// The pure parts of RouteTrait and MetricsTrait: which Service a trait sends to, the Ingress
/// and the ServiceMonitor it renders, and their catalog entries.
@Suite("RouteTrait and MetricsTrait rendering")
struct RouteAndMetricsTraitTests {
    static let route = """
        apiVersion: standard.oam.dev/v1alpha1
        kind: RouteTrait
        metadata:
          name: web-route
          namespace: shop
          uid: 1111-route
          labels: {app.oam.dev/name: shop, app.oam.dev/component: web, unrelated: x}
        spec:
          host: shop.example.com
          backend: {port: 8080}
          workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        """

    static let metrics = """
        apiVersion: standard.oam.dev/v1alpha1
        kind: MetricsTrait
        metadata:
          name: web-metrics
          namespace: shop
          uid: 2222-metrics
          labels: {app.oam.dev/name: shop, app.oam.dev/component: web}
        spec:
          port: 9090
          interval: 15s
          workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        """

    /// A Service of the workload, as a ContainerizedWorkload's.
    static func service(_ name: String, ports: [JSONValue], labels: [String: String] = ["app": "web"]) throws -> Resource {
        var service = try object("""
            apiVersion: v1
            kind: Service
            metadata: {name: \(name), namespace: shop}
            spec: {selector: {app: web}}
            """)
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) { service.setLabel(key, value) }
        service.spec?["ports"] = .array(ports)
        return service
    }

    // MARK: Backend

    @Test("a workload Service exposing the port, as port or as target port, is used and none is made")
    func usesTheWorkloadsService() throws {
        let trait = try object(Self.route)
        let services = [
            try Self.service("web-admin", ports: [["port": 9000, "targetPort": 9000]]),
            try Self.service("web", ports: [["name": "http", "port": 80, "targetPort": 8080]]),
        ]
        let byTarget = try TraitBackend.choose(
            for: trait, port: 8080, portPath: "spec.backend.port", portName: "http", workloadServices: services,
            podSelector: ["app": "web"], containerPorts: [8080])
        #expect(byTarget.service == nil)
        #expect(byTarget.serviceName == "web")
        #expect(byTarget.port == 80)
        #expect(byTarget.portName == "http")

        let byPort = try TraitBackend.choose(
            for: trait, port: 9000, portPath: "spec.backend.port", portName: "http", workloadServices: services,
            podSelector: ["app": "web"], containerPorts: [])
        #expect(byPort.serviceName == "web-admin" && byPort.port == 9000 && byPort.portName == nil)

        // No port asked: the first port of the first Service by name.
        let first = try TraitBackend.choose(
            for: trait, port: nil, portPath: "spec.backend.port", portName: "http", workloadServices: services,
            podSelector: nil, containerPorts: [])
        #expect(first.serviceName == "web" && first.port == 80)
    }

    @Test("without a Service for the port, one named after the trait selects the workload's Pods")
    func makesAService() throws {
        let trait = try object(Self.route)
        let backend = try TraitBackend.choose(
            for: trait, port: 8080, portPath: "spec.backend.port", portName: "http",
            workloadServices: [try Self.service("web", ports: [["port": 80, "targetPort": 80]])],
            podSelector: ["app": "web", "tier": "front"], containerPorts: [80, 8080])
        let service = try #require(backend.service)
        #expect(backend.serviceName == "web-route" && backend.port == 8080 && backend.portName == "http")
        #expect(service.value == (try object("""
            apiVersion: v1
            kind: Service
            metadata:
              name: web-route
              namespace: shop
              labels: {app.oam.dev/name: shop, app.oam.dev/component: web, standard.oam.dev/trait: web-route}
              ownerReferences:
              - {apiVersion: standard.oam.dev/v1alpha1, kind: RouteTrait, name: web-route, uid: 1111-route, controller: true, blockOwnerDeletion: true}
            spec:
              type: ClusterIP
              selector: {app: web, tier: front}
              ports: [{name: http, port: 8080, targetPort: 8080, protocol: TCP}]
            """)).value)
        #expect(backend.serviceLabels["standard.oam.dev/trait"] == "web-route")

        // No port asked and no Service: the first container port.
        let fromContainers = try TraitBackend.choose(
            for: trait, port: nil, portPath: "spec.backend.port", portName: "http", workloadServices: [],
            podSelector: ["app": "web"], containerPorts: [3000, 3001])
        #expect(fromContainers.port == 3000)
    }

    @Test("no port anywhere, or Pods that cannot be told, is an error naming the field")
    func backendErrors() throws {
        let trait = try object(Self.route)
        #expect(throws: TraitBackendError.self) {
            try TraitBackend.choose(
                for: trait, port: nil, portPath: "spec.backend.port", portName: "http", workloadServices: [],
                podSelector: ["app": "web"], containerPorts: [])
        }
        do {
            _ = try TraitBackend.choose(
                for: trait, port: nil, portPath: "spec.backend.port", portName: "http", workloadServices: [],
                podSelector: ["app": "web"], containerPorts: [])
        } catch {
            #expect(error.path == "spec.backend.port")
            #expect(error.description.contains("set spec.backend.port"))
        }
        do {
            _ = try TraitBackend.choose(
                for: trait, port: 8080, portPath: "spec.backend.port", portName: "http", workloadServices: [],
                podSelector: nil, containerPorts: [])
            Issue.record("a Service without a selector was made")
        } catch {
            #expect(error.path == "spec.workloadRef")
        }
    }

    // MARK: Ingress

    @Test("the Ingress routes host and path to the backend, with TLS, class and annotations")
    func ingress() throws {
        var trait = try object(Self.route)
        trait.spec?["path"] = "/api"
        trait.spec?["pathType"] = "Exact"
        trait.spec?["tls"] = ["secretName": "shop-tls"]
        trait.spec?["ingressClassName"] = "nginx"
        trait.spec?["annotations"] = ["cert-manager.io/cluster-issuer": "letsencrypt"]
        let backend = TraitBackend(
            serviceName: "web", port: 80, portName: "http", targetPort: 8080, serviceLabels: [:], service: nil)
        let ingress = RouteTrait.ingress(for: trait, backend: backend)
        #expect(ingress.value == (try object("""
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: web-route
              namespace: shop
              labels: {app.oam.dev/name: shop, app.oam.dev/component: web}
              annotations: {cert-manager.io/cluster-issuer: letsencrypt}
              ownerReferences:
              - {apiVersion: standard.oam.dev/v1alpha1, kind: RouteTrait, name: web-route, uid: 1111-route, controller: true, blockOwnerDeletion: true}
            spec:
              ingressClassName: nginx
              tls: [{hosts: [shop.example.com], secretName: shop-tls}]
              rules:
              - host: shop.example.com
                http:
                  paths:
                  - path: /api
                    pathType: Exact
                    backend: {service: {name: web, port: {number: 80}}}
            """)).value)
        #expect(RouteTrait.hosts(of: trait) == ["shop.example.com"])
    }

    @Test("without a host the Ingress answers every host, on path / by prefix")
    func ingressDefaults() throws {
        var trait = try object(Self.route)
        trait.spec?["host"] = nil
        let backend = TraitBackend(
            serviceName: "web-route", port: 8080, portName: "http", targetPort: 8080, serviceLabels: [:], service: nil)
        let ingress = RouteTrait.ingress(for: trait, backend: backend)
        #expect(ingress.spec == [
            "rules": [["http": ["paths": [[
                "path": "/", "pathType": "Prefix",
                "backend": ["service": ["name": "web-route", "port": ["number": 8080]]],
            ]]]]],
        ])
        #expect(RouteTrait.hosts(of: trait).isEmpty)
        #expect(ingress.annotations.isEmpty)
    }

    @Test("the load balancer address is the first IP or host name of the Ingress status")
    func address() throws {
        var ingress = Resource(apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "web-route")
        #expect(RouteTrait.address(of: ingress) == nil)
        ingress.status = ["loadBalancer": ["ingress": [["hostname": "lb.example.net"], ["ip": "10.0.0.9"]]]]
        #expect(RouteTrait.address(of: ingress) == "lb.example.net")
        ingress.status = ["loadBalancer": ["ingress": [["ip": "10.0.0.9"]]]]
        #expect(RouteTrait.address(of: ingress) == "10.0.0.9")
    }

    // MARK: ServiceMonitor

    @Test("the ServiceMonitor selects the Service by its labels and scrapes its named port")
    func serviceMonitor() throws {
        let trait = try object(Self.metrics)
        let backend = try TraitBackend.choose(
            for: trait, port: 9090, portPath: "spec.port", portName: "metrics", workloadServices: [],
            podSelector: ["app": "web"], containerPorts: [8080, 9090])
        let monitor = MetricsTrait.serviceMonitor(for: trait, backend: backend)
        #expect(monitor.value == (try object("""
            apiVersion: monitoring.coreos.com/v1
            kind: ServiceMonitor
            metadata:
              name: web-metrics
              namespace: shop
              labels: {app.oam.dev/name: shop, app.oam.dev/component: web}
              ownerReferences:
              - {apiVersion: standard.oam.dev/v1alpha1, kind: MetricsTrait, name: web-metrics, uid: 2222-metrics, controller: true, blockOwnerDeletion: true}
            spec:
              selector:
                matchLabels: {app.oam.dev/name: shop, app.oam.dev/component: web, standard.oam.dev/trait: web-metrics}
              namespaceSelector: {matchNames: [shop]}
              endpoints: [{port: metrics, path: /metrics, scheme: http, interval: 15s}]
            """)).value)
        #expect(MetricsTrait.canSelect(backend))
    }

    @Test("an unnamed port of the workload's Service is scraped by target port; a Service without labels cannot be selected")
    func serviceMonitorByTargetPort() throws {
        var trait = try object(Self.metrics)
        trait.spec?["path"] = "/stats"
        trait.spec?["scheme"] = "https"
        trait.spec?["interval"] = nil
        let service = try Self.service("web", ports: [["port": 9090, "targetPort": 9091]])
        let backend = try TraitBackend.choose(
            for: trait, port: 9090, portPath: "spec.port", portName: "metrics", workloadServices: [service],
            podSelector: ["app": "web"], containerPorts: [])
        #expect(backend.service == nil)
        let monitor = MetricsTrait.serviceMonitor(for: trait, backend: backend)
        #expect(monitor.valueIfPresent(at: "spec.endpoints") == [["targetPort": 9091, "path": "/stats", "scheme": "https"]])
        #expect(monitor.valueIfPresent(at: "spec.selector.matchLabels") == ["app": "web"])

        let unlabelled = try Self.service("web", ports: [["port": 9090]], labels: [:])
        let bare = try TraitBackend.choose(
            for: trait, port: 9090, portPath: "spec.port", portName: "metrics", workloadServices: [unlabelled],
            podSelector: ["app": "web"], containerPorts: [])
        #expect(!MetricsTrait.canSelect(bare))
    }

    // MARK: Catalog entries

    @Test("both entries are traits of standard.oam.dev/v1alpha1 with structural CRDs, defaults and a workloadRef path")
    func entries() throws {
        for (name, kind) in [(RouteTrait.definitionName, RouteTrait.kind), (MetricsTrait.definitionName, MetricsTrait.kind)] {
            let entry = try #require(StandardCatalog.entries.first { $0.definition.name == name })
            #expect(entry.definition.kind == "TraitDefinition")
            #expect(entry.definition.spec?["workloadRefPath"] == "spec.workloadRef")
            #expect(entry.definition.spec?["definitionRef"]?["name"]?.stringValue == name)
            let appliesTo = entry.definition.spec?["appliesToWorkloads"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(appliesTo.contains("deployments.apps") && appliesTo.contains("containerizedworkloads.core.oam.dev"))
            #expect(!appliesTo.contains("jobs.batch"))
            let crd = try #require(entry.customResourceDefinition)
            #expect(crd.name == name)
            #expect(crd.spec?["group"] == "standard.oam.dev")
            #expect(crd.spec?["names"]?["kind"]?.stringValue == kind)
            let version = try #require(crd.spec?["versions"]?[0])
            #expect(version["name"] == "v1alpha1")
            #expect(version["subresources"] == ["status": [:]])
            #expect(!entry.summary.isEmpty && entry.example.contains("kind: \(kind)"))
            #expect(OAMCustomResourceDefinitions.all.contains { $0.name == name })
            #expect(BuiltinDefinitions.all.contains { $0.name == name })
        }
        let routeSpec = try #require(
            StandardCatalog.entries.first { $0.definition.name == RouteTrait.definitionName }?
                .customResourceDefinition?.valueIfPresent(at: "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties"))
        #expect(routeSpec["path"]?["default"] == "/")
        #expect(routeSpec["pathType"]?["default"] == "Prefix")
        let metricsSpec = try #require(
            StandardCatalog.entries.first { $0.definition.name == MetricsTrait.definitionName }?
                .customResourceDefinition?.valueIfPresent(at: "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties"))
        #expect(metricsSpec["path"]?["default"] == "/metrics")
        #expect(metricsSpec["scheme"]?["default"] == "http")
    }

    @Test("each entry's example is a valid AppConfig trait entry")
    func examplesParse() throws {
        for name in [RouteTrait.definitionName, MetricsTrait.definitionName] {
            let entry = try #require(StandardCatalog.entries.first { $0.definition.name == name })
            let traits = try object(entry.example)
            let trait = try #require(traits.object["traits"]?[0]?["trait"])
            #expect(trait["apiVersion"] == "standard.oam.dev/v1alpha1")
        }
    }
}
