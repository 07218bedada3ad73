import ClusterControllers
import ControllerRuntime
import Foundation
import OrderedCollections
import KubeClient
import Resources
import TestSupport
import Testing

@Suite("ReplicaSet controller")
struct ReplicaSetControllerTests {
    static func replicaSet(name: String = "front", replicas: Int, minReadySeconds: Int = 0) -> String {
        """
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: \(name)}
        spec:
          replicas: \(replicas)
          minReadySeconds: \(minReadySeconds)
          selector: {matchLabels: {tier: \(name)}}
          template:
            metadata: {labels: {tier: \(name)}}
            spec: {containers: [{name: php, image: php}]}
        """
    }

    @Test("a ReplicaSet creates its Pods, counts them in its status, and scales down the not-ready ones first")
    func createsCountsAndScalesDown() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.create(Self.replicaSet(replicas: 3))
            #expect(try await eventually {
                let status = try await plane.get(.replicaSet, "front")?.status
                return status?["replicas"] == 3 && status?["fullyLabeledReplicas"] == 3
                    && status?["observedGeneration"] == 1 && status?["terminatingReplicas"] == 0
            })
            let pods = try await plane.list(.pod)
            #expect(pods.count == 3 && pods.allSatisfy { $0.generateName == "front-" && $0.controllerReference?.name == "front" })
            // One Pod ready: scaling to one keeps it.
            let keeper = pods[1]
            _ = try await plane.client.patch(
                .pod, name: keeper.name, namespace: "default",
                patch: ["status": ["phase": "Running", "conditions": [
                    ["type": "Ready", "status": "True", "lastTransitionTime": .string(KubernetesTime.now)],
                ]]], type: .merge, subresource: "status")
            #expect(try await eventually { try await plane.get(.replicaSet, "front")?.status?["readyReplicas"] == 1 })
            #expect(try await plane.get(.replicaSet, "front")?.status?["availableReplicas"] == 1)
            try await plane.kubectl("scale", "rs/front", "--replicas=1")
            #expect(try await eventually {
                let left = try await plane.list(.pod).filter { !$0.isBeingDeleted }
                return left.map(\.name) == [keeper.name]
            })
            #expect(try await eventually {
                let deleted = try await plane.list(.event).filter {
                    $0.object["reason"] == "SuccessfulDelete" && $0.object["source"]?["component"] == "replicaset-controller"
                }
                return deleted.count == 2 && deleted.allSatisfy { ($0.object["message"]?.stringValue ?? "").hasPrefix("Deleted pod: front-") }
            })
            #expect(try await eventually { try await plane.get(.replicaSet, "front")?.status?["replicas"] == 1 })
            let table = try await plane.kubectl("get", "rs", "front")
            #expect(table.stdout.contains("front"))
        }
    }

    @Test("a ReplicaSet adopts an orphan Pod it selects and releases one whose labels no longer match")
    func adoptsAndReleases() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: stray, labels: {tier: front}}
                spec: {containers: [{name: php, image: php}]}
                """)
            try await plane.create(Self.replicaSet(replicas: 2))
            #expect(try await eventually {
                try await plane.get(.pod, "stray")?.controllerReference?.name == "front"
            })
            #expect(try await eventually { try await plane.list(.pod).count == 2 })
            try await plane.kubectl("label", "pod/stray", "tier=elsewhere", "--overwrite")
            #expect(try await eventually {
                let stray = try await plane.get(.pod, "stray")
                return stray?.controllerReference == nil
            })
            // The ReplicaSet makes up for the Pod it let go.
            #expect(try await eventually {
                try await plane.list(.pod, labelSelector: "tier=front").filter { !$0.isBeingDeleted }.count == 2
            })
        }
    }

    @Test("a Pod counts as available only after minReadySeconds, without the controller sleeping")
    func minReadySeconds() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.create(Self.replicaSet(replicas: 1, minReadySeconds: 6))
            #expect(try await eventually { try await plane.list(.pod).count == 1 })
            try await plane.readyEveryPod()
            #expect(try await eventually { try await plane.get(.replicaSet, "front")?.status?["readyReplicas"] == 1 })
            #expect(try await plane.get(.replicaSet, "front")?.status?["availableReplicas"] == nil)
            #expect(try await eventually(timeout: .seconds(15)) {
                try await plane.get(.replicaSet, "front")?.status?["availableReplicas"] == 1
            })
        }
    }

    @Test("creates refused by a ResourceQuota give FailedCreate Events and ReplicaFailure on the ReplicaSet and its Deployment")
    func replicaFailure() async throws {
        try await Plane.with(areas: [.deployments, .quota]) { plane in
            try await plane.kubectl("create", "quota", "q", "--hard=pods=0")
            #expect(try await eventually { try await plane.get(.resourceQuotaForReplicaSetTests, "q")?.status?["used"] != nil })
            try await plane.kubectl("create", "deployment", "q", "--image=nginx", "--replicas=2")
            #expect(try await eventually {
                let sets = try await plane.list(.replicaSet)
                let condition = sets.first?.status?["conditions"]?.arrayValue?.first { $0["type"] == "ReplicaFailure" }
                return condition?["status"] == "True" && condition?["reason"] == "FailedCreate"
                    && (condition?["message"]?.stringValue ?? "").contains("is forbidden: exceeded quota: q")
                    && sets.first?.status?["replicas"] == 0
            })
            #expect(try await eventually {
                let status = try await plane.get(.deployment, "q")?.status
                let failure = DeploymentControllerTests.condition("ReplicaFailure", in: status)
                return failure?["reason"] == "FailedCreate" && failure?["lastUpdateTime"] == failure?["lastTransitionTime"]
            })
            let events = try await plane.list(.event).filter { $0.object["reason"] == "FailedCreate" }
            #expect(events.contains {
                $0.object["type"] == "Warning"
                    && ($0.object["message"]?.stringValue ?? "").hasPrefix("Error creating: pods ")
                    && ($0.object["message"]?.stringValue ?? "").contains("is forbidden: exceeded quota: q")
            })
            // Room again: the ReplicaSet creates the Pod and drops the condition.
            try await plane.kubectl("delete", "quota", "q")
            #expect(try await eventually(timeout: .seconds(30)) {
                let set = try await plane.list(.replicaSet).first
                return set?.status?["replicas"] == 2 && set?.status?["conditions"] == nil
            })
        }
    }
}

extension GroupVersionKind {
    static let resourceQuotaForReplicaSetTests = GroupVersionKind(group: "", version: "v1", kind: "ResourceQuota")
}
