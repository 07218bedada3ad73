import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

/// Deployments on the simulated node: the scheduler binds the Pods the ReplicaSets create, the
/// kubelet simulator makes them Running and Ready, and kubectl sees a rollout as on a cluster.
@Suite("Deployments on the simulated node")
struct DeploymentNodeChainTests {
    static func withNode(_ body: (Plane) async throws -> Void) async throws {
        try await Plane.with(areas: [.node, .deployments], configure: { $0.node = .fast }, body)
    }

    @Test("create, rollout status, set image, rollout undo and scale, with Pods run by the node")
    func rollout() async throws {
        try await Self.withNode { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
            let first = try await plane.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
            #expect(first.status == 0 && first.stdout.contains("successfully rolled out"))
            let pods = try await plane.list(.pod)
            #expect(pods.count == 3 && pods.allSatisfy { $0.spec?["nodeName"] == "mizzen" && Pods.isReady($0) })

            try await plane.kubectl("set", "image", "deployment/web", "nginx=nginx:1.27")
            let second = try await plane.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
            #expect(second.status == 0 && second.stdout.contains("successfully rolled out"))
            let sets = try await plane.list(.replicaSet)
            #expect(sets.count == 2)
            #expect(sets.filter { $0.spec?["replicas"] == 3 }.count == 1 && sets.filter { $0.spec?["replicas"] == 0 }.count == 1)
            // The old Pods terminate through the node; then only new ones are left.
            let newHash = try #require(sets.first { $0.spec?["replicas"] == 3 }?.labels["pod-template-hash"])
            #expect(try await eventually(timeout: .seconds(30)) {
                let pods = try await plane.list(.pod)
                return pods.count == 3 && pods.allSatisfy { $0.labels["pod-template-hash"] == newHash }
            })
            let deployment = try #require(try await plane.get(.deployment, "web"))
            #expect(deployment.status?["terminatingReplicas"] == 0)
            #expect(deployment.status?["updatedReplicas"] == 3 && deployment.status?["availableReplicas"] == 3)

            try await plane.kubectl("rollout", "undo", "deployment/web")
            let third = try await plane.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
            #expect(third.status == 0)
            let history = try await plane.kubectl("rollout", "history", "deployment/web")
            #expect(history.stdout.contains("2 ") && history.stdout.contains("3 ") && !history.stdout.contains("\n1 "))

            try await plane.kubectl("scale", "deployment/web", "--replicas=1")
            #expect(try await eventually(timeout: .seconds(30)) {
                let status = try await plane.get(.deployment, "web")?.status
                let pods = try await plane.list(.pod)
                return status?["replicas"] == 1 && status?["availableReplicas"] == 1 && pods.count == 1
            })
            let table = try await plane.kubectl("get", "deployment", "web")
            #expect(table.stdout.contains("1/1"))
        }
    }

    @Test("a Deployment whose image never pulls stays unavailable and exceeds its progress deadline")
    func imageThatNeverPulls() async throws {
        try await Self.withNode { plane in
            try await plane.create("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: broken}
                spec:
                  replicas: 1
                  progressDeadlineSeconds: 3
                  selector: {matchLabels: {app: broken}}
                  template:
                    metadata: {labels: {app: broken}}
                    spec: {containers: [{name: app, image: registry.invalid/app:1}]}
                """)
            let rollout = try await plane.kubectl(
                "rollout", "status", "deployment/broken", "--timeout=40s", allowFailure: true)
            #expect(rollout.status != 0)
            #expect(rollout.stderr.contains("exceeded its progress deadline"))
            let status = try #require(try await plane.get(.deployment, "broken")?.status)
            let available = DeploymentControllerTests.condition("Available", in: status)
            #expect(available?["status"] == "False" && available?["reason"] == "MinimumReplicasUnavailable")
            #expect(status["unavailableReplicas"] == 1)
        }
    }
}
