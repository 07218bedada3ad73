import BuiltinKinds
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources

/// The CronJob controller (kube-controller-manager's `cronjob-controller`): on each schedule
/// time of the wall clock (in `spec.timeZone`, else the plane's local zone) it creates a Job
/// `<cronjob>-<minutes since the epoch>`, honouring `concurrencyPolicy`,
/// `startingDeadlineSeconds` and `suspend`; it keeps `status.active`, `lastScheduleTime` and
/// `lastSuccessfulTime`, and deletes the finished Jobs beyond the history limits. It never
/// waits: a reconcile asks to be queued again just after the next schedule time.
final class CronJobReconciler: Reconciler {
    static let component = "cronjob-controller"

    let cronJobs: Informer
    let jobs: Informer
    let client: KubernetesClient
    let events: any EventSink
    let now: @Sendable () -> Date

    init(context: ClusterContext) {
        cronJobs = context.manager.informer(for: CronJobSync.kind)
        jobs = context.manager.informer(for: JobSync.kind)
        client = context.client
        events = context.events(of: Self.component)
        now = context.options.jobs.now
    }

    /// The key of the CronJob controlling `job`, if any.
    static func cronJobKey(of job: Resource) -> ObjectKey? {
        guard let reference = job.controllerReference, reference.kind == "CronJob",
            GroupVersion.group(ofAPIVersion: reference.apiVersion) == "batch"
        else { return nil }
        return ObjectKey(namespace: job.namespace, name: reference.name)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let cronJob = cronJobs.cache.get(key), let uid = cronJob.uid else { return .done }
        let children = jobs.cache.objects(index: Indexes.controllerOwner, value: uid)
            .filter { $0.namespace == cronJob.namespace }
        var status = cronJob.status?.objectValue ?? [:]
        var active = status["active"]?.arrayValue ?? []
        var changed = false
        func isActive(_ job: Resource) -> Bool { active.contains { $0["uid"]?.stringValue == job.uid } }
        func drop(_ job: Resource) { active.removeAll { $0["uid"]?.stringValue == job.uid } }

        // History limits first, as kube does.
        var finished: (succeeded: [Resource], failed: [Resource]) = ([], [])
        for job in children {
            switch CronJobSync.finishedCondition(of: job) {
            case "Complete": finished.succeeded.append(job)
            case "Failed": finished.failed.append(job)
            default: break
            }
        }
        var deleted: Set<String> = []
        for (jobs, field) in [(finished.succeeded, "successfulJobsHistoryLimit"), (finished.failed, "failedJobsHistoryLimit")] {
            guard let limit = cronJob.spec?[field]?.intValue else { continue }
            for job in CronJobSync.overLimit(jobs, limit: Int(limit)) where try await delete(job, of: cronJob) {
                drop(job)
                deleted.insert(job.uid ?? "")
                changed = true
            }
        }

        // The Jobs seen: finished ones leave the active list; the last success is noted.
        for job in children where !deleted.contains(job.uid ?? "") {
            if let condition = CronJobSync.finishedCondition(of: job) {
                if isActive(job) {
                    drop(job)
                    await events.record(on: cronJob, type: .normal, reason: "SawCompletedJob",
                                        message: "Saw completed job: \(job.name), condition: \(condition)")
                    changed = true
                }
                if condition == "Complete", let completed = job.status?["completionTime"]?.stringValue,
                    let completedAt = KubernetesTime.parse(completed)
                {
                    let last = status["lastSuccessfulTime"]?.stringValue.flatMap(KubernetesTime.parse)
                    if last == nil || completedAt > last! {
                        status["lastSuccessfulTime"] = .string(completed)
                        changed = true
                    }
                }
            } else if !isActive(job) {
                // The cache may not show the status that listed it yet: ask the server.
                let fresh = try? await client.get(CronJobSync.kind, name: cronJob.name, namespace: cronJob.namespace)
                if fresh?.status?["active"]?.arrayValue?.contains(where: { $0["uid"]?.stringValue == job.uid }) == true {
                    continue
                }
                await events.record(on: cronJob, type: .warning, reason: "UnexpectedJob",
                                    message: "Saw a job that the controller did not create or forgot: \(job.name)")
            }
        }
        // Active Jobs gone from the cache and the server are dropped.
        for entry in active {
            guard let entryUID = entry["uid"]?.stringValue, !children.contains(where: { $0.uid == entryUID }),
                let name = entry["name"]?.stringValue
            else { continue }
            do {
                _ = try await client.get(JobSync.kind, name: name, namespace: cronJob.namespace)
            } catch let error as APIError where error.reason == .notFound {
                await events.record(on: cronJob, type: .normal, reason: "MissingJob", message: "Active job went missing: \(name)")
                active.removeAll { $0["uid"]?.stringValue == entryUID }
                changed = true
            }
        }

        let result = try await schedule(cronJob, active: &active, status: &status, changed: &changed)
        if changed {
            if active.isEmpty { status["active"] = nil } else { status["active"] = .array(active) }
            var updated = cronJob
            updated.status = .object(Self.ordered(status))
            if updated.status != cronJob.status {
                _ = try await client.updateStatus(updated, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
            }
        }
        return result
    }

    /// Starts the Job of the schedule time due, if any; returns when to look again.
    private func schedule(_ cronJob: Resource, active: inout [JSONValue], status: inout JSONObject, changed: inout Bool)
        async throws -> ReconcileResult
    {
        guard !cronJob.isBeingDeleted else { return .done }
        let spec = cronJob.spec ?? .emptyObject
        let text = spec["schedule"]?.stringValue ?? ""
        var zone = TimeZone.current
        if let name = spec["timeZone"]?.stringValue {
            guard let named = TimeZone(identifier: name), CronSchedule.isKnownTimeZone(name) else {
                await events.record(on: cronJob, type: .warning, reason: "UnknownTimeZone",
                                    message: "invalid timeZone: \(FieldQuote.quote(name)): unknown time zone \(name)")
                return .done
            }
            zone = named
        }
        if spec["suspend"]?.boolValue == true { return .done }
        if text.contains("TZ") {
            await events.record(on: cronJob, type: .warning, reason: "UnsupportedSchedule",
                                message: "CRON_TZ or TZ used in schedule \(FieldQuote.quote(text)) is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details")
        }
        let schedule: CronSchedule
        do {
            schedule = try CronSchedule(text)
        } catch {
            await events.record(on: cronJob, type: .warning, reason: "UnparseableSchedule",
                                message: "unparseable schedule: \(FieldQuote.quote(text)) : \(error.description)")
            return .done
        }
        let now = self.now()
        let created = cronJob.creationTimestamp.flatMap(KubernetesTime.parse) ?? now
        let lastScheduleTime = status["lastScheduleTime"]?.stringValue.flatMap(KubernetesTime.parse)
        let startingDeadline = spec["startingDeadlineSeconds"]?.intValue.map(Int.init)
        func requeue() -> ReconcileResult {
            CronJobSync.nextScheduleDelay(
                schedule: schedule, zone: zone, created: created, lastScheduleTime: lastScheduleTime, now: now
            ).map { .requeue(after: JobTime.delay($0)) } ?? .done
        }

        let due = CronJobSync.mostRecentScheduleTime(
            schedule: schedule, zone: zone, created: created, lastScheduleTime: lastScheduleTime,
            startingDeadline: startingDeadline, includeDeadline: true, now: now)
        if due.invalid {
            await events.record(on: cronJob, type: .warning, reason: "InvalidSchedule",
                                message: "invalid schedule: \(text) : time difference between two schedules is less than 1 second")
            return .done
        }
        guard let scheduledTime = due.mostRecent else { return requeue() }
        if due.missed == .many {
            await events.record(on: cronJob, type: .warning, reason: "TooManyMissedTimes",
                                message: "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
        }
        if let startingDeadline, scheduledTime.addingTimeInterval(TimeInterval(startingDeadline)) < now {
            await events.record(on: cronJob, type: .warning, reason: "MissSchedule",
                                message: "Missed scheduled time to start a job: \(CronJobSync.rfc1123Z(scheduledTime))")
            return requeue()
        }
        let name = CronJobSync.jobName(cronJob: cronJob.name, scheduledTime: scheduledTime)
        if active.contains(where: { $0["name"]?.stringValue == name }) || lastScheduleTime == scheduledTime {
            return requeue()
        }
        // Starting a Job on a cached CronJob whose status is behind (the last start not in it
        // yet) would start one twice: check with the server first.
        let fresh = try await client.get(CronJobSync.kind, name: cronJob.name, namespace: cronJob.namespace)
        if fresh.resourceVersion != cronJob.resourceVersion { return .requeue(after: .milliseconds(200)) }
        let policy = spec["concurrencyPolicy"]?.stringValue ?? "Allow"
        if policy == "Forbid", !active.isEmpty {
            await events.record(on: cronJob, type: .normal, reason: "JobAlreadyActive",
                                message: "Not starting job because prior execution is running and concurrency policy is Forbid")
            return requeue()
        }
        if policy == "Replace" {
            for entry in active {
                guard let jobName = entry["name"]?.stringValue else { continue }
                let job: Resource
                do {
                    job = try await client.get(JobSync.kind, name: jobName, namespace: cronJob.namespace)
                } catch {
                    await events.record(on: cronJob, type: .warning, reason: "FailedGet", message: "Get job: \(JobReconciler.describe(error))")
                    throw error
                }
                guard try await delete(job, of: cronJob) else {
                    throw APIError.internalError("could not replace job \(cronJob.namespace ?? "")/\(jobName)")
                }
                active.removeAll { $0["uid"] == entry["uid"] }
                changed = true
            }
        }

        let request = CronJobSync.job(for: cronJob, scheduledTime: scheduledTime, zone: schedule.timeZone.flatMap(TimeZone.init(identifier:)) ?? zone)
        var job: Resource
        do {
            job = try await client.create(request, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
            await events.record(on: cronJob, type: .normal, reason: "SuccessfulCreate", message: "Created job \(job.name)")
        } catch let error as APIError where error.reason == .alreadyExists {
            // Created before, by this controller or someone else.
            job = try await client.get(JobSync.kind, name: name, namespace: cronJob.namespace)
            guard ControllerReferences.isControlled(job, by: cronJob),
                !active.contains(where: { $0["uid"]?.stringValue == job.uid })
            else { return .done }
        } catch {
            if (error as? APIError)?.isNamespaceTerminating != true {
                await events.record(on: cronJob, type: .warning, reason: "FailedCreate",
                                    message: "Error creating job: \(JobReconciler.describe(error))")
            }
            throw error
        }
        active.append(CronJobSync.reference(to: job))
        status["lastScheduleTime"] = .string(KubernetesTime.time(scheduledTime))
        changed = true
        return CronJobSync.nextScheduleDelay(
            schedule: schedule, zone: zone, created: created, lastScheduleTime: scheduledTime, now: now
        ).map { .requeue(after: JobTime.delay($0)) } ?? .done
    }

    /// Deletes `job` (its Pods in the background) with a `SuccessfulDelete` Event; a failure is
    /// reported as `FailedDelete` and answers `false`.
    private func delete(_ job: Resource, of cronJob: Resource) async throws -> Bool {
        do {
            try await client.delete(JobSync.kind, name: job.name, namespace: job.namespace, propagationPolicy: .background)
        } catch let error as APIError where error.reason == .notFound {
            // Gone already: as good as deleted.
        } catch {
            await events.record(on: cronJob, type: .warning, reason: "FailedDelete", message: "Deleted job: \(JobReconciler.describe(error))")
            return false
        }
        await events.record(on: cronJob, type: .normal, reason: "SuccessfulDelete", message: "Deleted job \(job.name)")
        return true
    }

    /// `status` in `CronJobStatus` field order.
    static func ordered(_ status: JSONObject) -> JSONObject {
        var ordered: JSONObject = [:]
        for key in ["active", "lastScheduleTime", "lastSuccessfulTime"] { ordered[key] = status[key] }
        for (key, value) in status where ordered[key] == nil { ordered[key] = value }
        return ordered
    }
}

/// Go's `%q` of a short text, as kube's Event messages quote schedules and zones.
enum FieldQuote {
    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
