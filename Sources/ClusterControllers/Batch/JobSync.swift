import ControllerRuntime
import Foundation
import OrderedCollections
import Resources

/// What the Job controller decides for one Job, as pure functions of the Job, its Pods and
/// the time — kube-controller-manager's `syncJob`, to the level a user observes:
///
/// 1. Pods are counted once: a finished Pod still carrying the `batch.kubernetes.io/job-tracking`
///    finalizer goes into `status.uncountedTerminatedPods` first, then its finalizer is removed,
///    then it moves into `succeeded`/`failed` (``plan(job:pods:now:options:)`` then
///    ``finish(_:plan:stillTracked:now:)``).
/// 2. Failure is decided before success: a `FailJob` rule of the pod failure policy, more failures
///    than `backoffLimit`, or `activeDeadlineSeconds` passed mark the Job `FailureTarget`, its
///    active Pods are deleted, and once none is left the Job is `Failed`.
/// 3. Success is `completions` successful Pods (any one for a Job without `completions`) with
///    none active: `SuccessCriteriaMet`, then `Complete` with `completionTime`.
/// 4. Otherwise the Job runs `parallelism` Pods (never more than the completions still missing),
///    replacing failed ones after a back-off of 10 s doubling per failure since the last success.
enum JobSync {
    static let kind = GroupVersionKind(group: "batch", version: "v1", kind: "Job")
    static let trackingFinalizer = "batch.kubernetes.io/job-tracking"
    static let completionIndexKey = "batch.kubernetes.io/job-completion-index"
    static let completionIndexVariable = "JOB_COMPLETION_INDEX"
    /// kube's limit of Pods created or deleted in one sync.
    static let maxPodChangesPerSync = 500

    /// The writes one sync makes.
    struct Plan {
        /// Pods to create (generated names).
        var create: [Resource] = []
        /// Active Pods to delete.
        var delete: [Resource] = []
        /// Whether ``delete``'s Pods lose their tracking finalizer first (they are not failures:
        /// the Job is suspended or has too many), or keep it to be counted as failed (the Job failed).
        var untrackBeforeDelete = false
        /// The status to write before any finalizer is removed: the Pods about to be counted in
        /// `uncountedTerminatedPods`, the interim `FailureTarget` or `SuccessCriteriaMet`.
        var status = JobStatus()
        /// Pods whose tracking finalizer may go.
        var removeFinalizers: [Resource] = []
        /// The final condition (`Complete` or `Failed`) once every Pod is counted and none terminates.
        var finished: JobCondition?
        /// `Suspended`/`Resumed` Events.
        var events: [(reason: String, message: String)] = []
        /// When to look again (back-off, deadline), in seconds from now.
        var requeueAfter: TimeInterval?
    }

    /// The Job's spec, as the controller reads it (defaults as kube-apiserver applies them).
    struct Spec {
        var parallelism: Int
        var completions: Int?
        var backoffLimit: Int
        var activeDeadlineSeconds: Int?
        var suspend: Bool
        var indexed: Bool
        var onlyReplaceFailed: Bool
        var failurePolicy: JSONValue?
        var restartPolicy: String

        init(_ job: Resource) {
            let spec = job.spec ?? .emptyObject
            parallelism = Int(spec["parallelism"]?.intValue ?? 1)
            completions = spec["completions"]?.intValue.map(Int.init)
            backoffLimit = Int(spec["backoffLimit"]?.intValue ?? 6)
            activeDeadlineSeconds = spec["activeDeadlineSeconds"]?.intValue.map(Int.init)
            suspend = spec["suspend"]?.boolValue ?? false
            indexed = spec["completionMode"]?.stringValue == "Indexed"
            failurePolicy = spec["podFailurePolicy"].presentValue
            onlyReplaceFailed = spec["podReplacementPolicy"]?.stringValue == "Failed" || failurePolicy != nil
            restartPolicy = spec["template"]?["spec"]?["restartPolicy"]?.stringValue ?? ""
        }
    }

    // MARK: Pods

    static func isTracked(_ pod: Resource) -> Bool { pod.finalizers.contains(trackingFinalizer) }

    /// Terminated and not succeeded: `Failed`, or (unless only failed Pods are replaced) being
    /// deleted before it succeeded.
    static func isFailed(_ pod: Resource, _ spec: Spec) -> Bool {
        let phase = Pods.phase(of: pod)
        if phase == "Failed" { return true }
        if spec.onlyReplaceFailed { return false }
        return pod.isBeingDeleted && phase != "Succeeded"
    }

    /// Being deleted and not yet terminated.
    static func isTerminating(_ pod: Resource) -> Bool {
        let phase = Pods.phase(of: pod)
        return pod.isBeingDeleted && phase != "Succeeded" && phase != "Failed"
    }

    /// The Pod's completion index (its annotation), if any.
    static func completionIndex(of pod: Resource) -> Int? {
        guard let text = pod.annotations[completionIndexKey], let index = Int(text), index >= 0 else { return nil }
        return index
    }

    /// When the Pod finished: its containers' latest `finishedAt`, else when `Ready` turned
    /// false, else its deletion time less the grace period, else its creation.
    static func finishTime(of pod: Resource) -> Date {
        let statuses = pod.status?["containerStatuses"]?.arrayValue ?? []
        if !statuses.isEmpty {
            let times = statuses.map { $0["state"]?["terminated"]?["finishedAt"]?.stringValue.flatMap(KubernetesTime.parse) }
            if times.allSatisfy({ $0 != nil }), let latest = times.compactMap({ $0 }).max() { return latest }
        }
        if let ready = Pods.readyCondition(of: pod), ready["status"]?.stringValue == "False",
            let time = ready["lastTransitionTime"]?.stringValue.flatMap(KubernetesTime.parse)
        {
            return time
        }
        if let deleted = pod.deletionTimestamp.flatMap(KubernetesTime.parse) {
            let grace = pod.metadata["deletionGracePeriodSeconds"]?.intValue ?? 0
            return deleted.addingTimeInterval(-TimeInterval(grace))
        }
        return pod.creationTimestamp.flatMap(KubernetesTime.parse) ?? .distantPast
    }

    /// How long to wait before replacing failed Pods: `base` doubled for each failure after the
    /// last success (up to `maximum`), from the last failure.
    static func backoffRemaining(pods: [Resource], spec: Spec, now: Date, base: TimeInterval, maximum: TimeInterval)
        -> TimeInterval
    {
        let lastSuccess = pods.filter { Pods.phase(of: $0) == "Succeeded" }.map(finishTime).max()
        let failures = pods.filter { isFailed($0, spec) }.map(finishTime).filter { lastSuccess == nil || $0 > lastSuccess! }
        guard let lastFailure = failures.max() else { return 0 }
        var delay = base
        for _ in 1..<failures.count {
            delay *= 2
            if delay >= maximum {
                delay = maximum
                break
            }
        }
        let elapsed = now.timeIntervalSince(lastFailure)
        return delay < elapsed ? 0 : delay - elapsed
    }

    /// A Pod with restart policy `OnFailure` restarted its containers `backoffLimit` times
    /// in all (any restart when the limit is 0).
    static func pastBackoffLimitOnFailure(pods: [Resource], spec: Spec) -> Bool {
        guard spec.restartPolicy == "OnFailure" else { return false }
        var restarts: Int64 = 0
        for pod in pods where ["Running", "Pending"].contains(Pods.phase(of: pod)) {
            for field in ["initContainerStatuses", "containerStatuses"] {
                for status in pod.status?[field]?.arrayValue ?? [] { restarts += status["restartCount"]?.intValue ?? 0 }
            }
        }
        return spec.backoffLimit == 0 ? restarts > 0 : restarts >= Int64(spec.backoffLimit)
    }

    /// Active Pods in the order kube deletes them: unscheduled before scheduled, pending
    /// before running, not ready before ready, newer before older.
    static func removalOrder(_ pods: [Resource]) -> [Resource] {
        func rank(_ pod: Resource) -> (Int, Int, Int, String) {
            let scheduled = pod.spec?["nodeName"]?.stringValue.map { !$0.isEmpty } ?? false
            let phase = switch Pods.phase(of: pod) { case "Pending": 0; case "Unknown": 1; default: 2 }
            return (scheduled ? 1 : 0, phase, Pods.isReady(pod) ? 1 : 0, pod.creationTimestamp ?? "")
        }
        return pods.sorted { left, right in
            let (a, b) = (rank(left), rank(right))
            if (a.0, a.1, a.2) != (b.0, b.1, b.2) { return (a.0, a.1, a.2) < (b.0, b.1, b.2) }
            return a.3 > b.3
        }
    }

    /// A Pod of `job` from its template: the tracking finalizer, and for an Indexed Job the
    /// completion index as annotation, label, `JOB_COMPLETION_INDEX` variable and hostname.
    static func pod(for job: Resource, index: Int?) -> Resource {
        let template = job.spec?["template"] ?? .emptyObject
        var prefix: String?
        if let index {
            let suffix = "-\(index)-"
            prefix = String((job.name + suffix).prefix(58))
            if job.name.count + suffix.count > 58 { prefix = String(job.name.prefix(58 - suffix.count)) + suffix }
        }
        var pod = Pods.pod(from: template, owner: job, kind: kind, generateName: prefix)
        pod.withMetadata { metadata in
            var finalizers = metadata["finalizers"]?.arrayValue ?? []
            if !finalizers.contains(.string(trackingFinalizer)) { finalizers.append(.string(trackingFinalizer)) }
            metadata["finalizers"] = .array(finalizers)
        }
        guard let index else { return pod }
        pod.setAnnotation(completionIndexKey, String(index))
        pod.setLabel(completionIndexKey, String(index))
        pod.object.withObject("spec") { spec in
            for field in ["initContainers", "containers"] {
                guard var containers = spec[field]?.arrayValue else { continue }
                for position in containers.indices {
                    guard case .object(var container) = containers[position] else { continue }
                    var env = container["env"]?.arrayValue ?? []
                    if !env.contains(where: { $0["name"]?.stringValue == completionIndexVariable }) {
                        env.append([
                            "name": .string(completionIndexVariable),
                            "valueFrom": ["fieldRef": ["fieldPath": .string("metadata.labels['\(completionIndexKey)']")]],
                        ])
                    }
                    container["env"] = .array(env)
                    containers[position] = .object(container)
                }
                spec[field] = .array(containers)
            }
            spec["hostname"] = .string("\(job.name)-\(index)")
        }
        return pod
    }

    // MARK: The sync

    /// The writes for `job` given its Pods (those it controls) at `now`.
    static func plan(job: Resource, pods: [Resource], now: Date, backoff: TimeInterval, maxBackoff: TimeInterval)
        -> Plan
    {
        let spec = Spec(job)
        var plan = Plan()
        var status = JobStatus(job.status)
        let uncountedSucceeded = Set(status.uncountedSucceeded)
        let uncountedFailed = Set(status.uncountedFailed)
        let completions = spec.completions ?? 0
        func validIndex(_ pod: Resource) -> Bool {
            !spec.indexed || completionIndex(of: pod).map { $0 < completions } ?? false
        }
        let activePods = pods.filter(Pods.isActive)
        var active = activePods.count
        var ready = activePods.filter(Pods.isReady).count
        var terminating = pods.filter(isTerminating).count

        // Finished Pods not counted yet (still tracked, not in the uncounted lists).
        let fresh = pods.filter { isTracked($0) && validIndex($0) }
        let newSucceeded = fresh.filter { Pods.phase(of: $0) == "Succeeded" && !uncountedSucceeded.contains($0.uid ?? "") }
        let newFailed = fresh.filter { isFailed($0, spec) && !uncountedFailed.contains($0.uid ?? "") }
        var succeeded = status.succeeded + newSucceeded.count + uncountedSucceeded.count
        let failed = status.failed
            + newFailed.filter { PodFailurePolicy.verdict(of: spec.failurePolicy, for: $0).counts }.count
            + uncountedFailed.count

        if status.startTime == nil, !spec.suspend { status.startTime = KubernetesTime.time(now) }
        let startTime = status.startTime.flatMap(KubernetesTime.parse)

        // Failure first, then success.
        var finished: JobCondition?
        if let met = status.trueCondition("SuccessCriteriaMet") {
            finished = JobCondition(met)
        } else if let target = status.trueCondition("FailureTarget") {
            finished = JobCondition(target)?.renamed("Failed")
        } else if spec.failurePolicy != nil,
            let message = pods.lazy.filter({ isFailed($0, spec) })
                .compactMap({ PodFailurePolicy.verdict(of: spec.failurePolicy, for: $0).failJobMessage }).first
        {
            finished = JobCondition(type: "FailureTarget", reason: "PodFailurePolicy", message: message)
        }
        if finished == nil {
            if failed > spec.backoffLimit || pastBackoffLimitOnFailure(pods: pods, spec: spec) {
                finished = .backoffLimitExceeded
            } else if let deadline = spec.activeDeadlineSeconds, let startTime, !spec.suspend {
                let remaining = startTime.addingTimeInterval(TimeInterval(deadline)).timeIntervalSince(now)
                if remaining <= 0 { finished = .deadlineExceeded } else { plan.requeueAfter = remaining }
            }
        }

        var previousIndexes = CompletionIndexes([])
        var succeededIndexes = CompletionIndexes([])
        if spec.indexed {
            previousIndexes = CompletionIndexes(parsing: status.completedIndexes, completions: completions)
            succeededIndexes = previousIndexes.union(
                pods.filter { Pods.phase(of: $0) == "Succeeded" && isTracked($0) && validIndex($0) }.compactMap(completionIndex))
            succeeded = succeededIndexes.count
        }

        if finished != nil {
            // Failed: every active Pod goes.
            plan.delete = activePods
            terminating += activePods.count
            ready -= activePods.filter(Pods.isReady).count
            active = 0
        } else {
            var managed = false
            if !job.isBeingDeleted {
                managed = true
                manage(&plan, job: job, spec: spec, pods: pods, activePods: activePods, succeeded: succeeded,
                       succeededIndexes: succeededIndexes, active: &active, ready: &ready, terminating: &terminating,
                       now: now, backoff: backoff, maxBackoff: maxBackoff)
            }
            let complete = spec.completions.map { succeeded >= $0 } ?? (succeeded > 0)
            if complete && active == 0 {
                finished = .completionsReached
            } else if managed {
                if spec.suspend {
                    if status.ensure(.suspended, now: now) {
                        plan.events.append(("Suspended", "Job suspended"))
                        status.startTime = nil
                    }
                } else if status.ensure(.resumed, status: "False", now: now) {
                    plan.events.append(("Resumed", "Job resumed"))
                    status.startTime = KubernetesTime.time(now)
                }
            }
        }
        status.active = active
        status.ready = ready
        status.terminating = terminating

        // Counting: the finished Pods go into the uncounted lists before their finalizers go.
        var newIndexes: [Int] = []
        let ordered = spec.indexed ? pods.sorted { (completionIndex(of: $0) ?? .max) < (completionIndex(of: $1) ?? .max) } : pods
        let failing = finished.map { $0.type != "SuccessCriteriaMet" } ?? false
        for pod in ordered where isTracked(pod) {
            let uid = pod.uid ?? ""
            let podFailed = isFailed(pod, spec)
            let phase = Pods.phase(of: pod)
            guard job.isBeingDeleted || finished != nil || phase == "Succeeded" || podFailed else { continue }
            plan.removeFinalizers.append(pod)
            if phase == "Succeeded", !uncountedFailed.contains(uid) {
                if spec.indexed {
                    if let index = completionIndex(of: pod), index < completions, !previousIndexes.contains(index) {
                        newIndexes.append(index)
                    }
                } else if !uncountedSucceeded.contains(uid) {
                    status.uncountedSucceeded.append(uid)
                }
            } else if podFailed || failing, !uncountedFailed.contains(uid), validIndex(pod) {
                if PodFailurePolicy.verdict(of: spec.failurePolicy, for: pod).counts {
                    status.uncountedFailed.append(uid)
                }
            }
        }
        if spec.indexed {
            succeededIndexes = succeededIndexes.union(newIndexes)
            status.succeeded = succeededIndexes.count
            status.completedIndexes = succeededIndexes.text
        }
        if let condition = finished, condition.type == "FailureTarget" {
            status.conditions.append(condition.json(now: now))
            finished = condition.renamed("Failed")
        } else if let condition = finished, condition.type == "SuccessCriteriaMet" {
            if status.trueCondition("SuccessCriteriaMet") == nil { status.conditions.append(condition.json(now: now)) }
            finished = condition.renamed("Complete")
        }
        plan.status = status
        plan.finished = finished
        return plan
    }

    /// kube's `manageJob`: suspended Jobs lose their active Pods; otherwise surplus Pods go
    /// and missing ones are created, after the failure back-off.
    private static func manage(
        _ plan: inout Plan, job: Resource, spec: Spec, pods: [Resource], activePods: [Resource], succeeded: Int,
        succeededIndexes: CompletionIndexes, active: inout Int, ready: inout Int, terminating: inout Int,
        now: Date, backoff: TimeInterval, maxBackoff: TimeInterval
    ) {
        func delete(_ victims: [Resource]) {
            plan.delete = victims
            plan.untrackBeforeDelete = true
            active -= victims.count
            terminating += victims.count
            ready -= victims.filter(Pods.isReady).count
        }
        if spec.suspend {
            delete(activePods)
            return
        }
        var wantActive: Int
        if let completions = spec.completions {
            wantActive = max(0, min(completions - succeeded, spec.parallelism))
        } else {
            wantActive = succeeded > 0 ? active : spec.parallelism
        }
        // Indexed Jobs drop Pods with a duplicate or invalid index first.
        var surplus: [Resource] = []
        var remaining = activePods
        if spec.indexed {
            var seen: Set<Int> = []
            remaining = []
            for pod in activePods.sorted(by: { ($0.creationTimestamp ?? "") < ($1.creationTimestamp ?? "") }) {
                if let index = completionIndex(of: pod), index < (spec.completions ?? 0), seen.insert(index).inserted {
                    remaining.append(pod)
                } else {
                    surplus.append(pod)
                }
            }
        }
        let excess = active - wantActive
        if surplus.count < excess { surplus += removalOrder(remaining).prefix(excess - surplus.count) }
        if !surplus.isEmpty {
            delete(Array(surplus.prefix(maxPodChangesPerSync)))
            return
        }
        let waiting = spec.onlyReplaceFailed ? terminating : 0
        var missing = wantActive - waiting - active
        guard missing > 0 else { return }
        let wait = backoffRemaining(pods: pods, spec: spec, now: now, base: backoff, maximum: maxBackoff)
        if wait > 0 {
            plan.requeueAfter = min(plan.requeueAfter ?? wait, wait)
            // As kube does, a Job waiting out the back-off reports no active Pods meanwhile.
            active = 0
            return
        }
        missing = min(missing, maxPodChangesPerSync)
        if spec.indexed {
            var taken = Set(activePods.compactMap(completionIndex))
            if spec.onlyReplaceFailed { taken.formUnion(pods.filter(isTerminating).compactMap(completionIndex)) }
            let indexes = succeededIndexes.firstMissing(missing, below: spec.completions ?? 0, taken: taken)
            plan.create = indexes.map { pod(for: job, index: $0) }
        } else {
            plan.create = (0..<missing).map { _ in pod(for: job, index: nil) }
        }
        active += plan.create.count
    }

    /// The status after the finalizers of all Pods but `stillTracked` (uids) are gone: the
    /// Pods no longer tracked move from the uncounted lists into the counts, and once none is
    /// uncounted and none terminating the Job gets its final condition (and, when complete,
    /// `completionTime`). Returns the status and whether the Job finished.
    static func finish(_ status: JobStatus, plan: Plan, stillTracked: Set<String>, now: Date) -> (JobStatus, Bool) {
        var status = status
        let succeeded = status.uncountedSucceeded.filter(stillTracked.contains)
        status.succeeded += status.uncountedSucceeded.count - succeeded.count
        status.uncountedSucceeded = succeeded
        let failed = status.uncountedFailed.filter(stillTracked.contains)
        status.failed += status.uncountedFailed.count - failed.count
        status.uncountedFailed = failed
        guard let finished = plan.finished, status.uncountedSucceeded.isEmpty, status.uncountedFailed.isEmpty,
            (status.terminating ?? 0) == 0
        else { return (status, false) }
        status.ensure(finished, now: now)
        if finished.type == "Complete" { status.completionTime = KubernetesTime.time(now) }
        return (status, true)
    }
}
