@testable import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The StatefulSet controller on the embedded plane, observed as a user would (kubectl, the
/// objects, the Events). Pods are made Running and Ready by writing their status, as the
/// simulated node would.
@Suite("StatefulSet controller")
struct StatefulSetControllerTests {
    static func web(replicas: Int = 3, extra: String = "") -> String {
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: web}
        spec:
          serviceName: nginx
          replicas: \(replicas)
          selector: {matchLabels: {app: nginx}}
        \(extra)
          template:
            metadata: {labels: {app: nginx}}
            spec:
              containers:
              - name: nginx
                image: registry.k8s.io/nginx-slim:0.8
                ports: [{containerPort: 80, name: web}]
        """
    }

    @Test("Pods are created in order, each once the one before is Running and Ready, with kube's identity, revision and Events")
    func orderedCreation() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web())
            let first = try #require(try await plane.waitForPod("web-0"))
            // The set's one revision is named as kube-controller-manager v1.36 names it.
            let revisions = try await plane.list(.controllerRevision)
            #expect(revisions.map(\.name) == ["web-7cc9cf8cd5"])
            #expect(revisions.first?.object["revision"] == 1)
            #expect(revisions.first?.labels["controller.kubernetes.io/hash"] == "7cc9cf8cd5")
            #expect(revisions.first?.controllerReference?.kind == "StatefulSet")
            #expect(first.labels["controller-revision-hash"] == "web-7cc9cf8cd5")
            #expect(first.labels["statefulset.kubernetes.io/pod-name"] == "web-0")
            #expect(first.labels["apps.kubernetes.io/pod-index"] == "0")
            #expect(first.generateName == "web-")
            #expect(first.spec?["hostname"] == "web-0")
            #expect(first.spec?["subdomain"] == "nginx")
            #expect(first.controllerReference?.name == "web")

            // web-1 waits for web-0: the reconcile that counted web-0 created nothing more.
            #expect(try await eventually { try await plane.get(.statefulSet, "web")?.status?["replicas"] == 1 })
            try await plane.settle()
            #expect(try await plane.get(.pod, "web-1") == nil)
            try await plane.markReady("web-0")
            _ = try #require(try await plane.waitForPod("web-1"))
            #expect(try await plane.get(.pod, "web-2") == nil)
            try await plane.markReady("web-1")
            _ = try #require(try await plane.waitForPod("web-2"))
            try await plane.markReady("web-2")

            #expect(try await eventually {
                let status = try await plane.get(.statefulSet, "web")?.status
                return status?["readyReplicas"] == 3 && status?["availableReplicas"] == 3
            })
            let status = try #require(try await plane.get(.statefulSet, "web")?.status)
            #expect(status["replicas"] == 3)
            #expect(status["currentReplicas"] == 3)
            #expect(status["updatedReplicas"] == 3)
            #expect(status["currentRevision"] == "web-7cc9cf8cd5")
            #expect(status["updateRevision"] == "web-7cc9cf8cd5")
            #expect(status["collisionCount"] == 0)
            #expect(status["observedGeneration"] == 1)

            let rollout = try await plane.kubectl("rollout", "status", "statefulset/web", "--timeout=20s")
            #expect(rollout.stdout.contains("partitioned roll out complete: 3 new pods have been updated"))
            let get = try await plane.kubectl("get", "sts", "web")
            #expect(get.stdout.contains("3/3"))
            let messages = try await plane.eventMessages(reason: "SuccessfulCreate", atLeast: 3)
            #expect(messages.contains("Create Pod web-0 in StatefulSet web successful"))
            #expect(messages.contains("Create Pod web-2 in StatefulSet web successful"))
        }
    }

    @Test("kubectl scale removes the highest ordinal first, one Pod at a time")
    func scaleDown() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web(extra: "  podManagementPolicy: Parallel"))
            for name in ["web-0", "web-1", "web-2"] {
                _ = try #require(try await plane.waitForPod(name))
                try await plane.markReady(name)
            }
            try await plane.kubectl("scale", "statefulset", "web", "--replicas=1")
            #expect(try await eventually {
                let (one, two) = (try await plane.get(.pod, "web-1"), try await plane.get(.pod, "web-2"))
                return one == nil && two == nil
            })
            #expect(try await plane.get(.pod, "web-0") != nil)
            let deletes = try await plane.eventMessages(reason: "SuccessfulDelete", atLeast: 2)
            #expect(Set(deletes) == ["Delete Pod web-2 in StatefulSet web successful", "Delete Pod web-1 in StatefulSet web successful"])
            #expect(try await eventually { try await plane.get(.statefulSet, "web")?.status?["replicas"] == 1 })
        }
    }

    @Test("OrderedReady scale-down waits for the higher Pod to go before the next")
    func orderedScaleDown() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web())
            for name in ["web-0", "web-1", "web-2"] {
                _ = try #require(try await plane.waitForPod(name))
                try await plane.markReady(name)
            }
            try await plane.kubectl("scale", "statefulset", "web", "--replicas=1")
            #expect(try await eventually { try await plane.get(.pod, "web-1") == nil })
            let deletes = try await plane.eventMessages(reason: "SuccessfulDelete", atLeast: 2)
            #expect(deletes == ["Delete Pod web-2 in StatefulSet web successful", "Delete Pod web-1 in StatefulSet web successful"])
        }
    }

    @Test("a rolling update replaces Pods from the highest ordinal down to the partition; rollout history and undo use the revisions")
    func rollingUpdate() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web(extra: "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}"))
            for name in ["web-0", "web-1", "web-2"] {
                _ = try #require(try await plane.waitForPod(name))
                try await plane.markReady(name)
            }
            try await plane.kubectl("set", "image", "statefulset/web", "nginx=registry.k8s.io/nginx-slim:0.9")
            let updateRevision = try #require(try await plane.eventuallyValue {
                let status = try await plane.get(.statefulSet, "web")?.status
                return status?["updateRevision"] != status?["currentRevision"] ? status?["updateRevision"]?.stringValue : nil
            })
            // web-2 is replaced at the new revision; then web-1 once web-2 is ready; web-0 stays below the partition.
            #expect(try await eventually {
                try await plane.get(.pod, "web-2")?.labels["controller-revision-hash"] == updateRevision
            })
            #expect(try await eventually { try await plane.get(.statefulSet, "web")?.status?["updatedReplicas"] == 1 })
            try await plane.settle()
            #expect(try await plane.get(.pod, "web-1")?.labels["controller-revision-hash"] == "web-7cc9cf8cd5")
            try await plane.markReady("web-2")
            #expect(try await eventually {
                try await plane.get(.pod, "web-1")?.labels["controller-revision-hash"] == updateRevision
            })
            try await plane.markReady("web-1")
            #expect(try await eventually {
                try await plane.get(.statefulSet, "web")?.status?["updatedReplicas"] == 2
            })
            try await plane.settle()
            let status = try #require(try await plane.get(.statefulSet, "web")?.status)
            #expect(status["currentRevision"] == "web-7cc9cf8cd5")
            #expect(status["currentReplicas"] == 1)
            #expect(try await plane.get(.pod, "web-0")?.labels["controller-revision-hash"] == "web-7cc9cf8cd5")
            let partitioned = try await plane.kubectl("rollout", "status", "statefulset/web", "--timeout=10s")
            #expect(partitioned.stdout.contains("partitioned roll out complete: 2 new pods have been updated"))

            let history = try await plane.kubectl("rollout", "history", "statefulset/web")
            #expect(history.stdout.contains("1 ") && history.stdout.contains("2 "))
            // Undo returns to revision 1's template: its ControllerRevision is renumbered 3.
            try await plane.kubectl("rollout", "undo", "statefulset/web")
            #expect(try await eventually {
                let revision = try await plane.get(.controllerRevision, "web-7cc9cf8cd5")
                return revision?.object["revision"] == 3
            })
            #expect(try await eventually {
                try await plane.get(.statefulSet, "web")?.status?["updateRevision"] == "web-7cc9cf8cd5"
            })
        }
    }

    @Test("OnDelete replaces only the Pods deleted, at the update revision")
    func onDelete() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web(replicas: 2, extra: "  updateStrategy: {type: OnDelete}\n  podManagementPolicy: Parallel"))
            for name in ["web-0", "web-1"] {
                _ = try #require(try await plane.waitForPod(name))
                try await plane.markReady(name)
            }
            try await plane.kubectl("set", "image", "statefulset/web", "nginx=registry.k8s.io/nginx-slim:0.9")
            let updateRevision = try #require(try await plane.eventuallyValue {
                let status = try await plane.get(.statefulSet, "web")?.status
                return status?["updateRevision"] != status?["currentRevision"] ? status?["updateRevision"]?.stringValue : nil
            })
            try await plane.settle()
            #expect(try await plane.get(.pod, "web-1")?.labels["controller-revision-hash"] == "web-7cc9cf8cd5")
            try await plane.kubectl("delete", "pod", "web-1")
            #expect(try await eventually {
                try await plane.get(.pod, "web-1")?.labels["controller-revision-hash"] == updateRevision
            })
            #expect(try await plane.get(.pod, "web-0")?.labels["controller-revision-hash"] == "web-7cc9cf8cd5")
        }
    }

    @Test("volumeClaimTemplates: the plane serves no PersistentVolumeClaims and says so in a Warning Event; the Pod is created")
    func claims() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web(replicas: 1, extra: """
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
                """))
            let pod = try #require(try await plane.waitForPod("web-0"))
            #expect(pod.spec?["volumes"]?[0] == ["name": "data", "persistentVolumeClaim": ["claimName": "data-web-0"]])
            let warnings = try await plane.eventMessages(reason: "FailedCreate", atLeast: 1)
            #expect(warnings.contains { $0.hasPrefix("Create Claim data-web-0 for Pod web-0 in StatefulSet web failed error: the embedded plane serves no PersistentVolumeClaims") })
        }
    }

    @Test("a set deleted with --cascade=orphan and created again adopts its Pods and revision")
    func adoption() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web(replicas: 1))
            let pod = try #require(try await plane.waitForPod("web-0"))
            try await plane.kubectl("delete", "statefulset", "web", "--cascade=orphan")
            #expect(try await eventually { try await plane.get(.pod, "web-0")?.controllerReference == nil })
            let set = try #require(try await plane.create(Self.web(replicas: 1)).first)
            #expect(try await eventually { try await plane.get(.pod, "web-0")?.controllerReference?.uid == set.uid })
            #expect(try await eventually {
                try await plane.get(.controllerRevision, "web-7cc9cf8cd5")?.controllerReference?.uid == set.uid
            })
            #expect(try await plane.get(.pod, "web-0")?.uid == pod.uid)
            #expect(try await eventually { try await plane.eventMessages(reason: "SuccessfulCreate") == ["Create Pod web-0 in StatefulSet web successful"] })
        }
    }

    @Test("revisionHistoryLimit keeps that many revisions besides those in use, dropping the oldest")
    func historyLimit() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web(replicas: 0, extra: "  revisionHistoryLimit: 1"))
            for tag in ["0.9", "0.10"] {
                let count = try await plane.list(.controllerRevision).count
                #expect(try await eventually { try await plane.list(.controllerRevision).count > 0 })
                try await plane.kubectl("set", "image", "statefulset/web", "nginx=registry.k8s.io/nginx-slim:\(tag)")
                #expect(try await eventually { try await plane.list(.controllerRevision).count >= min(count + 1, 2) })
            }
            #expect(try await eventually {
                let numbers = try await plane.list(.controllerRevision).compactMap { $0.object["revision"]?.intValue }
                return numbers.sorted() == [2, 3]
            })
        }
    }

    @Test("with minReadySeconds a ready Pod counts as available only once it has been ready that long")
    func minReadySeconds() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web(replicas: 1, extra: "  minReadySeconds: 4"))
            _ = try #require(try await plane.waitForPod("web-0"))
            let marked = ContinuousClock.now
            try await plane.markReady("web-0")
            #expect(try await eventually { try await plane.get(.statefulSet, "web")?.status?["readyReplicas"] == 1 })
            // Ready since a whole second at most before `marked` (the condition's time has seconds only).
            if ContinuousClock.now - marked < .seconds(2) {
                #expect(try await plane.get(.statefulSet, "web")?.status?["availableReplicas"] == 0)
            }
            #expect(try await eventually(timeout: .seconds(15)) {
                try await plane.get(.statefulSet, "web")?.status?["availableReplicas"] == 1
            })
        }
    }

    @Test("a converged StatefulSet and DaemonSet, their Pods and revisions are not written again on a resync")
    func noWritesOnResync() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(DaemonSetControllerTests.node("mizzen"))
            try await plane.create(Self.web(replicas: 2, extra: "  podManagementPolicy: Parallel"))
            try await plane.create(DaemonSetControllerTests.agent())
            for name in ["web-0", "web-1"] {
                _ = try #require(try await plane.waitForPod(name))
                try await plane.markReady(name)
            }
            let agent = try #require(try await plane.eventuallyValue { try await DaemonSetControllerTests.pods(plane).first })
            try await plane.markReady(agent.name)
            #expect(try await eventually {
                let (set, daemonSet) = (try await plane.get(.statefulSet, "web"), try await plane.get(.daemonSet, "agent"))
                return set?.status?["availableReplicas"] == 2 && daemonSet?.status?["numberAvailable"] == 1
            })
            try await plane.settle()
            func versions() async throws -> [String: String] {
                var versions: [String: String] = [:]
                for kind in [GroupVersionKind.statefulSet, .daemonSet, .pod, .controllerRevision] {
                    for object in try await plane.list(kind) { versions["\(kind.kind)/\(object.name)"] = object.resourceVersion }
                }
                return versions
            }
            let before = try await versions()
            await plane.service.manager.resync()
            try await plane.settle()
            #expect(try await versions() == before)
        }
    }

    @Test("a failed Pod is deleted and created again")
    func failedPod() async throws {
        try await Plane.with(areas: [.statefulSetsAndDaemonSets]) { plane in
            try await plane.create(Self.web(replicas: 1))
            let pod = try #require(try await plane.waitForPod("web-0"))
            try await plane.setPodStatus("web-0", ["phase": "Failed"])
            #expect(try await eventually {
                guard let again = try await plane.get(.pod, "web-0") else { return false }
                return again.uid != pod.uid
            })
        }
    }
}

extension Plane {
    /// Waits for the Pod `name` to exist.
    func waitForPod(_ name: String, namespace: String = "default") async throws -> Resource? {
        var found: Resource?
        _ = try await eventually {
            found = try await get(.pod, name, namespace: namespace)
            return found != nil
        }
        return found
    }

    /// Polls `value` until it is not `nil`.
    func eventuallyValue<T: Sendable>(_ value: () async throws -> T?) async throws -> T? {
        var found: T?
        _ = try await eventually {
            found = try await value()
            return found != nil
        }
        return found
    }

    /// Writes a Pod's status as the node would: `status` merged in through the status subresource.
    func setPodStatus(_ name: String, _ status: JSONValue, namespace: String = "default") async throws {
        _ = try await client.patch(
            .pod, name: name, namespace: namespace, patch: ["status": status], type: .merge, subresource: "status")
    }

    /// Makes the Pod Running and Ready (since now).
    func markReady(_ name: String, namespace: String = "default") async throws {
        let now = JSONValue.string(ISO8601DateFormatter().string(from: Date()))
        try await setPodStatus(name, [
            "phase": "Running",
            "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": now]],
        ], namespace: namespace)
    }

    /// Lets the controllers work through what is queued.
    func settle() async throws {
        await service.manager.waitUntilIdle()
    }

    /// The messages of the Events with `reason`, oldest first.
    func eventMessages(reason: String, namespace: String = "default") async throws -> [String] {
        try await list(.event, namespace: namespace)
            .filter { $0.object["reason"]?.stringValue == reason }
            .sorted { ($0.creationTimestamp ?? "", $0.resourceVersion.flatMap { Int($0) } ?? 0) < ($1.creationTimestamp ?? "", $1.resourceVersion.flatMap { Int($0) } ?? 0) }
            .compactMap { $0.object["message"]?.stringValue }
    }

    /// The same, once there are at least `count` (or what there is after a while): Events are
    /// recorded in the background, after the change they report has been made.
    func eventMessages(reason: String, atLeast count: Int, namespace: String = "default") async throws -> [String] {
        var messages: [String] = []
        _ = try await eventually {
            messages = try await eventMessages(reason: reason, namespace: namespace)
            return messages.count >= count
        }
        return messages
    }
}
