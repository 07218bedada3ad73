import Foundation
import KubeClient
import OAMControllers
import Resources
import Testing
@testable import mizzen

@Suite("mizzen status: what a report reads")
struct AppReportTests {
    static let appConfig: Resource = try! Resource([
        "apiVersion": "core.oam.dev/v1alpha2", "kind": "ApplicationConfiguration",
        "metadata": ["name": "shop", "namespace": "team", "generation": 1],
        "spec": ["components": [
            ["componentName": "web", "scopes": [["scopeRef": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "HealthScope", "name": "health"]]]],
            ["componentName": "worker"],
        ]],
        "status": [
            "observedGeneration": 1,
            "conditions": [["type": "Synced", "status": "True", "reason": "ReconcileSuccess"]],
            "workloads": [
                [
                    "componentName": "web", "componentRevisionName": "web-v1",
                    "workloadRef": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload", "name": "web"],
                    "traits": [["traitRef": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "ManualScalerTrait", "name": "web-scaler"]]],
                ],
                [
                    "componentName": "worker", "componentRevisionName": "worker-v1",
                    "workloadRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"],
                ],
            ],
        ],
    ])

    static func reference(_ apiVersion: String, _ kind: String, _ name: String) -> ReportReference {
        ReportReference(apiVersion: apiVersion, kind: kind, name: name, namespace: "team")
    }

    static func deployment(_ name: String, available: Int) -> Resource {
        try! Resource([
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": "team"],
            "spec": ["replicas": 1],
            "status": ["availableReplicas": .int(Int64(available)), "updatedReplicas": 1],
        ])
    }

    @Test("a report reads the workloads and traits its status lists and the scopes its spec names; a ContainerizedWorkload's Deployment besides")
    func references() throws {
        #expect(AppReport.references(of: Self.appConfig) == [
            Self.reference("core.oam.dev/v1alpha2", "ContainerizedWorkload", "web"),
            Self.reference("core.oam.dev/v1alpha2", "ManualScalerTrait", "web-scaler"),
            Self.reference("apps/v1", "Deployment", "worker"),
            Self.reference("core.oam.dev/v1alpha2", "HealthScope", "health"),
        ])
        let workload = try Resource([
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload", "metadata": ["name": "web", "namespace": "team"],
            "status": ["resources": [
                ["apiVersion": "v1", "kind": "Service", "name": "web"],
                ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"],
            ]],
        ])
        // The Service is not read: the workload's health is its Deployment's.
        #expect(AppReport.childReferences(of: workload) == [Self.reference("apps/v1", "Deployment", "web")])
        #expect(AppReport.childReferences(of: Self.deployment("worker", available: 1)).isEmpty)
    }

    @Test("a report built from the objects read: a missing one does not exist yet, a ContainerizedWorkload is as healthy as its Deployment")
    func reportFromObjects() throws {
        let workload = try Resource([
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload", "metadata": ["name": "web", "namespace": "team"],
            "status": ["resources": [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"]]],
        ])
        var objects: [ReportReference: Resource] = [
            Self.reference("core.oam.dev/v1alpha2", "ContainerizedWorkload", "web"): workload,
            Self.reference("apps/v1", "Deployment", "web"): Self.deployment("web", available: 0),
            Self.reference("apps/v1", "Deployment", "worker"): Self.deployment("worker", available: 1),
        ]
        let report = AppReport(Self.appConfig, objects: objects)
        #expect(report.components.map(\.name) == ["web", "worker"])
        #expect(report.components.map(\.revision) == ["web-v1", "worker-v1"])
        #expect(report.components[0].workload?.detail == "0/1 available")
        #expect(report.components[0].traits.map(\.detail) == ["does not exist yet"])
        #expect(report.components[0].scopes.map(\.detail) == ["does not exist yet"])
        #expect(report.components[1].health == .healthy)
        #expect(report.health == .progressing)

        objects[Self.reference("apps/v1", "Deployment", "web")] = Self.deployment("web", available: 1)
        #expect(AppReport(Self.appConfig, objects: objects).components[0].workload?.health == .healthy)
    }

    @Test("the reports read with one list per kind are those read with a GET per object")
    func listsAndGetsAgree() async throws {
        try await PlaneSession.with { session in
            try await session.up([CLI.example("data-passing")])
            let client = try KubernetesClient(kubeconfig: BackgroundPlane(dataDirectory: session.dataDir).kubeconfig.path)
            do {
                let apps = try await client.listAll(OAMKinds.applicationConfiguration, namespace: "default").items
                #expect(!apps.isEmpty)
                let listed = try await AppInspector(client: client, listThreshold: 0).reports(of: apps)
                let got = try await AppInspector(client: client, listThreshold: .max).reports(of: apps)
                #expect(listed.map { $0.json.jsonString() } == got.map { $0.json.jsonString() })
                #expect(listed.allSatisfy { $0.health == .healthy })
                #expect(listed.flatMap(\.components).allSatisfy { $0.workload?.verdict != nil })
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}
