@testable import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// MetricsTrait end to end: its Service and ServiceMonitor where the cluster serves
/// ServiceMonitors; where it does not, a `Monitored` condition that says so, the Service all the
/// same, and the ServiceMonitor once its CRD is installed.
@Suite("MetricsTrait")
struct MetricsTraitTests {
    /// A minimal `servicemonitors.monitoring.coreos.com`, as the Prometheus Operator's CRD would
    /// serve the kind (its schema left open). The same object every time: tests on a shared
    /// cluster apply it again.
    static let serviceMonitorCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: servicemonitors.monitoring.coreos.com}
        spec:
          group: monitoring.coreos.com
          scope: Namespaced
          names: {kind: ServiceMonitor, listKind: ServiceMonitorList, plural: servicemonitors, singular: servicemonitor}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """

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
                ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            traits:
            - trait:
                apiVersion: standard.oam.dev/v1alpha1
                kind: MetricsTrait
                metadata: {name: web-metrics}
                spec: {port: 9090, interval: 30s}
        """

    static func monitored(_ trait: Resource) -> JSONValue? {
        trait.status?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == MetricsTrait.Monitored.type }
    }

    /// Waits until the server serves ServiceMonitors (the CRD established and in discovery).
    static func waitUntilServed(_ runtime: Runtime) async throws {
        let served = try await eventually(timeout: Runtime.patience) {
            await runtime.client.mapper.invalidate()
            return (try? await runtime.client.mapper.mapping(for: TrafficTraitKinds.serviceMonitor)) != nil
        }
        #expect(served, "ServiceMonitor should be served once its CRD is installed")
    }

    @Test("a MetricsTrait makes a Service for its port and a ServiceMonitor scraping it, follows edits and goes with the trait",
          arguments: Substrate.available)
    func monitorsThroughAnAppConfig(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.serviceMonitorCRD)
            try await Self.waitUntilServed(runtime)
            try await runtime.create(Self.component)

            let monitor = try await runtime.waitFor(TrafficTraitKinds.serviceMonitor, "web-metrics")
            #expect(monitor.spec?["endpoints"] == [["port": "metrics", "path": "/metrics", "scheme": "http", "interval": "30s"]])
            #expect(monitor.valueIfPresent(at: "spec.selector.matchLabels")?["standard.oam.dev/trait"] == "web-metrics")
            #expect(monitor.valueIfPresent(at: "spec.namespaceSelector.matchNames") == [.string(runtime.namespace)])
            #expect(monitor.controllerReference?.name == "web-metrics")
            // The workload's Service exposes 8080 only: a Service is made for 9090.
            let service = try await runtime.waitFor(TrafficTraitKinds.service, "web-metrics")
            #expect(service.valueIfPresent(at: "spec.ports[0]")?["name"] == "metrics")
            #expect(service.valueIfPresent(at: "spec.ports[0]")?["port"] == 9090)
            let workloadService = try #require(try await runtime.get(TrafficTraitKinds.service, "web"))
            #expect(service.spec?["selector"] == workloadService.spec?["selector"])
            let trait = try await runtime.waitFor(TrafficTraitKinds.metricsTrait, "web-metrics") {
                Self.monitored($0)?["status"] == "True" && syncedCondition(of: $0)?["status"] == "True"
            }
            #expect(Self.monitored(trait)?["reason"] == "ServiceMonitorApplied")
            #expect(trait.status?["serviceMonitor"] == "web-metrics")
            #expect(trait.status?["service"] == "web-metrics" && trait.status?["port"] == 9090)
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([
                (TrafficTraitKinds.serviceMonitor, "web-metrics"), (TrafficTraitKinds.service, "web-metrics"),
                (TrafficTraitKinds.metricsTrait, "web-metrics"),
            ]) })

            // Scrape the workload's own port instead, more often, over https.
            try await runtime.setTraits(of: "shop", [["trait": [
                "apiVersion": "standard.oam.dev/v1alpha1", "kind": "MetricsTrait", "metadata": ["name": "web-metrics"],
                "spec": ["port": 8080, "interval": "10s", "path": "/stats", "scheme": "https"],
            ]]])
            let edited = try await runtime.waitFor(TrafficTraitKinds.serviceMonitor, "web-metrics") {
                $0.valueIfPresent(at: "spec.endpoints[0].interval") == "10s"
            }
            #expect(edited.spec?["endpoints"] == [["port": "web", "path": "/stats", "scheme": "https", "interval": "10s"]])
            #expect(edited.valueIfPresent(at: "spec.selector.matchLabels") == .object(workloadService.labels.reduce(into: [:]) {
                $0[$1.key] = .string($1.value)
            }))
            try await runtime.waitForAbsence(TrafficTraitKinds.service, "web-metrics")

            try await runtime.setTraits(of: "shop", [])
            try await runtime.waitForAbsence(TrafficTraitKinds.metricsTrait, "web-metrics")
            try await runtime.waitForAbsence(TrafficTraitKinds.serviceMonitor, "web-metrics")
        }
    }

    /// On a fresh embedded plane only: the kit's ServiceMonitor CRD, once a test installed it,
    /// stays for the tests that follow.
    @Test("where ServiceMonitors are not served the trait says so, makes its Service and fails nothing; the CRD's arrival brings the ServiceMonitor")
    func waitsForTheKind() async throws {
        try await Runtime.with(on: .embedded) { runtime in
            try await runtime.create(Self.component)
            let service = try await runtime.waitFor(TrafficTraitKinds.service, "web-metrics")
            #expect(service.valueIfPresent(at: "spec.ports[0]")?["port"] == 9090)
            let trait = try await runtime.waitFor(TrafficTraitKinds.metricsTrait, "web-metrics") {
                Self.monitored($0) != nil
            }
            let condition = try #require(Self.monitored(trait))
            #expect(condition["status"] == "False")
            #expect(condition["reason"] == "ServiceMonitorNotServed")
            let message = condition["message"]?.stringValue ?? ""
            #expect(message.contains("ServiceMonitor (monitoring.coreos.com/v1) is not served"), "\(message)")
            #expect(syncedCondition(of: trait)?["reason"] == "ReconcileSuccess")
            #expect(trait.status?["service"] == "web-metrics")
            #expect(trait.status?["serviceMonitor"] == nil)
            let app = try await runtime.waitFor(Kinds.appConfig, "shop") { syncedCondition(of: $0) != nil }
            #expect(syncedCondition(of: app)?["status"] == "True", "the application does not fail")
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([
                (TrafficTraitKinds.service, "web-metrics"), (TrafficTraitKinds.metricsTrait, "web-metrics"),
            ]) })

            try await runtime.create(Self.serviceMonitorCRD)
            let monitor = try await runtime.waitFor(TrafficTraitKinds.serviceMonitor, "web-metrics")
            #expect(monitor.valueIfPresent(at: "spec.endpoints[0].port") == "metrics")
            let after = try await runtime.waitFor(TrafficTraitKinds.metricsTrait, "web-metrics") {
                Self.monitored($0)?["status"] == "True"
            }
            #expect(Self.monitored(after)?["reason"] == "ServiceMonitorApplied")
            #expect(after.status?["serviceMonitor"] == "web-metrics")
        }
    }
}
