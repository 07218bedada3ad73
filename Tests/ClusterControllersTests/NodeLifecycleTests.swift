@testable import ClusterControllers
import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The simulated node end to end, as a user sees it through kubectl: the Node, the scheduler,
/// the kubelet simulator's lifecycle and failures, and Pod deletion.
@Suite("Simulated node")
struct NodeLifecycleTests {
    /// A plane with only the node's controllers, its durations shortened.
    static func withNode(_ body: (Plane) async throws -> Void) async throws {
        try await Plane.with(areas: [.node], configure: { $0.node = .fast }, body)
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    @Test("the node mizzen is Ready with kubelet's labels, conditions, capacity and a Lease")
    func node() async throws {
        try await Self.withNode { plane in
            #expect(try await eventually {
                try await plane.kubectl("get", "nodes", "--no-headers", allowFailure: true).stdout.contains(" Ready ")
            })
            let wide = Self.words(try await plane.kubectl("get", "nodes", "-o", "wide", "--no-headers").stdout)
            #expect(wide.first == "mizzen")
            #expect(wide.contains("control-plane"))
            #expect(wide.contains("127.0.0.1"))
            #expect(wide.last == "mizzen://simulated")
            let node = try #require(try await plane.get(.node, "mizzen", namespace: nil))
            #expect(node.labels["kubernetes.io/hostname"] == "mizzen")
            #expect(node.labels["kubernetes.io/os"] != nil)
            #expect(node.status?["capacity"]?["pods"] == "110")
            #expect(node.status?["capacity"]?["cpu"] == .string(String(ProcessInfo.processInfo.activeProcessorCount)))
            let reasons = (node.status?["conditions"]?.arrayValue ?? []).compactMap { $0["reason"]?.stringValue }
            #expect(reasons == ["KubeletHasSufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasSufficientPID", "KubeletReady"])
            let describe = try await plane.kubectl("describe", "node", "mizzen").stdout
            #expect(describe.contains("kubelet is posting ready status"))
            #expect(describe.contains("Container Runtime Version:  mizzen://simulated"))
            let lease = try #require(try await plane.get(
                GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease"), "mizzen",
                namespace: "kube-node-lease"))
            #expect(lease.spec?["holderIdentity"] == "mizzen")
            #expect(lease.spec?["leaseDurationSeconds"] == 40)
            #expect(lease.ownerReferences.first?.kind == "Node")
        }
    }

    @Test("kubectl run gives a Running, ready Pod on mizzen with an IP, kubelet's Events, and a logs line")
    func run() async throws {
        try await Self.withNode { plane in
            try await plane.kubectl("run", "web", "--image=nginx")
            #expect(try await eventually {
                Self.words(try await plane.kubectl("get", "pod", "web", "--no-headers").stdout).prefix(3) == ["web", "1/1", "Running"]
            })
            let wide = Self.words(try await plane.kubectl("get", "pod", "web", "-o", "wide", "--no-headers").stdout)
            #expect(wide.contains("mizzen"))
            #expect(wide.contains { $0.hasPrefix("10.244.0.") })
            let pod = try #require(try await plane.get(.pod, "web"))
            #expect(pod.status?["hostIP"] == "127.0.0.1")
            #expect(pod.status?["containerStatuses"]?[0]?["imageID"]?.stringValue?.hasPrefix("docker.io/library/nginx@sha256:") == true)
            #expect(try await eventually {
                let events = try await plane.kubectl("describe", "pod", "web").stdout
                return events.contains("Successfully assigned default/web to mizzen")
                    && events.contains("Pulling image \"nginx\"") && events.contains("Container started")
            })
            let logs = try await plane.kubectl("logs", "web")
            #expect(logs.stdout.contains("runs no containers"))
        }
    }

    @Test("an image under .invalid never pulls: ImagePullBackOff, Failed Events, never ready")
    func invalidImage() async throws {
        try await Self.withNode { plane in
            try await plane.kubectl("run", "bad", "--image=registry.invalid/app:1")
            #expect(try await eventually {
                Self.words(try await plane.kubectl("get", "pod", "bad", "--no-headers").stdout).prefix(3)
                    == ["bad", "0/1", "ImagePullBackOff"]
            })
            // Events are written a moment after the status.
            #expect(try await eventually {
                let describe = try await plane.kubectl("describe", "pod", "bad").stdout
                return describe.contains("Failed to pull image \"registry.invalid/app:1\"")
                    && describe.contains("Error: ErrImagePull")
                    && describe.contains("Back-off pulling image \"registry.invalid/app:1\"")
            })
            let pod = try #require(try await plane.get(.pod, "bad"))
            #expect(Pods.phase(of: pod) == "Pending")
            #expect(!Pods.isReady(pod))
        }
    }

    @Test("the crash-loop annotation gives CrashLoopBackOff with restarts counted and the last exit kept")
    func crashLoop() async throws {
        try await Self.withNode { plane in
            try await plane.kubectl("run", "crash", "--image=busybox", "--annotations=mizzen.dev/crash-loop=true")
            #expect(try await eventually {
                let columns = Self.words(try await plane.kubectl("get", "pod", "crash", "--no-headers").stdout)
                return columns.count > 3 && columns[2] == "CrashLoopBackOff" && (Int(columns[3]) ?? 0) >= 2
            })
            let pod = try #require(try await plane.get(.pod, "crash"))
            #expect(pod.status?["containerStatuses"]?[0]?["lastState"]?["terminated"]?["exitCode"] == 1)
            #expect(try await eventually {
                try await plane.kubectl("describe", "pod", "crash").stdout.contains("Back-off restarting failed container crash")
            })
        }
    }

    @Test("Pods that never restart complete (Succeeded) or fail with the exit code the annotation gives")
    func completion() async throws {
        try await Self.withNode { plane in
            try await plane.kubectl("run", "once", "--image=busybox", "--restart=Never")
            try await plane.kubectl("run", "fails", "--image=busybox", "--restart=Never", "--annotations=mizzen.dev/exit-code=3")
            #expect(try await eventually {
                Self.words(try await plane.kubectl("get", "pod", "once", "--no-headers").stdout).prefix(3) == ["once", "0/1", "Completed"]
            })
            #expect(try await eventually {
                Self.words(try await plane.kubectl("get", "pod", "fails", "--no-headers").stdout).prefix(3) == ["fails", "0/1", "Error"]
            })
            #expect(Pods.phase(of: try #require(try await plane.get(.pod, "once"))) == "Succeeded")
            let failed = try #require(try await plane.get(.pod, "fails"))
            #expect(Pods.phase(of: failed) == "Failed")
            #expect(failed.status?["containerStatuses"]?[0]?["state"]?["terminated"]?["exitCode"] == 3)
        }
    }

    @Test("a Pod that does not fit stays Pending with FailedScheduling, and is scheduled when the node changes")
    func unschedulable() async throws {
        try await Self.withNode { plane in
            try await plane.create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: picky}
                spec:
                  nodeSelector: {disk: ssd}
                  containers: [{name: app, image: nginx}]
                """)
            let message = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. "
                + "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
            #expect(try await eventually {
                try await plane.kubectl("describe", "pod", "picky").stdout.contains(message)
            })
            let pod = try #require(try await plane.get(.pod, "picky"))
            let scheduled = pod.status?["conditions"]?.arrayValue?.first { $0["type"] == "PodScheduled" }
            #expect(scheduled?["status"] == "False")
            #expect(scheduled?["reason"] == "Unschedulable")
            #expect(scheduled?["message"] == .string(message))
            #expect(try await eventually { try await plane.get(.node, "mizzen", namespace: nil) != nil })
            try await plane.kubectl("label", "node", "mizzen", "disk=ssd")
            #expect(try await eventually {
                Self.words(try await plane.kubectl("get", "pod", "picky", "--no-headers").stdout).prefix(3) == ["picky", "1/1", "Running"]
            })

            try await plane.kubectl("run", "huge", "--image=nginx", "--overrides",
                                    #"{"spec":{"containers":[{"name":"huge","image":"nginx","resources":{"requests":{"cpu":"5000"}}}]}}"#)
            #expect(try await eventually {
                try await plane.kubectl("describe", "pod", "huge").stdout.contains(
                    "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")
            })
        }
    }

    @Test("kubectl delete: the kubelet stops the containers (Killing) and deletes the Pod, and kubectl sees it gone")
    func delete() async throws {
        try await Self.withNode { plane in
            try await plane.kubectl("run", "web", "--image=nginx")
            #expect(try await eventually {
                try await plane.get(.pod, "web").map(Pods.isReady) == true
            })
            try await plane.kubectl("delete", "pod", "web", "--timeout=20s")
            #expect(try await plane.get(.pod, "web") == nil)
            #expect(try await eventually {
                try await plane.kubectl("get", "events", "--field-selector", "involvedObject.name=web").stdout
                    .contains("Stopping container web")
            })
        }
    }

    @Test("the plane deletes a bound Pod gracefully, like kube-apiserver, and at once when forced or unbound")
    func gracefulDeletion() async throws {
        // No kubelet here: nothing ends the grace period but a forced delete.
        try await Plane.with(areas: []) { plane in
            try await plane.create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: bound}
                spec:
                  nodeName: elsewhere
                  terminationGracePeriodSeconds: 60
                  containers: [{name: app, image: nginx}]
                """)
            try await plane.create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: unbound}
                spec:
                  containers: [{name: app, image: nginx}]
                """)
            try await plane.kubectl("delete", "pod", "unbound")
            #expect(try await plane.get(.pod, "unbound") == nil)
            try await plane.kubectl("delete", "pod", "bound", "--wait=false")
            let marked = try #require(try await plane.get(.pod, "bound"))
            #expect(marked.deletionTimestamp != nil)
            #expect(marked.metadata["deletionGracePeriodSeconds"] == 60)
            #expect(Self.words(try await plane.kubectl("get", "pod", "bound", "--no-headers").stdout).prefix(3)
                == ["bound", "0/1", "Terminating"])
            try await plane.kubectl("delete", "pod", "bound", "--wait=false", "--grace-period=5")
            #expect(try await plane.get(.pod, "bound")?.metadata["deletionGracePeriodSeconds"] == 5)
            try await plane.kubectl("delete", "pod", "bound", "--grace-period=0", "--force")
            #expect(try await plane.get(.pod, "bound") == nil)
        }
    }
}
