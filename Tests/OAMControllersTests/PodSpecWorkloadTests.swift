@testable import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// PodSpecWorkload end to end: through a Component and an AppConfig, its Deployment and Service
/// appear, follow edits of the pod spec and its ports, leave the replicas to a scaler trait,
/// and a resync writes nothing.
@Suite("PodSpecWorkload controller")
struct PodSpecWorkloadControllerTests {
    static let workloadKind = PodSpecWorkload.workloadKind
    static let service = GroupVersionKind(group: "", version: "v1", kind: "Service")

    static func component(image: String = "nginx:1.27", ports: String = "[{containerPort: 80}]") -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: standard.oam.dev/v1alpha1
            kind: PodSpecWorkload
            spec:
              replicas: 2
              podSpec:
                containers:
                - {name: web, image: "\(image)", ports: \(ports)}
        """
    }

    static let appConfig = """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
        """

    @Test("a PodSpecWorkload runs as a Deployment and a Service it owns, follows edits and is not rewritten on a resync",
          arguments: Substrate.available)
    func deploymentAndService(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.component())
            try await runtime.create(Self.appConfig)
            let deployment = try await runtime.waitFor(Kinds.deployment, "web")
            let workload = try await runtime.waitFor(Self.workloadKind, "web") {
                syncedCondition(of: $0)?["reason"] == "ReconcileSuccess" && $0.status?["resources"] != nil
            }
            #expect(deployment.spec?["replicas"] == 2)
            #expect(deployment.controllerReference?.kind == "PodSpecWorkload")
            #expect(deployment.controllerReference?.uid == workload.uid)
            #expect(deployment.labels["app.oam.dev/component"] == "web")
            #expect(deployment.valueIfPresent(at: "spec.template.spec.containers[0].image") == "nginx:1.27")
            let selector = ["podspecworkload.standard.oam.dev": JSONValue.string(workload.uid ?? "")]
            #expect(deployment.valueIfPresent(at: "spec.selector.matchLabels") == .object(JSONObject(uniqueKeysWithValues: selector.map { ($0, $1) })))
            let service = try await runtime.waitFor(Self.service, "web")
            #expect(service.valueIfPresent(at: "spec.ports[0].port") == 80)
            #expect(service.controllerReference?.uid == workload.uid)
            #expect(workload.status?["resources"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } == ["Deployment", "Service"])
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([
                (Kinds.deployment, "web"), (Self.service, "web"), (Self.workloadKind, "web"),
            ]) })

            // A new image and no ports: the Deployment follows, the Service goes.
            try await runtime.edit(Kinds.component, "web") { component in
                try component.setValue("nginx:1.28", at: "spec.workload.spec.podSpec.containers[0].image")
                try component.setValue([], at: "spec.workload.spec.podSpec.containers[0].ports")
            }
            try await runtime.waitFor(Kinds.deployment, "web") {
                $0.valueIfPresent(at: "spec.template.spec.containers[0].image") == "nginx:1.28"
            }
            try await runtime.waitForAbsence(Self.service, "web")
            try await runtime.waitFor(Self.workloadKind, "web") {
                $0.status?["resources"]?.arrayValue?.count == 1
            }
        }
    }

    @Test("a ManualScalerTrait takes the Deployment's replicas over from spec.replicas without a tug of war",
          arguments: Substrate.available)
    func scalerWins(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.component(ports: "[]"))
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: shop}
                spec:
                  components:
                  - componentName: web
                    traits:
                    - trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 4}}
                """)
            try await runtime.waitFor(Kinds.deployment, "web") { $0.spec?["replicas"] == 4 }
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([(Kinds.deployment, "web")]) })
            #expect(try await runtime.get(Kinds.deployment, "web")?.spec?["replicas"] == 4)
        }
    }

    @Test("the API server refuses a PodSpecWorkload whose container lacks an image (a misspelt field)",
          arguments: Substrate.available)
    func schemaRefusesTypo(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            await #expect(throws: APIError.self) {
                try await runtime.create("""
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: PodSpecWorkload
                    metadata: {name: typo}
                    spec:
                      podSpec:
                        containers: [{name: web, imgae: nginx}]
                    """)
            }
        }
    }

    @Test("a pod spec the renderer refuses is reported in the workload's Synced condition",
          arguments: Substrate.available)
    func reportsFieldErrors(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: standard.oam.dev/v1alpha1
                kind: PodSpecWorkload
                metadata: {name: bad}
                spec:
                  podSpec:
                    containers: [{name: web, image: nginx, ports: [{containerPort: 0}]}]
                """)
            let workload = try await runtime.waitFor(Self.workloadKind, "bad") {
                syncedCondition(of: $0)?["reason"] == "ReconcileError"
            }
            #expect(syncedCondition(of: workload)?["message"]
                == "spec.podSpec.containers[0].ports[0].containerPort: must be a port number from 1 to 65535")
            #expect(try await runtime.get(Kinds.deployment, "bad") == nil)
        }
    }
}
