@testable import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources
import Synchronization
import TestSupport
import Testing

@Suite("The Job controller")
struct JobControllerTests {
    @Test("kubectl create job runs one Pod to completion, counted through the tracking finalizer")
    func createJobCompletes() async throws {
        try await Plane.with(areas: [.jobs]) { plane in
            try await plane.kubectl("create", "job", "pi", "--image=busybox", "--", "echo", "hi")
            let pod = try await plane.waitForJobPods(of: "pi", count: 1)[0]
            let job = try #require(try await plane.get(.job, "pi"))
            #expect(pod.name.hasPrefix("pi-"))
            #expect(pod.finalizers == ["batch.kubernetes.io/job-tracking"])
            #expect(pod.controllerReference?.uid == job.uid)
            for key in ["batch.kubernetes.io/controller-uid", "controller-uid"] { #expect(pod.labels[key] == job.uid) }
            for key in ["batch.kubernetes.io/job-name", "job-name"] { #expect(pod.labels[key] == "pi") }
            #expect(try await eventually { try await plane.get(.job, "pi")?.status?["active"] == 1 })

            try await plane.finishJobPod(pod)
            try await plane.kubectl("wait", "--for=condition=complete", "job/pi", "--timeout=20s")
            let done = try #require(try await plane.get(.job, "pi"))
            let status = try #require(done.status)
            #expect(status["conditions"]?.arrayValue?.map { $0["type"] } == ["SuccessCriteriaMet", "Complete"])
            #expect(status["conditions"]?[1]?["reason"] == "CompletionsReached")
            #expect(status["conditions"]?[1]?["message"] == "Reached expected number of succeeded pods")
            #expect(status["succeeded"] == 1 && status["active"] == nil && status["ready"] == 0 && status["terminating"] == 0)
            #expect(status["uncountedTerminatedPods"] == .emptyObject)
            #expect(status["completionTime"]?.stringValue != nil && status["startTime"]?.stringValue != nil)
            #expect(try await eventually { try await plane.get(.pod, pod.name)?.finalizers.isEmpty == true })

            #expect(try await eventually {
                let events = try await plane.jobEvents(of: "pi")
                return events.contains { $0.reason == "SuccessfulCreate" && $0.message == "Created pod: \(pod.name)" }
                    && events.contains { $0.reason == "Completed" && $0.message == "Job completed" && $0.component == "job-controller" }
            })
            let table = try await plane.kubectl("get", "jobs").stdout
            #expect(table.contains("Complete") && table.contains("1/1"))
            let describe = try await plane.kubectl("describe", "job", "pi").stdout
            #expect(describe.contains("0 Active (0 Ready) / 1 Succeeded / 0 Failed"))
        }
    }

    @Test("a Job failing more often than its backoffLimit fails with BackoffLimitExceeded after replacing Pods")
    func backoffLimit() async throws {
        try await Plane.with(areas: [.jobs], configure: { $0.jobs.podFailureBackoff = .milliseconds(200) }) { plane in
            try await plane.create("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: flaky}
                spec:
                  backoffLimit: 1
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: c, image: busybox}]
                """)
            let first = try await plane.waitForJobPods(of: "flaky", count: 1)[0]
            try await plane.finishJobPod(first, exitCode: 1)
            let second = try await plane.waitForJobPods(of: "flaky", count: 2).first { $0.name != first.name }
            try await plane.finishJobPod(try #require(second), exitCode: 1)
            try await plane.kubectl("wait", "--for=condition=failed", "job/flaky", "--timeout=20s")
            let status = try #require(try await plane.get(.job, "flaky")?.status)
            #expect(status["failed"] == 2 && status["succeeded"] == nil && status["completionTime"] == nil)
            #expect(status["conditions"]?.arrayValue?.map { $0["type"] } == ["FailureTarget", "Failed"])
            #expect(status["conditions"]?[1]?["reason"] == "BackoffLimitExceeded")
            #expect(status["conditions"]?[1]?["message"] == "Job has reached the specified backoff limit")
            #expect(try await eventually {
                try await plane.jobEvents(of: "flaky").contains {
                    $0.reason == "BackoffLimitExceeded" && $0.type == "Warning" && $0.message == "Job has reached the specified backoff limit"
                }
            })
        }
    }

    @Test("activeDeadlineSeconds fails the Job with DeadlineExceeded and deletes its running Pods")
    func deadline() async throws {
        try await Plane.with(areas: [.jobs]) { plane in
            try await plane.create("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: slow}
                spec:
                  activeDeadlineSeconds: 1
                  parallelism: 2
                  completions: 4
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: c, image: busybox}]
                """)
            try await plane.kubectl("wait", "--for=condition=failed", "job/slow", "--timeout=20s")
            let status = try #require(try await plane.get(.job, "slow")?.status)
            #expect(status["conditions"]?[1]?["reason"] == "DeadlineExceeded")
            #expect(status["conditions"]?[1]?["message"] == "Job was active longer than specified deadline")
            #expect(status["failed"] == 2 && status["active"] == nil)
            #expect(try await eventually { try await plane.jobPods(of: "slow").isEmpty })
            #expect(try await eventually {
                let events = try await plane.jobEvents(of: "slow")
                return events.filter { $0.reason == "SuccessfulDelete" && $0.message.hasPrefix("Deleted pod: slow-") }.count == 2
                    && events.contains { $0.reason == "DeadlineExceeded" && $0.type == "Warning" }
            })
        }
    }

    @Test("an Indexed Job gives each Pod its index and reports the completed indexes")
    func indexedJob() async throws {
        try await Plane.with(areas: [.jobs]) { plane in
            try await plane.create("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: ix}
                spec:
                  completions: 3
                  parallelism: 2
                  completionMode: Indexed
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: c, image: busybox}]
                """)
            let pods = try await plane.waitForJobPods(of: "ix", count: 2)
            let zero = try #require(pods.first { $0.annotations["batch.kubernetes.io/job-completion-index"] == "0" })
            #expect(zero.name.hasPrefix("ix-0-"))
            #expect(zero.labels["batch.kubernetes.io/job-completion-index"] == "0")
            #expect(zero.spec?["hostname"] == "ix-0")
            #expect(zero.spec?["containers"]?[0]?["env"]?[0]?["name"] == "JOB_COMPLETION_INDEX")
            #expect(zero.spec?["containers"]?[0]?["env"]?[0]?["valueFrom"]?["fieldRef"]?["fieldPath"]
                == "metadata.labels['batch.kubernetes.io/job-completion-index']")
            for pod in pods { try await plane.finishJobPod(pod) }
            let third = try await plane.waitForJobPods(of: "ix", count: 3)
            #expect(third.count == 3)
            let last = try await plane.list(.pod, labelSelector: "batch.kubernetes.io/job-completion-index=2").first
            #expect(try await eventually {
                try await plane.get(.job, "ix")?.status?["completedIndexes"] == "0,1"
            })
            try await plane.finishJobPod(try #require(last))
            try await plane.kubectl("wait", "--for=condition=complete", "job/ix", "--timeout=20s")
            let status = try #require(try await plane.get(.job, "ix")?.status)
            #expect(status["completedIndexes"] == "0-2" && status["succeeded"] == 3)
        }
    }

    @Test("a suspended Job runs no Pods and says so; resumed, it starts them")
    func suspend() async throws {
        try await Plane.with(areas: [.jobs]) { plane in
            try await plane.create("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: later}
                spec:
                  suspend: true
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: c, image: busybox}]
                """)
            #expect(try await eventually {
                try await plane.get(.job, "later")?.status?["conditions"]?[0]?["reason"] == "JobSuspended"
            })
            #expect(try await plane.jobPods(of: "later").isEmpty)
            #expect(try await plane.get(.job, "later")?.status?["startTime"] == nil)
            try await plane.kubectl("patch", "job", "later", "--type=merge", "-p", #"{"spec":{"suspend":false}}"#)
            _ = try await plane.waitForJobPods(of: "later", count: 1)
            // The controller writes the condition after it creates the Pods.
            #expect(try await eventually {
                let condition = try await plane.get(.job, "later")?.status?["conditions"]?[0]
                return condition?["status"] == "False" && condition?["reason"] == "JobResumed"
            })
            #expect(try await eventually {
                let reasons = try await plane.jobEvents(of: "later").map(\.reason)
                return reasons.contains("Suspended") && reasons.contains("Resumed")
            })
        }
    }

    @Test("ttlSecondsAfterFinished deletes the finished Job and its Pods")
    func ttlAfterFinished() async throws {
        try await Plane.with(areas: [.jobs]) { plane in
            try await plane.create("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: brief}
                spec:
                  ttlSecondsAfterFinished: 1
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: c, image: busybox}]
                """)
            let pod = try await plane.waitForJobPods(of: "brief", count: 1)[0]
            try await plane.finishJobPod(pod)
            #expect(try await eventually { try await plane.get(.job, "brief") == nil })
            #expect(try await eventually { try await plane.get(.pod, pod.name) == nil })
        }
    }

    @Test("a FailJob rule of the pod failure policy fails the Job at the first matching exit code")
    func podFailurePolicy() async throws {
        try await Plane.with(areas: [.jobs]) { plane in
            try await plane.create("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: strict}
                spec:
                  podFailurePolicy:
                    rules:
                    - action: FailJob
                      onExitCodes: {operator: In, values: [42]}
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: main, image: busybox}]
                """)
            let pod = try await plane.waitForJobPods(of: "strict", count: 1)[0]
            try await plane.finishJobPod(pod, exitCode: 42)
            try await plane.kubectl("wait", "--for=condition=failed", "job/strict", "--timeout=20s")
            let failed = try #require(try await plane.get(.job, "strict")?.status?["conditions"]?[1])
            #expect(failed["reason"] == "PodFailurePolicy")
            #expect(failed["message"] == .string(
                "Container main for pod default/\(pod.name) failed with exit code 42 matching FailJob rule at index 0"))
        }
    }
}

/// A clock tests move by hand (CronJob schedules without waiting for the minute).
final class TestClock: Sendable {
    private let date: Mutex<Date>

    init(_ date: Date = Date()) {
        self.date = Mutex(date)
    }

    var now: Date { date.withLock { $0 } }

    /// Moves the clock `seconds` past the later of its time and the real one (objects the
    /// server created meanwhile carry the real time).
    func advance(by seconds: TimeInterval) {
        date.withLock { $0 = max($0, Date()).addingTimeInterval(seconds) }
    }
}

/// An Event as the tests read it.
struct SeenEvent {
    var type: String
    var reason: String
    var message: String
    var component: String
}

extension Plane {
    /// The Pods of the Job `job` (by its `job-name` label), oldest first.
    func jobPods(of job: String) async throws -> [Resource] {
        try await list(.pod, labelSelector: "batch.kubernetes.io/job-name=\(job)")
            .sorted { ($0.creationTimestamp ?? "", $0.name) < ($1.creationTimestamp ?? "", $1.name) }
    }

    /// Waits until the Job `job` has at least `count` Pods; returns them.
    func waitForJobPods(of job: String, count: Int) async throws -> [Resource] {
        var pods: [Resource] = []
        let found = try await eventually {
            pods = try await self.jobPods(of: job)
            return pods.count >= count
        }
        try #require(found, "the Job \(job) has \(pods.count) Pods, expected \(count)")
        return pods
    }

    /// Ends `pod` as a kubelet would: `Succeeded` with exit code 0, else `Failed`.
    func finishJobPod(_ pod: Resource, exitCode: Int = 0) async throws {
        let now = JSONValue.string(KubernetesTime.now)
        let container = pod.spec?["containers"]?[0]?["name"] ?? "c"
        let status: JSONValue = [
            "phase": exitCode == 0 ? "Succeeded" : "Failed",
            "conditions": [["type": "Ready", "status": "False", "reason": exitCode == 0 ? "PodCompleted" : "PodFailed",
                            "lastTransitionTime": now]],
            "containerStatuses": [[
                "name": container, "image": "busybox", "imageID": "", "ready": false, "restartCount": 0,
                "state": ["terminated": [
                    "exitCode": .int(Int64(exitCode)), "reason": exitCode == 0 ? "Completed" : "Error",
                    "startedAt": now, "finishedAt": now,
                ]],
            ]],
        ]
        _ = try await client.patch(
            .pod, name: pod.name, namespace: pod.namespace, patch: ["status": status], type: .merge, subresource: "status")
    }

    /// The Events about the object named `name`.
    func jobEvents(of name: String, namespace: String = "default") async throws -> [SeenEvent] {
        try await list(.event, namespace: namespace).filter { $0.object["involvedObject"]?["name"]?.stringValue == name }.map {
            SeenEvent(
                type: $0.object["type"]?.stringValue ?? "", reason: $0.object["reason"]?.stringValue ?? "",
                message: $0.object["message"]?.stringValue ?? "", component: $0.object["source"]?["component"]?.stringValue ?? "")
        }
    }
}
