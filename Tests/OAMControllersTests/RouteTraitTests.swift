@testable import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// Kinds the catalog's traffic traits' tests use.
enum TrafficTraitKinds {
    static let routeTrait = GroupVersionKind(group: StandardCatalog.group, version: StandardCatalog.version, kind: RouteTrait.kind)
    static let metricsTrait = GroupVersionKind(
        group: StandardCatalog.group, version: StandardCatalog.version, kind: MetricsTrait.kind)
    static let ingress = RouteTrait.ingressKind
    static let serviceMonitor = MetricsTrait.serviceMonitorKind
    static let service = GroupVersionKind(group: "", version: "v1", kind: "Service")
}

extension Runtime {
    /// Whether a full resync of the test's controllers, once worked through, writes none of `objects`.
    func resyncLeavesUnwritten(_ objects: [(GroupVersionKind, String)]) async throws -> Bool {
        func versions() async throws -> [String?] {
            var versions: [String?] = []
            for (kind, name) in objects { versions.append(try await get(kind, name)?.resourceVersion) }
            return versions
        }
        await manager.waitUntilIdle()
        let before = try await versions()
        await manager.resync()
        await manager.waitUntilIdle()
        return try await versions() == before
    }

    /// Puts the AppConfig `name`'s first component's traits to `traits` (YAML flow list).
    func setTraits(of name: String, _ traits: JSONValue) async throws {
        try await edit(Kinds.appConfig, name) { appConfig in
            try appConfig.setValue(traits, at: "spec.components[0].traits")
        }
    }
}

/// The `Synced` condition of an object.
func syncedCondition(of object: Resource) -> JSONValue? {
    object.status?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Synced" }
}

/// RouteTrait end to end: through a Component and an AppConfig, the trait's Ingress (and the
/// Service it makes when the workload has none for the port) appear with the right fields,
/// follow edits, go with the trait, and a resync writes nothing.
@Suite("RouteTrait")
struct RouteTraitTests {
    static let component = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: core.oam.dev/v1alpha2
            kind: ContainerizedWorkload
            spec:
              containers:
              - name: web
                image: "nginx:1.27"
                ports: [{name: http, containerPort: 8080}]
        """

    static func appConfig(traits: String) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            traits: \(traits)
        """
    }

    static func route(_ spec: String) -> JSONValue {
        ["trait": [
            "apiVersion": "standard.oam.dev/v1alpha1", "kind": "RouteTrait", "metadata": ["name": "web-route"],
            "spec": (try? JSONValue(parsingJSON: spec)) ?? .emptyObject,
        ]]
    }

    @Test("a RouteTrait's Ingress routes to the workload's Service, follows edits, makes a Service for another port and goes with the trait",
          arguments: Substrate.available)
    func routesThroughAnAppConfig(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.component)
            try await runtime.create(Self.appConfig(traits: """
                [{trait: {apiVersion: standard.oam.dev/v1alpha1, kind: RouteTrait, metadata: {name: web-route},
                  spec: {host: shop.example.com, backend: {port: 8080}, annotations: {example.com/owner: shop}}}}]
                """))
            let ingress = try await runtime.waitFor(TrafficTraitKinds.ingress, "web-route")
            #expect(ingress.valueIfPresent(at: "spec.rules") == [[
                "host": "shop.example.com",
                "http": ["paths": [[
                    "path": "/", "pathType": "Prefix",
                    "backend": ["service": ["name": "web", "port": ["number": 8080]]],
                ]]],
            ]])
            #expect(ingress.annotations["example.com/owner"] == "shop")
            #expect(ingress.labels["app.oam.dev/name"] == "shop" && ingress.labels["app.oam.dev/component"] == "web")
            #expect(ingress.controllerReference?.kind == "RouteTrait" && ingress.controllerReference?.name == "web-route")
            let trait = try await runtime.waitFor(TrafficTraitKinds.routeTrait, "web-route") {
                syncedCondition(of: $0)?["reason"] == "ReconcileSuccess"
            }
            #expect(trait.status?["ingress"] == "web-route")
            #expect(trait.status?["hosts"] == ["shop.example.com"])
            #expect(trait.status?["service"] == "web")
            #expect(trait.status?["port"] == 8080)
            #expect(try await runtime.get(TrafficTraitKinds.service, "web-route") == nil, "the workload's Service serves 8080")
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([
                (TrafficTraitKinds.ingress, "web-route"), (TrafficTraitKinds.routeTrait, "web-route"),
            ]) })

            // A port the workload's Service does not expose: the trait makes a Service for it.
            try await runtime.setTraits(of: "shop", [Self.route(#"""
                {"host": "api.example.com", "path": "/v2", "tls": {"secretName": "api-tls"}, "backend": {"port": 9090}}
                """#)])
            let edited = try await runtime.waitFor(TrafficTraitKinds.ingress, "web-route") {
                $0.valueIfPresent(at: "spec.rules[0].host") == "api.example.com"
            }
            #expect(edited.valueIfPresent(at: "spec.rules[0].http.paths[0].path") == "/v2")
            #expect(edited.valueIfPresent(at: "spec.rules[0].http.paths[0].backend.service") == [
                "name": "web-route", "port": ["number": 9090],
            ])
            #expect(edited.valueIfPresent(at: "spec.tls") == [["hosts": ["api.example.com"], "secretName": "api-tls"]])
            #expect(edited.annotations["example.com/owner"] == nil, "an annotation the trait no longer asks for is gone")
            let service = try await runtime.waitFor(TrafficTraitKinds.service, "web-route")
            let workloadService = try #require(try await runtime.get(TrafficTraitKinds.service, "web"))
            #expect(service.spec?["selector"] == workloadService.spec?["selector"], "the Service selects the workload's Pods")
            #expect(service.valueIfPresent(at: "spec.ports[0].port") == 9090)
            #expect(service.valueIfPresent(at: "spec.ports[0].targetPort") == 9090)
            #expect(service.controllerReference?.name == "web-route")
            try await runtime.waitFor(TrafficTraitKinds.routeTrait, "web-route") { $0.status?["service"] == "web-route" }
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([
                (TrafficTraitKinds.ingress, "web-route"), (TrafficTraitKinds.service, "web-route"),
                (TrafficTraitKinds.routeTrait, "web-route"),
            ]) })

            // Back to the workload's port: the Service the trait made is no longer needed.
            try await runtime.setTraits(of: "shop", [Self.route(#"{"host": "api.example.com", "backend": {"port": 8080}}"#)])
            try await runtime.waitForAbsence(TrafficTraitKinds.service, "web-route")

            // The trait leaves the AppConfig: its Ingress goes with it.
            try await runtime.setTraits(of: "shop", [])
            try await runtime.waitForAbsence(TrafficTraitKinds.routeTrait, "web-route")
            try await runtime.waitForAbsence(TrafficTraitKinds.ingress, "web-route")
            #expect(try await runtime.get(TrafficTraitKinds.service, "web") != nil, "the workload's own Service stays")
        }
    }

    @Test("a RouteTrait on a bare Deployment makes its Service from the Pods' labels and reports the Ingress's address",
          arguments: Substrate.available)
    func routesABareDeployment(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: api}
                spec:
                  workload:
                    apiVersion: apps/v1
                    kind: Deployment
                    spec:
                      selector: {matchLabels: {app: api}}
                      template:
                        metadata: {labels: {app: api, tier: back}}
                        spec: {containers: [{name: api, image: "busybox:1.36", ports: [{containerPort: 3000}]}]}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: backend}
                spec:
                  components:
                  - componentName: api
                    traits:
                    - trait:
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: RouteTrait
                        metadata: {name: api-route}
                        spec: {ingressClassName: public}
                """)
            // No port given and no Service: the first container port, on a Service made for it.
            let service = try await runtime.waitFor(TrafficTraitKinds.service, "api-route")
            #expect(service.spec?["selector"] == ["app": "api"])
            #expect(service.valueIfPresent(at: "spec.ports[0]")?["port"] == 3000)
            #expect(service.labels["standard.oam.dev/trait"] == "api-route")
            let ingress = try await runtime.waitFor(TrafficTraitKinds.ingress, "api-route")
            #expect(ingress.spec?["ingressClassName"] == "public")
            #expect(ingress.valueIfPresent(at: "spec.rules[0].host") == nil)
            #expect(ingress.valueIfPresent(at: "spec.rules[0].http.paths[0].backend.service.name") == "api-route")

            // An ingress controller reports an address: the trait shows it.
            _ = try await runtime.client.patch(
                TrafficTraitKinds.ingress, name: "api-route", namespace: runtime.namespace,
                patch: ["status": ["loadBalancer": ["ingress": [["ip": "192.0.2.10"]]]]], type: .merge,
                subresource: "status")
            let trait = try await runtime.waitFor(TrafficTraitKinds.routeTrait, "api-route") {
                $0.status?["address"] == "192.0.2.10"
            }
            #expect(trait.status?["service"] == "api-route" && trait.status?["port"] == 3000)
            #expect(trait.status?["hosts"] == [])
        }
    }

    @Test("a RouteTrait whose workload has no port anywhere says which field to set", arguments: Substrate.available)
    func reportsAMissingPort(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: worker}
                spec:
                  selector: {matchLabels: {app: worker}}
                  template:
                    metadata: {labels: {app: worker}}
                    spec: {containers: [{name: worker, image: "busybox:1.36"}]}
                ---
                apiVersion: standard.oam.dev/v1alpha1
                kind: RouteTrait
                metadata: {name: worker-route}
                spec:
                  host: worker.example.com
                  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
                """)
            let trait = try await runtime.waitFor(TrafficTraitKinds.routeTrait, "worker-route") {
                syncedCondition(of: $0)?["reason"] == "ReconcileError"
            }
            let message = syncedCondition(of: trait)?["message"]?.stringValue ?? ""
            #expect(message.contains("spec.backend.port"), "\(message)")
            #expect(try await runtime.get(TrafficTraitKinds.ingress, "worker-route") == nil)
        }
    }
}
