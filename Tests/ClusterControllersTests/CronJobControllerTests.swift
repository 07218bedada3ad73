@testable import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

@Suite("The CronJob controller")
struct CronJobControllerTests {
    /// A plane with the Job area whose controllers read `clock`.
    func withPlane(_ clock: TestClock, _ body: (Plane) async throws -> Void) async throws {
        try await Plane.with(areas: [.jobs], configure: { options in
            options.jobs.now = { clock.now }
            options.jobs.podFailureBackoff = .milliseconds(200)
        }, body)
    }

    /// A CronJob running every minute in UTC with `extra` spec lines.
    func cronJob(_ name: String, _ extra: String = "") -> String {
        """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: \(name)}
        spec:
          schedule: "* * * * *"
          timeZone: Etc/UTC
        \(extra.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: c, image: busybox}]
        """
    }

    /// Moves `clock` on and has the controllers look at everything again.
    func advance(_ clock: TestClock, by seconds: TimeInterval, on plane: Plane) async {
        clock.advance(by: seconds)
        await plane.service.manager.resync()
    }

    /// The Jobs of the CronJob `name`, oldest first.
    func jobs(of name: String, on plane: Plane) async throws -> [Resource] {
        try await plane.list(.job).filter { $0.controllerReference?.name == name }.sorted { $0.name < $1.name }
    }

    @Test("a CronJob starts a Job named by its schedule time, and notes when it completes")
    func startsJobs() async throws {
        let clock = TestClock()
        try await withPlane(clock) { plane in
            try await plane.create(cronJob("tick"))
            await advance(clock, by: 61, on: plane)
            var started: [Resource] = []
            #expect(try await eventually {
                started = try await jobs(of: "tick", on: plane)
                return started.count == 1
            })
            let minute = Int64(clock.now.timeIntervalSince1970) / 60
            let job = try #require(started.first)
            #expect(job.name == "tick-\(minute)")
            let scheduled = KubernetesTime.time(Date(timeIntervalSince1970: TimeInterval(minute * 60)))
            #expect(job.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] == scheduled)
            #expect(job.controllerReference?.kind == "CronJob" && job.controllerReference?.controller == true)
            #expect(try await eventually {
                let status = try await plane.get(.cronJob, "tick")?.status
                return status?["active"]?[0]?["name"] == .string(job.name) && status?["lastScheduleTime"] == .string(scheduled)
            })

            let pod = try await plane.waitForJobPods(of: job.name, count: 1)[0]
            try await plane.finishJobPod(pod)
            #expect(try await eventually {
                let status = try await plane.get(.cronJob, "tick")?.status
                return status?["active"] == nil && status?["lastSuccessfulTime"]?.stringValue != nil
            })
            #expect(try await eventually {
                let events = try await plane.jobEvents(of: "tick")
                return events.contains { $0.reason == "SuccessfulCreate" && $0.message == "Created job \(job.name)" && $0.component == "cronjob-controller" }
                    && events.contains { $0.reason == "SawCompletedJob" && $0.message == "Saw completed job: \(job.name), condition: Complete" }
            })
            let table = try await plane.kubectl("get", "cronjobs").stdout
            #expect(table.contains("tick") && table.contains("Etc/UTC"))
        }
    }

    @Test("concurrencyPolicy Forbid skips a schedule time while the last Job runs")
    func forbid() async throws {
        let clock = TestClock()
        try await withPlane(clock) { plane in
            try await plane.create(cronJob("solo", "concurrencyPolicy: Forbid"))
            await advance(clock, by: 61, on: plane)
            #expect(try await eventually { try await plane.get(.cronJob, "solo")?.status?["active"]?.arrayValue?.count == 1 })
            await advance(clock, by: 60, on: plane)
            #expect(try await eventually { try await plane.jobEvents(of: "solo").contains { $0.reason == "JobAlreadyActive" } })
            let event = try #require(try await plane.jobEvents(of: "solo").filter { $0.reason == "JobAlreadyActive" }.first)
            #expect(event.message == "Not starting job because prior execution is running and concurrency policy is Forbid")
            #expect(try await jobs(of: "solo", on: plane).count == 1)
        }
    }

    @Test("concurrencyPolicy Replace deletes the running Job before starting the next")
    func replace() async throws {
        let clock = TestClock()
        try await withPlane(clock) { plane in
            try await plane.create(cronJob("swap", "concurrencyPolicy: Replace"))
            await advance(clock, by: 61, on: plane)
            var first: [Resource] = []
            #expect(try await eventually {
                first = try await jobs(of: "swap", on: plane)
                return first.count == 1
            })
            await advance(clock, by: 60, on: plane)
            #expect(try await eventually {
                let now = try await jobs(of: "swap", on: plane).filter { !$0.isBeingDeleted }
                return now.count == 1 && now[0].name != first[0].name
            })
            #expect(try await eventually {
                try await plane.jobEvents(of: "swap").contains { $0.reason == "SuccessfulDelete" && $0.message == "Deleted job \(first[0].name)" }
            })
        }
    }

    @Test("finished Jobs beyond the history limit are deleted, oldest first")
    func historyLimit() async throws {
        let clock = TestClock()
        try await withPlane(clock) { plane in
            try await plane.create(cronJob("kept", "successfulJobsHistoryLimit: 1"))
            var names: [String] = []
            for round in 1...2 {
                await advance(clock, by: round == 1 ? 61 : 60, on: plane)
                var started: [Resource] = []
                #expect(try await eventually {
                    started = try await jobs(of: "kept", on: plane).filter { !names.contains($0.name) }
                    return !started.isEmpty
                })
                let job = try #require(started.first)
                names.append(job.name)
                try await plane.finishJobPod(try await plane.waitForJobPods(of: job.name, count: 1)[0])
                #expect(try await eventually { JobStatus(try await plane.get(.job, job.name)?.status).isFinished })
            }
            await plane.service.manager.resync()
            #expect(try await eventually { try await plane.get(.job, names[0]) == nil })
            #expect(try await plane.get(.job, names[1]) != nil)
            #expect(try await eventually {
                try await plane.jobEvents(of: "kept").contains { $0.reason == "SuccessfulDelete" && $0.message == "Deleted job \(names[0])" }
            })
        }
    }

    @Test("a suspended CronJob, or one past its starting deadline, starts nothing")
    func suspendedAndLate() async throws {
        let clock = TestClock()
        try await withPlane(clock) { plane in
            try await plane.create(cronJob("paused", "suspend: true"))
            try await plane.create(cronJob("late", "startingDeadlineSeconds: 5"))
            // The minute passed 30 s ago or more: too late for a 5 s deadline.
            let now = max(clock.now, Date()).timeIntervalSince1970
            await advance(clock, by: 60 - now.truncatingRemainder(dividingBy: 60) + 90, on: plane)
            await plane.service.manager.waitUntilIdle()
            #expect(try await jobs(of: "paused", on: plane).isEmpty)
            #expect(try await jobs(of: "late", on: plane).isEmpty)
            // Unsuspended, it starts the Job of the last schedule time.
            try await plane.kubectl("patch", "cronjob", "paused", "--type=merge", "-p", #"{"spec":{"suspend":false}}"#)
            #expect(try await eventually { try await jobs(of: "paused", on: plane).count == 1 })
        }
    }

    @Test("more than 100 missed schedule times start only the last and warn TooManyMissedTimes")
    func tooManyMissed() async throws {
        let clock = TestClock()
        try await withPlane(clock) { plane in
            try await plane.create(cronJob("behind"))
            await advance(clock, by: 3 * 3600, on: plane)
            #expect(try await eventually { try await jobs(of: "behind", on: plane).count == 1 })
            #expect(try await eventually { try await plane.jobEvents(of: "behind").contains { $0.reason == "TooManyMissedTimes" } })
            let event = try #require(try await plane.jobEvents(of: "behind").filter { $0.reason == "TooManyMissedTimes" }.first)
            #expect(event.type == "Warning")
            #expect(event.message == "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
        }
    }

    @Test("kubectl create cronjob, then create job --from=cronjob runs a Job from its template")
    func kubectlCreate() async throws {
        let clock = TestClock()
        try await withPlane(clock) { plane in
            try await plane.kubectl("create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "echo", "hi")
            try await plane.kubectl("create", "job", "manual", "--from=cronjob/nightly")
            let job = try #require(try await plane.get(.job, "manual"))
            #expect(job.annotations["cronjob.kubernetes.io/instantiate"] == "manual")
            let pod = try await plane.waitForJobPods(of: "manual", count: 1)[0]
            try await plane.finishJobPod(pod)
            try await plane.kubectl("wait", "--for=condition=complete", "job/manual", "--timeout=20s")
            let table = try await plane.kubectl("get", "cronjob", "nightly").stdout
            #expect(table.contains("0 3 * * *"))
        }
    }
}
