import BuiltinKinds
import ControllerRuntime
import Foundation
import OrderedCollections
import Resources

/// What the CronJob controller computes, as pure functions: the schedule times it missed,
/// when to look again, the Job of a scheduled time, and which finished Jobs the history
/// limits drop — kube-controller-manager's `cronjob-controller` (v2).
enum CronJobSync {
    static let kind = GroupVersionKind(group: "batch", version: "v1", kind: "CronJob")
    static let scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"
    /// kube requeues this long after the next schedule time, for clock skew.
    static let nextScheduleDelta: TimeInterval = 0.1

    /// How many schedule times passed unstarted.
    enum Missed: Equatable {
        case none, few, many
    }

    /// The most recent schedule time not yet started: the times after the last schedule time
    /// (or the CronJob's creation), and, with `startingDeadline` (when `includeDeadline`),
    /// after `now` less it. Returns the earliest time considered, the most recent unmet time
    /// (`nil` when none is due), how many were missed, and whether the schedule is logically
    /// impossible (two consecutive times less than a second apart).
    static func mostRecentScheduleTime(
        schedule: CronSchedule, zone: TimeZone, created: Date, lastScheduleTime: Date?, startingDeadline: Int?,
        includeDeadline: Bool, now: Date
    ) -> (earliest: Date, mostRecent: Date?, missed: Missed, invalid: Bool) {
        var earliest = lastScheduleTime ?? created
        if includeDeadline, let startingDeadline {
            let deadline = now.addingTimeInterval(-TimeInterval(startingDeadline))
            if deadline > earliest { earliest = deadline }
        }
        guard let first = schedule.next(after: earliest, in: zone) else { return (earliest, nil, .none, false) }
        guard let second = schedule.next(after: first, in: zone) else {
            return (earliest, now < first ? nil : first, .none, false)
        }
        if now < first { return (earliest, nil, .none, false) }
        if now < second { return (earliest, first, .none, false) }
        let interval = Int(second.timeIntervalSince(first).rounded())
        guard interval >= 1 else { return (earliest, nil, .none, true) }
        let elapsed = Int(now.timeIntervalSince(first))
        let missedCount = elapsed / interval + 1
        var mostRecent: Date?
        var candidate = schedule.next(after: first.addingTimeInterval(TimeInterval((missedCount - 2) * interval)), in: zone)
        while let time = candidate, time <= now {
            mostRecent = time
            candidate = schedule.next(after: time, in: zone)
        }
        return (earliest, mostRecent, missedCount > 100 ? .many : .few, false)
    }

    /// How long until the next schedule time after the last one started (or `now` when
    /// some were missed), plus kube's 100 ms.
    static func nextScheduleDelay(
        schedule: CronSchedule, zone: TimeZone, created: Date, lastScheduleTime: Date?, now: Date
    ) -> TimeInterval? {
        let (earliest, mostRecent, missed, invalid) = mostRecentScheduleTime(
            schedule: schedule, zone: zone, created: created, lastScheduleTime: lastScheduleTime,
            startingDeadline: nil, includeDeadline: false, now: now)
        let from = invalid ? now : mostRecent ?? (missed == .none ? earliest : now)
        guard let next = schedule.next(after: from, in: zone) else { return nil }
        return next.timeIntervalSince(now) + nextScheduleDelta
    }

    /// The name of the Job for `scheduledTime`: the CronJob's name and the minutes since the epoch.
    static func jobName(cronJob: String, scheduledTime: Date) -> String {
        "\(cronJob)-\(Int64(scheduledTime.timeIntervalSince1970.rounded(.down)) / 60)"
    }

    /// The Job the CronJob starts for `scheduledTime`: the job template's labels, annotations
    /// (with the scheduled time in the CronJob's zone) and spec, a controller reference.
    static func job(for cronJob: Resource, scheduledTime: Date, zone: TimeZone) -> Resource {
        let template = cronJob.spec?["jobTemplate"] ?? .emptyObject
        var job = Resource(apiVersion: "batch/v1", kind: "Job", name: jobName(cronJob: cronJob.name, scheduledTime: scheduledTime),
                           namespace: cronJob.namespace)
        job.withMetadata { metadata in
            if let labels = (template["metadata"]?["labels"]).presentValue { metadata["labels"] = labels }
            var annotations = template["metadata"]?["annotations"]?.objectValue ?? [:]
            annotations[scheduledTimestampAnnotation] = .string(rfc3339(scheduledTime, in: zone))
            metadata["annotations"] = .object(annotations)
            metadata["ownerReferences"] = [ControllerReferences.reference(to: cronJob, kind: kind)]
        }
        job.spec = template["spec"] ?? .emptyObject
        return job
    }

    /// Go's RFC 3339 form of `date` in `zone`: `2026-12-07T09:51:00Z`, `2026-12-07T10:51:00+01:00`.
    static func rfc3339(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        let text = String(format: "%04d", parts.year ?? 0) + "-\(two(parts.month))-\(two(parts.day))T"
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
        let offset = zone.secondsFromGMT(for: date)
        guard offset != 0 else { return text + "Z" }
        let sign = offset < 0 ? "-" : "+"
        return text + sign + two(abs(offset) / 3600) + ":" + two(abs(offset) % 3600 / 60)
    }

    /// Go's RFC 1123 form with a numeric zone, in UTC (the `MissSchedule` Event's).
    static func rfc1123Z(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// The `Complete` or `Failed` condition a finished Job has, if any.
    static func finishedCondition(of job: Resource) -> String? {
        JobStatus(job.status).trueCondition("Complete") != nil
            ? "Complete" : JobStatus(job.status).trueCondition("Failed") != nil ? "Failed" : nil
    }

    /// The oldest of `jobs` beyond the newest `limit`, by start time (Jobs never started last,
    /// names breaking ties).
    static func overLimit(_ jobs: [Resource], limit: Int) -> [Resource] {
        guard jobs.count > limit else { return [] }
        let sorted = jobs.sorted { left, right in
            let (a, b) = (left.status?["startTime"]?.stringValue.flatMap(KubernetesTime.parse),
                          right.status?["startTime"]?.stringValue.flatMap(KubernetesTime.parse))
            switch (a, b) {
            case (nil, .some): return false
            case (.some, nil): return true
            case (let a?, let b?) where a != b: return a < b
            default: return left.name < right.name
            }
        }
        return Array(sorted.prefix(jobs.count - limit))
    }

    /// An entry of `status.active`: an object reference as kube writes it.
    static func reference(to job: Resource) -> JSONValue {
        var members: JSONObject = ["kind": "Job"]
        if let namespace = job.namespace { members["namespace"] = .string(namespace) }
        members["name"] = .string(job.name)
        if let uid = job.uid { members["uid"] = .string(uid) }
        members["apiVersion"] = "batch/v1"
        if let version = job.resourceVersion { members["resourceVersion"] = .string(version) }
        return .object(members)
    }
}
