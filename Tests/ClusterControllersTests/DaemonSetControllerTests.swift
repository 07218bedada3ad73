@testable import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The DaemonSet controller on the embedded plane, observed as a user would. The tests create
/// the Node objects they need (the simulated node writes `mizzen` when its area runs) and make
/// Pods Running and Ready by writing their status.
@Suite("DaemonSet controller")
struct DaemonSetControllerTests {
    static func agent(image: String = "busybox", extra: String = "", spec: String = "") -> String {
        """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec:
          selector: {matchLabels: {app: agent}}
        \(extra)
          template:
            metadata: {labels: {app: agent}}
            spec:
        \(spec)
              containers: [{name: agent, image: \(image)}]
        """
    }

    static func node(_ name: String, labels: String = "{}", taints: String = "[]") -> String {
        """
        apiVersion: v1
        kind: Node
        metadata: {name: \(name), labels: \(labels)}
        spec: {taints: \(taints)}
        """
    }

    /// The DaemonSet's Pods.
    static func pods(_ plane: Plane) async throws -> [Resource] {
        try await plane.list(.pod, labelSelector: "app=agent").filter { !$0.isBeingDeleted }
    }

    @Test("one Pod runs on the node, with kube's affinity, tolerations, labels, revision, status and Events")
    func onePodPerNode() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.node("mizzen", labels: "{kubernetes.io/hostname: mizzen}"))
            try await plane.create(Self.agent())
            let pod = try #require(try await plane.eventuallyValue { try await Self.pods(plane).first })
            #expect(pod.generateName == "agent-")
            #expect(pod.controllerReference?.kind == "DaemonSet")
            #expect(DaemonSetNodes.targetNode(of: pod) == "mizzen")
            #expect(pod.labels["pod-template-generation"] == "1")
            let revisions = try await plane.list(.controllerRevision)
            #expect(revisions.count == 1)
            let hash = try #require(pod.labels["controller-revision-hash"])
            #expect(revisions.first?.name == "agent-\(hash)")
            #expect(revisions.first?.labels["controller-revision-hash"] == hash)
            #expect(revisions.first?.object["revision"] == 1)
            let tolerations = pod.spec?["tolerations"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
            #expect(tolerations.contains("node.kubernetes.io/unschedulable"))

            #expect(try await eventually {
                let status = try await plane.get(.daemonSet, "agent")?.status
                return status?["currentNumberScheduled"] == 1 && status?["numberUnavailable"] == 1
            })
            try await plane.markReady(pod.name)
            #expect(try await eventually { try await plane.get(.daemonSet, "agent")?.status?["numberAvailable"] == 1 })
            let status = try #require(try await plane.get(.daemonSet, "agent")?.status)
            #expect(status["desiredNumberScheduled"] == 1)
            #expect(status["numberReady"] == 1)
            #expect(status["updatedNumberScheduled"] == 1)
            #expect(status["numberMisscheduled"] == 0)
            #expect(status["numberUnavailable"] == nil)
            #expect(status["observedGeneration"] == 1)
            #expect(try await eventually { try await plane.eventMessages(reason: "SuccessfulCreate") == ["Created pod: \(pod.name)"] })
            let rollout = try await plane.kubectl("rollout", "status", "daemonset/agent", "--timeout=20s")
            #expect(rollout.stdout.contains("daemon set \"agent\" successfully rolled out"))
            let get = try await plane.kubectl("get", "ds", "agent")
            #expect(get.stdout.contains("agent   1         1         1       1            1"))
            try await plane.settle()
            #expect(try await Self.pods(plane).count == 1)
        }
    }

    @Test("nodeSelector and taints decide the nodes; a Pod on a node no longer selected is deleted")
    func placement() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.node("mizzen", labels: "{disk: ssd}"))
            try await plane.create(Self.node("tainted", labels: "{disk: ssd}", taints: "[{key: dedicated, value: db, effect: NoSchedule}]"))
            try await plane.create(Self.node("plain"))
            try await plane.create(Self.agent(spec: "      nodeSelector: {disk: ssd}"))
            #expect(try await eventually {
                try await plane.get(.daemonSet, "agent")?.status?["currentNumberScheduled"] == 1
            })
            #expect(try await Self.pods(plane).compactMap(DaemonSetNodes.targetNode) == ["mizzen"])
            #expect(try await plane.get(.daemonSet, "agent")?.status?["desiredNumberScheduled"] == 1)

            try await plane.kubectl("label", "node", "mizzen", "disk-", "--overwrite")
            #expect(try await eventually { try await Self.pods(plane).isEmpty })
            #expect(try await eventually { try await plane.eventMessages(reason: "SuccessfulDelete").count == 1 })
            #expect(try await eventually {
                try await plane.get(.daemonSet, "agent")?.status?["desiredNumberScheduled"] == 0
            })
        }
    }

    @Test("a rolling update replaces the Pod; rollout history and undo use the ControllerRevisions")
    func rollingUpdate() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.node("mizzen"))
            try await plane.create(Self.agent())
            let first = try #require(try await plane.eventuallyValue { try await Self.pods(plane).first })
            try await plane.markReady(first.name)
            try await plane.kubectl("set", "image", "daemonset/agent", "agent=busybox:1.36")
            let second = try #require(try await plane.eventuallyValue {
                try await Self.pods(plane).first { $0.uid != first.uid }
            })
            #expect(second.labels["pod-template-generation"] == "2")
            #expect(try await plane.get(.pod, first.name) == nil)
            try await plane.markReady(second.name)
            #expect(try await eventually {
                let status = try await plane.get(.daemonSet, "agent")?.status
                return status?["updatedNumberScheduled"] == 1 && status?["numberAvailable"] == 1
                    && status?["observedGeneration"] == 2
            })
            let history = try await plane.kubectl("rollout", "history", "daemonset/agent")
            #expect(history.stdout.contains("1 ") && history.stdout.contains("2 "))
            try await plane.kubectl("rollout", "undo", "daemonset/agent")
            #expect(try await eventually {
                try await Self.pods(plane).first?.spec?["containers"]?[0]?["image"] == "busybox"
            })
            let revisions = try await plane.list(.controllerRevision)
            #expect(revisions.compactMap { $0.object["revision"]?.intValue }.sorted() == [2, 3])
        }
    }

    @Test("with maxSurge the new Pod starts first and the old one goes once the new one is available")
    func surge() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.node("mizzen"))
            try await plane.create(Self.agent(extra: "  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}"))
            let first = try #require(try await plane.eventuallyValue { try await Self.pods(plane).first })
            try await plane.markReady(first.name)
            try await plane.kubectl("set", "image", "daemonset/agent", "agent=busybox:1.36")
            let second = try #require(try await plane.eventuallyValue {
                try await Self.pods(plane).first { $0.uid != first.uid }
            })
            try await plane.settle()
            #expect(try await plane.get(.pod, first.name) != nil)
            try await plane.markReady(second.name)
            #expect(try await eventually { try await plane.get(.pod, first.name) == nil })
        }
    }

    @Test("a DaemonSet deleted with --cascade=orphan and created again adopts its Pod; a Pod relabelled out of the selector is released and replaced")
    func adoption() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.node("mizzen"))
            try await plane.create(Self.agent())
            let pod = try #require(try await plane.eventuallyValue { try await Self.pods(plane).first })
            try await plane.kubectl("delete", "daemonset", "agent", "--cascade=orphan")
            #expect(try await eventually { try await plane.get(.pod, pod.name)?.controllerReference == nil })
            let daemonSet = try #require(try await plane.create(Self.agent()).first)
            #expect(try await eventually { try await plane.get(.pod, pod.name)?.controllerReference?.uid == daemonSet.uid })
            #expect(try await eventually { try await plane.eventMessages(reason: "SuccessfulCreate").count == 1 })

            try await plane.kubectl("label", "pod", pod.name, "app=debug", "--overwrite")
            #expect(try await eventually { try await plane.get(.pod, pod.name)?.controllerReference == nil })
            #expect(try await eventually { try await Self.pods(plane).count == 1 })
        }
    }

    @Test("OnDelete leaves the old Pod until it is deleted")
    func onDelete() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.node("mizzen"))
            try await plane.create(Self.agent(extra: "  updateStrategy: {type: OnDelete}"))
            let first = try #require(try await plane.eventuallyValue { try await Self.pods(plane).first })
            try await plane.kubectl("set", "image", "daemonset/agent", "agent=busybox:1.36")
            #expect(try await eventually { try await plane.list(.controllerRevision).count == 2 })
            #expect(try await eventually { try await plane.get(.daemonSet, "agent")?.status?["observedGeneration"] == 2 })
            try await plane.settle()
            #expect(try await Self.pods(plane).map(\.uid) == [first.uid])
            #expect(try await plane.get(.daemonSet, "agent")?.status?["updatedNumberScheduled"] == nil)
            try await plane.kubectl("delete", "pod", first.name)
            #expect(try await eventually {
                try await Self.pods(plane).first?.spec?["containers"]?[0]?["image"] == "busybox:1.36"
            })
        }
    }
}
