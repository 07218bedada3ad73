import BuiltinKinds
@testable import ClusterControllers
import Foundation
import OrderedCollections
import Resources
import Testing

/// The simulated node's pure parts: image references, kube-scheduler's fit checks and
/// messages, the Pod timeline and the statuses kubelet writes, Pod IPs.
@Suite("Simulated node model")
struct NodeModelTests {
    static func resource(_ yaml: String) throws -> Resource {
        try Resource(try DocumentDecoder.decode(yaml, file: "test.yaml")[0].value)
    }

    static let node = try! resource("""
        apiVersion: v1
        kind: Node
        metadata: {name: mizzen, labels: {kubernetes.io/os: linux, kubernetes.io/hostname: mizzen}}
        spec: {}
        status: {allocatable: {cpu: "2", memory: 4Gi, pods: "3"}}
        """)

    static func pod(_ spec: String, annotations: String = "{}", name: String = "web") throws -> Resource {
        try resource("""
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name), namespace: default, uid: 11111111-2222-3333-4444-555555555555, generation: 1, annotations: \(annotations)}
            spec: \(spec)
            """)
    }

    @Test("image references are normalised as the runtime reports them, with a stable digest; .invalid registries never pull")
    func images() {
        let nginx = ImageReference("nginx")
        #expect(nginx.normalized == "docker.io/library/nginx:latest")
        #expect(nginx.imageID.hasPrefix("docker.io/library/nginx@sha256:"))
        #expect(nginx.imageID.count == "docker.io/library/nginx@sha256:".count + 64)
        #expect(nginx.imageID == ImageReference("nginx").imageID)
        #expect(nginx.imageID != ImageReference("nginx:1.27").imageID)
        #expect(ImageReference("ghcr.io/org/app:v2").normalized == "ghcr.io/org/app:v2")
        #expect(ImageReference("localhost:5000/app").normalized == "localhost:5000/app:latest")
        #expect(ImageReference("org/app").normalized == "docker.io/org/app:latest")
        #expect(!nginx.neverPulls)
        #expect(ImageReference("registry.invalid/app:1").neverPulls)
        #expect(ImageReference("registry.invalid:5000/app").neverPulls)
        #expect(ImageReference("registry.invalid/app:1").pullError.hasSuffix("lookup registry.invalid: no such host"))
    }

    @Test("Go durations read as kube's messages print them")
    func durations() {
        #expect(GoDuration.format(0.1) == "100ms")
        #expect(GoDuration.format(10) == "10s")
        #expect(GoDuration.format(1.5) == "1.5s")
        #expect(GoDuration.format(80) == "1m20s")
        #expect(GoDuration.format(300) == "5m0s")
    }

    @Test("a Pod that fits gets no reasons; one that does not gets kube-scheduler's first failing filter")
    func fit() throws {
        let small = try Self.pod("{containers: [{name: c, image: nginx, resources: {requests: {cpu: 500m}}}]}")
        #expect(PodFit.reasons(pod: small, node: Self.node, boundPods: []).isEmpty)
        let big = try Self.pod("{containers: [{name: c, image: nginx, resources: {requests: {cpu: '3', memory: 8Gi}}}]}")
        #expect(PodFit.reasons(pod: big, node: Self.node, boundPods: []) == ["Insufficient cpu", "Insufficient memory"])
        #expect(PodFit.reasons(pod: small, node: Self.node, boundPods: [small, small, small]) == ["Too many pods"])
        #expect(PodFit.reasons(pod: small, node: Self.node, boundPods: [small, small]).isEmpty)
        let selected = try Self.pod("{nodeSelector: {disk: ssd}, containers: [{name: c, image: nginx}]}")
        #expect(PodFit.reasons(pod: selected, node: Self.node, boundPods: []) == ["node(s) didn't match Pod's node affinity/selector"])
        let affine = try Self.pod("""
            {affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [
              {matchExpressions: [{key: kubernetes.io/os, operator: In, values: [linux]}]}]}}},
             containers: [{name: c, image: nginx}]}
            """)
        #expect(PodFit.reasons(pod: affine, node: Self.node, boundPods: []).isEmpty)
        var tainted = Self.node
        tainted.spec = ["taints": [["key": "dedicated", "value": "db", "effect": "NoSchedule"]]]
        #expect(PodFit.reasons(pod: small, node: tainted, boundPods: []) == ["node(s) had untolerated taint(s)"])
        let tolerant = try Self.pod("""
            {tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}], containers: [{name: c, image: nginx}]}
            """)
        #expect(PodFit.reasons(pod: tolerant, node: tainted, boundPods: []).isEmpty)
        var cordoned = Self.node
        cordoned.spec = ["unschedulable": true]
        #expect(PodFit.reasons(pod: small, node: cordoned, boundPods: []) == ["node(s) were unschedulable"])
    }

    @Test("the FailedScheduling message has kube-scheduler's shape, preemption part included")
    func messages() throws {
        let pod = try Self.pod("{containers: [{name: c, image: nginx}]}")
        #expect(PodFit.message(reasons: ["Insufficient cpu"], pod: pod)
            == "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")
        #expect(PodFit.message(reasons: ["node(s) didn't match Pod's node affinity/selector"], pod: pod)
            == "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")
        let never = try Self.pod("{preemptionPolicy: Never, containers: [{name: c, image: nginx}]}")
        #expect(PodFit.message(reasons: ["Insufficient cpu", "Insufficient memory"], pod: never)
            == "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: not eligible due to preemptionPolicy=Never.")
    }

    static let timing: PodSimulation.Timing = {
        var options = NodeOptions()
        options.stepDuration = .seconds(1)
        options.jobRunDuration = .seconds(5)
        options.crashAfter = .seconds(2)
        options.backOff = .seconds(10)
        options.maximumBackOff = .seconds(300)
        return PodSimulation.Timing(options)
    }()
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func status(_ pod: Resource, at seconds: Double) -> JSONObject {
        PodSimulation(pod: pod, timing: timing, start: start)
            .status(at: start.addingTimeInterval(seconds), current: nil, hostIP: "127.0.0.1", podIP: "10.244.0.2")
    }

    static func conditions(_ status: JSONObject) -> [String: String] {
        var result: [String: String] = [:]
        for condition in status["conditions"]?.arrayValue ?? [] {
            result[condition["type"]?.stringValue ?? ""] = condition["status"]?.stringValue
        }
        return result
    }

    @Test("a Pod is ContainerCreating, then Running and Ready, with kubelet's conditions in kubelet's order")
    func runs() throws {
        let pod = try Self.pod("{containers: [{name: web, image: nginx}]}")
        let creating = Self.status(pod, at: 0.5)
        #expect(creating["phase"] == "Pending")
        #expect(creating["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"] == "ContainerCreating")
        #expect(creating["containerStatuses"]?[0]?["image"] == "nginx")
        #expect(creating["containerStatuses"]?[0]?["imageID"] == "")
        #expect(Self.conditions(creating)["Ready"] == "False")
        #expect(creating["conditions"]?[2]?["message"] == "containers with unready status: [web]")
        let running = Self.status(pod, at: 1.5)
        #expect(running["phase"] == "Running")
        #expect((running["conditions"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }
            == ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
        #expect(Self.conditions(running).values.allSatisfy { $0 == "True" })
        let container = try #require(running["containerStatuses"]?[0])
        #expect(container["ready"] == true)
        #expect(container["started"] == true)
        #expect(container["image"] == "docker.io/library/nginx:latest")
        #expect(container["containerID"]?.stringValue?.hasPrefix("mizzen://") == true)
        #expect(container["state"]?["running"]?["startedAt"] == .string(KubernetesTimeText.at(Self.start.addingTimeInterval(1))))
        #expect(running["podIP"] == "10.244.0.2")
        #expect(running["observedGeneration"] == 1)
    }

    @Test("a readiness probe's initial delay holds Ready back; never-ready holds it forever")
    func readiness() throws {
        let probed = try Self.pod("{containers: [{name: web, image: nginx, readinessProbe: {initialDelaySeconds: 5}}]}")
        #expect(Self.conditions(Self.status(probed, at: 3))["Ready"] == "False")
        #expect(Self.conditions(Self.status(probed, at: 6.5))["Ready"] == "True")
        let unready = try Self.pod("{containers: [{name: web, image: nginx}]}", annotations: "{mizzen.dev/never-ready: 'true'}")
        let status = Self.status(unready, at: 100)
        #expect(status["phase"] == "Running")
        #expect(Self.conditions(status)["Ready"] == "False")
    }

    @Test("init containers run to completion one after the other before the containers start")
    func initContainers() throws {
        let pod = try Self.pod("{initContainers: [{name: i1, image: busybox}, {name: i2, image: busybox}], containers: [{name: app, image: nginx}]}")
        let first = Self.status(pod, at: 1.5)
        #expect(first["phase"] == "Pending")
        #expect(first["initContainerStatuses"]?[0]?["state"]?["running"] != nil)
        #expect(first["initContainerStatuses"]?[1]?["state"]?["waiting"]?["reason"] == "PodInitializing")
        #expect(first["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"] == "PodInitializing")
        #expect(first["conditions"]?[1]?["message"] == "containers with incomplete status: [i1 i2]")
        let second = Self.status(pod, at: 2.5)
        #expect(second["initContainerStatuses"]?[0]?["state"]?["terminated"]?["reason"] == "Completed")
        #expect(second["initContainerStatuses"]?[0]?["ready"] == true)
        #expect(second["initContainerStatuses"]?[1]?["state"]?["running"] != nil)
        let done = Self.status(pod, at: 3.5)
        #expect(done["phase"] == "Running")
        #expect(Self.conditions(done)["Initialized"] == "True")
        #expect(done["containerStatuses"]?[0]?["ready"] == true)
    }

    @Test("an image under .invalid alternates ErrImagePull and ImagePullBackOff and the Pod stays Pending")
    func invalidImage() throws {
        let pod = try Self.pod("{containers: [{name: app, image: registry.invalid/app:1}]}")
        let failed = Self.status(pod, at: 1.5)
        #expect(failed["phase"] == "Pending")
        #expect(failed["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"] == "ErrImagePull")
        let backOff = Self.status(pod, at: 5)
        #expect(backOff["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"] == "ImagePullBackOff")
        #expect(backOff["containerStatuses"]?[0]?["state"]?["waiting"]?["message"]?.stringValue?
            .hasPrefix("Back-off pulling image \"registry.invalid/app:1\": ErrImagePull: ") == true)
        #expect(Self.status(pod, at: 11.5)["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"] == "ErrImagePull")
        #expect(Self.status(pod, at: 1000)["containerStatuses"]?[0]?["ready"] == false)
    }

    @Test("a crash-looping container restarts at once, then with kubelet's doubling back-off")
    func crashLoop() throws {
        let pod = try Self.pod("{containers: [{name: app, image: busybox}]}", annotations: "{mizzen.dev/crash-loop: app}")
        // Starts at 1, exits at 3 (shown as Error for one step), runs again at 4, exits at 6,
        // backs off 10s to 16, exits at 18, backs off 20s.
        #expect(Self.status(pod, at: 3.5)["containerStatuses"]?[0]?["state"]?["terminated"]?["reason"] == "Error")
        let second = Self.status(pod, at: 4.5)
        #expect(second["containerStatuses"]?[0]?["restartCount"] == 1)
        #expect(second["containerStatuses"]?[0]?["lastState"]?["terminated"]?["exitCode"] == 1)
        let backOff = Self.status(pod, at: 8)
        #expect(backOff["phase"] == "Running")
        #expect(backOff["containerStatuses"]?[0]?["state"]?["waiting"]?["reason"] == "CrashLoopBackOff")
        #expect(backOff["containerStatuses"]?[0]?["state"]?["waiting"]?["message"]
            == "back-off 10s restarting failed container=app pod=web_default(11111111-2222-3333-4444-555555555555)")
        #expect(Self.status(pod, at: 17)["containerStatuses"]?[0]?["restartCount"] == 2)
        #expect(Self.status(pod, at: 25)["containerStatuses"]?[0]?["state"]?["waiting"]?["message"]?.stringValue?
            .hasPrefix("back-off 20s") == true)
    }

    @Test("Pods that never restart complete: exit 0 Succeeded, another code Failed; OnFailure restarts in place")
    func jobs() throws {
        let succeeds = try Self.pod("{restartPolicy: Never, containers: [{name: c, image: busybox}]}")
        let done = Self.status(succeeds, at: 7)
        #expect(done["phase"] == "Succeeded")
        #expect(done["containerStatuses"]?[0]?["state"]?["terminated"]?["reason"] == "Completed")
        #expect(Self.conditions(done)["Ready"] == "False")
        #expect(done["conditions"]?[2]?["reason"] == "PodCompleted")
        let fails = try Self.pod("{restartPolicy: Never, containers: [{name: c, image: busybox}]}",
                                 annotations: "{mizzen.dev/exit-code: '3', mizzen.dev/run-seconds: '1'}")
        let failed = Self.status(fails, at: 3)
        #expect(failed["phase"] == "Failed")
        #expect(failed["containerStatuses"]?[0]?["state"]?["terminated"]?["exitCode"] == 3)
        #expect(failed["conditions"]?[2]?["reason"] == "PodFailed")
        let retries = try Self.pod("{restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}",
                                   annotations: "{mizzen.dev/exit-code: '2'}")
        let retried = Self.status(retries, at: 8)
        #expect(retried["phase"] == "Running")
        #expect(retried["containerStatuses"]?[0]?["restartCount"] == 1)
    }

    @Test("the node's capacity is written as the API server stores quantities, so a report equals what it reads back")
    func canonicalCapacity() {
        var options = NodeOptions()
        options.maxPods = 1_000
        let (capacity, allocatable) = NodeManifest.resources(options, machine: .current())
        #expect(capacity["pods"] == "1k" && allocatable["pods"] == "1k")
        for (_, value) in capacity.merging(allocatable, uniquingKeysWith: { a, _ in a }) {
            let text = value.stringValue ?? ""
            #expect(Quantity.canonical(text) == text, "\(text) is not in the stored form")
        }
    }

    @Test("pod IPs come from the pod CIDR round-robin, one per live pod, kept by their pod")
    func addresses() {
        let allocator = PodIPAllocator(cidr: "10.244.0.0/24")
        #expect(allocator.address(for: "a", inUse: [], live: ["a"]) == "10.244.0.2")
        #expect(allocator.address(for: "b", inUse: [], live: ["a", "b"]) == "10.244.0.3")
        #expect(allocator.address(for: "a", inUse: [], live: ["a", "b"]) == "10.244.0.2")
        #expect(allocator.address(for: "c", inUse: ["10.244.0.4"], live: ["b", "c"]) == "10.244.0.5")
        let tiny = PodIPAllocator(cidr: "10.0.0.0/30")
        #expect(tiny.address(for: "a", inUse: [], live: ["a"]) == "10.0.0.2")
        #expect(tiny.address(for: "b", inUse: [], live: ["a", "b"]) == nil)
    }
}

/// RFC 3339 to the second, as statuses carry times.
enum KubernetesTimeText {
    static func at(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)) }
}
