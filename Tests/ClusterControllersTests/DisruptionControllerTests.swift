import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The disruption controller and the eviction subresource with plain kubectl, pods written by
/// the test (their status as a kubelet would report it).
@Suite("The disruption controller and evictions")
struct DisruptionControllerTests {
    static let budget = GroupVersionKind(group: "policy", version: "v1", kind: "PodDisruptionBudget")

    @Test("a budget's status counts the ready pods and the scale of their controller, as kube's does")
    func status() async throws {
        try await Plane.with(areas: [.policy]) { plane in
            try await plane.runningPods(of: plane.unmanagedReplicaSet("web", replicas: 4), count: 3, ready: 2)
            try await plane.kubectl("create", "pdb", "web", "--selector=app=web", "--min-available=2")
            try await plane.kubectl("create", "pdb", "half", "--selector=app=web-half", "--max-unavailable=50%")
            let web = try await plane.budgetStatus("web") { $0["currentHealthy"] == 2 }
            #expect(web["expectedPods"] == 3)
            #expect(web["desiredHealthy"] == 2)
            #expect(web["disruptionsAllowed"] == 0)
            #expect(web["observedGeneration"] == 1)
            #expect(web["conditions"]?[0]?["reason"] == "InsufficientPods")
            #expect(web["conditions"]?[0]?["status"] == "False")

            // One more ready pod: one disruption allowed.
            try await plane.reportPodStatus("web-2", ready: true)
            let allowed = try await plane.budgetStatus("web") { $0["disruptionsAllowed"] == 1 }
            #expect(allowed["conditions"]?[0]?["reason"] == "SufficientPods")
            let table = try await plane.kubectl("get", "pdb", "web")
            #expect(table.stdout.contains("web    2               N/A               1"))

            // A percentage resolves against the ReplicaSet's replicas (4), not the 3 pods.
            try await plane.relabel(["web-0", "web-1", "web-2"], app: "web-half")
            let half = try await plane.budgetStatus("half") { $0["currentHealthy"] == 3 }
            #expect(half["expectedPods"] == 4)
            #expect(half["desiredHealthy"] == 2)
            #expect(half["disruptionsAllowed"] == 1)
            let none = try await plane.budgetStatus("web") { $0["expectedPods"] == 0 }
            #expect(none["disruptionsAllowed"] == 0)
            _ = try await eventually(timeout: .seconds(10)) {
                try await plane.kubectl("get", "events", "--field-selector=involvedObject.name=web").stdout
                    .contains("No matching pods found")
            }
        }
    }

    @Test("a budget over pods whose controller has no scale fails its sync as kube's does")
    func syncFailed() async throws {
        try await Plane.with(areas: [.policy]) { plane in
            let job = try await plane.create("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: batch}
                spec:
                  template:
                    metadata: {labels: {app: batch}}
                    spec:
                      restartPolicy: Never
                      containers: [{name: main, image: busybox}]
                """)[0]
            try await plane.runningPods(of: job, count: 1, ready: 1, app: "batch")
            try await plane.kubectl("create", "pdb", "batch", "--selector=app=batch", "--max-unavailable=1")
            let status = try await plane.budgetStatus("batch") { $0["conditions"]?[0]?["reason"] == "SyncFailed" }
            #expect(status["conditions"]?[0]?["message"] == "jobs.batch does not implement the scale subresource")
            #expect(status["disruptionsAllowed"] == 0)
            let events = try await plane.kubectl("get", "events", "--field-selector=involvedObject.name=batch",
                                                 "-o", "jsonpath={.items[*].reason} {.items[*].source.component}")
            #expect(events.stdout.contains("CalculateExpectedPodCountFailed"))
            #expect(events.stdout.contains("controllermanager"))
        }
    }

    @Test("kubectl drain cordons the node and evicts only what the budget allows")
    func drain() async throws {
        // The simulated node runs the pods: the scheduler binds them, the kubelet makes them
        // ready and ends the evicted one after its grace period.
        try await Plane.with(areas: [.node, .policy], configure: { $0.node = .fast }) { plane in
            try await plane.runningPods(of: plane.unmanagedReplicaSet("web", replicas: 3), count: 3, ready: 3, onNode: false)
            try await plane.kubectl("create", "pdb", "web", "--selector=app=web", "--min-available=2")
            _ = try await plane.budgetStatus("web") { $0["disruptionsAllowed"] == 1 }

            let drain = try await plane.kubectl("drain", "mizzen", "--ignore-daemonsets", "--timeout=7s",
                                                allowFailure: true)
            #expect(drain.status != 0)
            #expect(drain.stdout.contains("node/mizzen cordoned"))
            #expect(drain.stderr.contains("Cannot evict pod as it would violate the pod's disruption budget."))
            let node = try #require(try await plane.get(.node, "mizzen", namespace: nil))
            #expect(node.spec?["unschedulable"] == true)
            _ = try await eventually(timeout: .seconds(10)) { try await plane.list(.pod).count == 2 }
            // The eviction took the one disruption; the controller then counts the two pods left.
            let status = try await plane.budgetStatus("web") { $0["expectedPods"] == 2 }
            #expect(status["currentHealthy"] == 2)
            #expect(status["disruptionsAllowed"] == 0)
        }
    }

    @Test("an eviction the budget forbids is a 429 with kube's DisruptionBudget cause")
    func evictionRefused() async throws {
        try await Plane.with(areas: [.policy]) { plane in
            try await plane.runningPods(of: plane.unmanagedReplicaSet("web", replicas: 2), count: 2, ready: 2)
            try await plane.kubectl("create", "pdb", "web", "--selector=app=web", "--min-available=2")
            _ = try await plane.budgetStatus("web") { $0["currentHealthy"] == 2 }
            let eviction = try Resource([
                "apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "web-0", "namespace": "default"],
            ])
            do {
                try await plane.client.create(eviction, subresource: "eviction", of: .pod, name: "web-0", namespace: "default")
                Issue.record("the eviction was allowed")
            } catch let error as APIError {
                #expect(error.code == 429)
                #expect(error.reason == .tooManyRequests)
                #expect(error.message == "Cannot evict pod as it would violate the pod's disruption budget.")
                #expect(error.causes.map(\.type) == ["DisruptionBudget"])
                #expect(error.causes.first?.message == "The disruption budget web needs 2 healthy pods and has 2 currently")
            }
            #expect(try await plane.get(.pod, "web-0") != nil)

            // An unready pod does not count against a budget whose healthy pods suffice.
            try await plane.create("""
                apiVersion: v1
                kind: Pod
                metadata: {name: extra, labels: {app: web}}
                spec: {containers: [{name: main, image: nginx}]}
                """)
            try await plane.reportPodStatus("extra", ready: false)
            let unready = try Resource([
                "apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "extra", "namespace": "default"],
            ])
            try await plane.client.create(unready, subresource: "eviction", of: .pod, name: "extra", namespace: "default")
            #expect(try await plane.get(.pod, "extra") == nil)

            // Below the budget, an unready pod goes only with the AlwaysAllow policy.
            try await plane.reportPodStatus("web-1", ready: false)
            _ = try await plane.budgetStatus("web") { $0["currentHealthy"] == 1 }
            let stuck = try Resource([
                "apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "web-1", "namespace": "default"],
            ])
            await #expect(throws: APIError.self) {
                try await plane.client.create(stuck, subresource: "eviction", of: .pod, name: "web-1", namespace: "default")
            }
            try await plane.kubectl("patch", "pdb", "web", "--type=merge", "-p",
                                    #"{"spec":{"unhealthyPodEvictionPolicy":"AlwaysAllow"}}"#)
            try await plane.client.create(stuck, subresource: "eviction", of: .pod, name: "web-1", namespace: "default")
            // Bound to a node: deleted gracefully (no kubelet runs here to finish it), marked as evicted.
            let evicted = try #require(try await plane.get(.pod, "web-1"))
            #expect(evicted.deletionTimestamp != nil)
            let target = evicted.status?["conditions"]?.arrayValue?.first { $0["type"] == "DisruptionTarget" }
            #expect(target?["reason"] == "EvictionByEvictionAPI")
            #expect(target?["message"] == "Eviction API: evicting")
        }
    }
}

extension Plane {
    /// A ReplicaSet `name` selecting `app=<name>`, which no controller runs here.
    func unmanagedReplicaSet(_ name: String, replicas: Int) async throws -> Resource {
        try await create("""
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: \(name)}
            spec:
              replicas: \(replicas)
              selector: {matchLabels: {app: \(name)}}
              template:
                metadata: {labels: {app: \(name)}}
                spec: {containers: [{name: main, image: nginx}]}
            """)[0]
    }

    /// Creates `count` running pods `<owner>-0…` controlled by `owner`, on the node `mizzen`,
    /// the first `ready` of them ready; with `onNode` false, pods for the scheduler and the
    /// simulated kubelet to run instead.
    func runningPods(of owner: Resource, count: Int, ready: Int, app: String? = nil, onNode: Bool = true) async throws {
        for index in 0..<count {
            let name = "\(owner.name)-\(index)"
            var pod = try Resource([
                "apiVersion": "v1", "kind": "Pod",
                "metadata": ["name": .string(name), "namespace": "default", "labels": ["app": .string(app ?? owner.name)]],
                "spec": ["restartPolicy": owner.kind == "Job" ? "Never" : "Always", "terminationGracePeriodSeconds": 1,
                         "containers": [["name": "main", "image": "nginx"]]],
            ])
            if onNode { pod.object["spec"]?["nodeName"] = "mizzen" }
            pod.withMetadata { $0["ownerReferences"] = [OwnerReference(
                apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid ?? "",
                controller: true, blockOwnerDeletion: true).json] }
            _ = try await client.create(pod)
            if onNode { try await reportPodStatus(name, ready: index < ready) }
        }
    }

    /// Writes a Running status, ready or not, as a kubelet would.
    func reportPodStatus(_ name: String, ready: Bool) async throws {
        let now = KubernetesTime.now
        _ = try await client.patch(.pod, name: name, namespace: "default", patch: ["status": [
            "phase": "Running",
            "conditions": [["type": "Ready", "status": ready ? "True" : "False", "lastTransitionTime": .string(now)]],
        ]], type: .merge, subresource: "status")
    }

    /// Sets the `app` label of the pods `names`.
    func relabel(_ names: [String], app: String) async throws {
        for name in names {
            _ = try await client.patch(.pod, name: name, namespace: "default",
                                       patch: ["metadata": ["labels": ["app": .string(app)]]], type: .merge)
        }
    }

    /// The status of the budget `name` once `condition` holds of it (fails the test otherwise).
    func budgetStatus(_ name: String, until condition: @escaping (JSONValue) -> Bool) async throws -> JSONValue {
        var status: JSONValue = .null
        let reached = try await eventually(timeout: .seconds(15)) {
            status = try await get(DisruptionControllerTests.budget, name)?.status ?? .null
            return condition(status)
        }
        #expect(reached, "PodDisruptionBudget \(name) never reached the expected status; last: \(status)")
        return status
    }
}

/// The budget, the autoscaler and the eviction with the whole chain running: Deployments roll
/// out through ReplicaSets to Pods the simulated node runs.
@Suite("Budgets and autoscalers over Deployments on the simulated node")
struct DisruptionNodeChainTests {
    @Test("kubectl drain leaves a Deployment's budget whole; kubectl autoscale scales it to the minimum")
    func drainAndAutoscale() async throws {
        try await Plane.with(areas: [.node, .deployments, .policy], configure: {
            $0.node = .fast
            $0.horizontalPodAutoscaler.syncPeriod = .milliseconds(500)
        }) { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
            try await plane.kubectl("create", "pdb", "web", "--selector=app=web", "--max-unavailable=1")
            // maxUnavailable resolves against the Deployment's replicas, through its ReplicaSet.
            let status = try await plane.budgetStatus("web") { $0["currentHealthy"] == 3 }
            #expect(status["expectedPods"] == 3)
            #expect(status["desiredHealthy"] == 2)
            #expect(status["disruptionsAllowed"] == 1)

            let drain = try await plane.kubectl("drain", "mizzen", "--ignore-daemonsets", "--timeout=8s",
                                                allowFailure: true)
            #expect(drain.status != 0)
            #expect(drain.stdout.contains("node/mizzen cordoned"))
            #expect(drain.stdout.contains("evicting pod default/web-"))
            #expect(drain.stderr.contains("Cannot evict pod as it would violate the pod's disruption budget."))
            // The replacement cannot be scheduled on the cordoned node: two pods stay ready.
            let after = try await plane.budgetStatus("web") { $0["currentHealthy"] == 2 && $0["expectedPods"] == 3 }
            #expect(after["disruptionsAllowed"] == 0)
            let pending = try await plane.list(.pod).filter { Pods.phase(of: $0) == "Pending" }
            #expect(pending.count == 1)

            try await plane.kubectl("uncordon", "mizzen")
            try await plane.kubectl("autoscale", "deployment", "web", "--min=4", "--max=6", "--cpu-percent=80")
            _ = try await eventually(timeout: .seconds(15)) {
                try await plane.get(.deployment, "web")?.spec?["replicas"] == 4
            }
            let budget = try await plane.budgetStatus("web") { $0["currentHealthy"] == 4 }
            #expect(budget["expectedPods"] == 4)
            #expect(budget["disruptionsAllowed"] == 1)
        }
    }
}
