import BuiltinKinds
@testable import ClusterControllers
import ControllerRuntime
import Foundation
import Resources
import Testing

@Suite("The Job and CronJob controllers' pure parts")
struct JobSyncTests {
    @Test("completed indexes are written as kube writes them", arguments: [
        ([0, 1, 2, 4, 5, 7], "0-2,4,5,7"),
        ([3], "3"),
        ([], ""),
        ([1, 0], "0,1"),
    ])
    func completedIndexes(indexes: [Int], text: String) {
        #expect(CompletionIndexes(indexes).text == text)
        #expect(CompletionIndexes(parsing: text, completions: 10) == CompletionIndexes(indexes))
    }

    @Test("the first missing indexes skip the completed and the running ones")
    func missingIndexes() {
        let done = CompletionIndexes([0, 2])
        #expect(done.firstMissing(2, below: 5, taken: [1]) == [3, 4])
        #expect(done.firstMissing(5, below: 4, taken: []) == [1, 3])
    }

    @Test("a failed Pod is replaced after 10 s, doubling with each failure since the last success")
    func backoff() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        func pod(_ phase: String, finishedAgo seconds: TimeInterval) throws -> Resource {
            let finished = KubernetesTime.time(now.addingTimeInterval(-seconds))
            return try Resource([
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "creationTimestamp": .string(finished)],
                "status": ["phase": .string(phase), "containerStatuses": [[
                    "name": "c", "state": ["terminated": ["exitCode": 1, "finishedAt": .string(finished)]],
                ]]],
            ])
        }
        let job = try Resource(["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j"], "spec": [:]])
        let spec = JobSync.Spec(job)
        let one = [try pod("Failed", finishedAgo: 4)]
        #expect(JobSync.backoffRemaining(pods: one, spec: spec, now: now, base: 10, maximum: 600) == 6)
        let two = one + [try pod("Failed", finishedAgo: 2)]
        #expect(JobSync.backoffRemaining(pods: two, spec: spec, now: now, base: 10, maximum: 600) == 18)
        let afterSuccess = two + [try pod("Succeeded", finishedAgo: 1)]
        #expect(JobSync.backoffRemaining(pods: afterSuccess, spec: spec, now: now, base: 10, maximum: 600) == 0)
    }

    @Test("a cron schedule fires at the next matching minute of its time zone")
    func nextScheduleTime() throws {
        let utc = try #require(TimeZone(identifier: "UTC"))
        let start = try #require(KubernetesTime.parse("2026-12-07T10:02:30Z"))
        #expect(try CronSchedule("*/5 * * * *").next(after: start, in: utc) == KubernetesTime.parse("2026-12-07T10:05:00Z"))
        #expect(try CronSchedule("0 9 * * *").next(after: start, in: utc) == KubernetesTime.parse("2026-12-08T09:00:00Z"))
        // 2026-12-07 is a Monday; day of month or day of week when both are restricted.
        #expect(try CronSchedule("0 0 10 * 3").next(after: start, in: utc) == KubernetesTime.parse("2026-12-09T00:00:00Z"))
        #expect(try CronSchedule("@every 90s").next(after: start, in: utc) == KubernetesTime.parse("2026-12-07T10:04:00Z"))
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        #expect(try CronSchedule("0 9 * * *").next(after: start, in: tokyo) == KubernetesTime.parse("2026-12-08T00:00:00Z"))
        #expect(try CronSchedule("0 0 30 2 *").next(after: start, in: utc) == nil)
    }

    @Test("the most recent unmet schedule time counts the missed ones")
    func mostRecentScheduleTime() throws {
        let utc = try #require(TimeZone(identifier: "UTC"))
        let schedule = try CronSchedule("* * * * *")
        let created = try #require(KubernetesTime.parse("2026-12-07T10:00:10Z"))
        let soon = CronJobSync.mostRecentScheduleTime(
            schedule: schedule, zone: utc, created: created, lastScheduleTime: nil, startingDeadline: nil,
            includeDeadline: true, now: created.addingTimeInterval(30))
        #expect(soon.mostRecent == nil && soon.missed == .none)
        let one = CronJobSync.mostRecentScheduleTime(
            schedule: schedule, zone: utc, created: created, lastScheduleTime: nil, startingDeadline: nil,
            includeDeadline: true, now: created.addingTimeInterval(70))
        #expect(one.mostRecent == KubernetesTime.parse("2026-12-07T10:01:00Z") && one.missed == .none)
        let many = CronJobSync.mostRecentScheduleTime(
            schedule: schedule, zone: utc, created: created, lastScheduleTime: nil, startingDeadline: nil,
            includeDeadline: true, now: created.addingTimeInterval(3 * 3600))
        #expect(many.mostRecent == KubernetesTime.parse("2026-12-07T13:00:00Z") && many.missed == .many)
        let delay = CronJobSync.nextScheduleDelay(
            schedule: schedule, zone: utc, created: created, lastScheduleTime: nil, now: created.addingTimeInterval(20))
        #expect(abs((delay ?? 0) - 30.1) < 0.001)
    }

    @Test("a CronJob's Job is named by the minutes since the epoch and stamped in its time zone")
    func cronJobNaming() throws {
        let time = try #require(KubernetesTime.parse("2026-12-07T09:51:00Z"))
        #expect(CronJobSync.jobName(cronJob: "cj", scheduledTime: time) == "cj-29943951")
        #expect(CronJobSync.rfc3339(time, in: try #require(TimeZone(identifier: "UTC"))) == "2026-12-07T09:51:00Z")
        #expect(CronJobSync.rfc3339(time, in: try #require(TimeZone(identifier: "Europe/Berlin"))) == "2026-12-07T10:51:00+01:00")
        #expect(CronJobSync.rfc1123Z(time) == "Mon, 07 Dec 2026 09:51:00 +0000")
    }
}
