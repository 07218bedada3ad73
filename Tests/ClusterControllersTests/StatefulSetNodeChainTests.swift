import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

/// StatefulSets and DaemonSets with the simulated node: the scheduler binds their Pods to
/// `mizzen` and the kubelet simulator makes them Running and Ready, so kubectl shows what it
/// shows on a cluster.
@Suite("StatefulSets and DaemonSets on the simulated node")
struct StatefulSetNodeChainTests {
    static func withNode(_ body: (Plane) async throws -> Void) async throws {
        try await Plane.with(areas: [.node, .statefulSetsAndDaemonSets], configure: { $0.node = .fast }, body)
    }

    @Test("a StatefulSet rolls out pod by pod on the node; kubectl rollout status, get, describe and a rolling update")
    func statefulSetRollout() async throws {
        try await Self.withNode { plane in
            try await plane.create(StatefulSetControllerTests.web())
            let rollout = try await plane.kubectl("rollout", "status", "statefulset/web", "--timeout=60s")
            #expect(rollout.status == 0)
            let pods = try await plane.list(.pod, labelSelector: "app=nginx")
            #expect(pods.map(\.name) == ["web-0", "web-1", "web-2"])
            #expect(pods.allSatisfy { $0.spec?["nodeName"] == "mizzen" })
            // Created in order: each after the one before was ready.
            let created = try await plane.eventMessages(reason: "SuccessfulCreate", atLeast: 3)
            #expect(created == (0..<3).map { "Create Pod web-\($0) in StatefulSet web successful" })

            let get = try await plane.kubectl("get", "sts", "web")
            #expect(get.stdout.split(separator: "\n").last?.split(separator: " ").prefix(2) == ["web", "3/3"])
            let describe = try await plane.kubectl("describe", "statefulset", "web")
            #expect(describe.stdout.contains("Pods Status:        3 Running / 0 Waiting / 0 Succeeded / 0 Failed"))
            #expect(describe.stdout.contains("SuccessfulCreate"))

            try await plane.kubectl("set", "image", "statefulset/web", "nginx=registry.k8s.io/nginx-slim:0.9")
            let updated = try await plane.kubectl("rollout", "status", "statefulset/web", "--timeout=60s")
            #expect(updated.status == 0)
            #expect(try await eventually {
                let status = try await plane.get(.statefulSet, "web")?.status
                return status?["currentRevision"] == status?["updateRevision"] && status?["readyReplicas"] == 3
            })
            let images = try await plane.list(.pod, labelSelector: "app=nginx").compactMap {
                $0.spec?["containers"]?[0]?["image"]?.stringValue
            }
            #expect(images == Array(repeating: "registry.k8s.io/nginx-slim:0.9", count: 3))
            // Replaced from the highest ordinal down.
            let deleted = try await plane.eventMessages(reason: "SuccessfulDelete", atLeast: 3)
            #expect(deleted == [2, 1, 0].map { "Delete Pod web-\($0) in StatefulSet web successful" })
        }
    }

    @Test("a DaemonSet's Pod is scheduled on mizzen and becomes ready; kubectl rollout status and get ds")
    func daemonSetOnNode() async throws {
        try await Self.withNode { plane in
            // As on a cluster, the node is there first (with no node, a DaemonSet is rolled out at once).
            #expect(try await eventually { try await plane.get(.node, "mizzen", namespace: nil) != nil })
            try await plane.create(DaemonSetControllerTests.agent())
            let rollout = try await plane.kubectl("rollout", "status", "daemonset/agent", "--timeout=60s")
            #expect(rollout.status == 0)
            #expect(rollout.stdout.contains("daemon set \"agent\" successfully rolled out"))
            let pods = try await plane.list(.pod, labelSelector: "app=agent")
            #expect(pods.count == 1)
            #expect(pods.first?.spec?["nodeName"] == "mizzen")
            let get = try await plane.kubectl("get", "ds", "agent")
            #expect(get.stdout.contains("agent   1         1         1       1            1"))
            let describe = try await plane.kubectl("describe", "daemonset", "agent")
            #expect(describe.stdout.contains("1 Running / 0 Waiting / 0 Succeeded / 0 Failed"))
            #expect(describe.stdout.contains("Created pod: \(pods.first?.name ?? "")"))

            try await plane.kubectl("set", "image", "daemonset/agent", "agent=busybox:1.36")
            let updated = try await plane.kubectl("rollout", "status", "daemonset/agent", "--timeout=60s")
            #expect(updated.status == 0)
            let images = try await plane.list(.pod, labelSelector: "app=agent").filter { !$0.isBeingDeleted }.compactMap {
                $0.spec?["containers"]?[0]?["image"]?.stringValue
            }
            #expect(images == ["busybox:1.36"])
        }
    }
}
