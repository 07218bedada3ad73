import ControllerRuntime
import Foundation
import OrderedCollections
import Resources

/// A Job's `status`, read from and written back to JSON in the shape kube-controller-manager
/// writes it: fields in `JobStatus` order, counts left out when zero, `ready`, `terminating`
/// and `uncountedTerminatedPods` always there once the controller has synced the Job.
struct JobStatus: Equatable {
    var conditions: [JSONValue] = []
    var startTime: String?
    var completionTime: String?
    var active = 0
    var succeeded = 0
    var failed = 0
    var terminating: Int?
    var completedIndexes = ""
    var failedIndexes: String?
    var uncountedSucceeded: [String] = []
    var uncountedFailed: [String] = []
    var ready: Int?
    /// Fields this controller does not write, kept as they are.
    var others: JSONObject = [:]

    private static let known: Set<String> = [
        "conditions", "startTime", "completionTime", "active", "succeeded", "failed", "terminating",
        "completedIndexes", "failedIndexes", "uncountedTerminatedPods", "ready",
    ]

    init() {}

    init(_ value: JSONValue?) {
        let members = value?.objectValue ?? [:]
        conditions = members["conditions"]?.arrayValue ?? []
        startTime = members["startTime"]?.stringValue
        completionTime = members["completionTime"]?.stringValue
        active = Int(members["active"]?.intValue ?? 0)
        succeeded = Int(members["succeeded"]?.intValue ?? 0)
        failed = Int(members["failed"]?.intValue ?? 0)
        terminating = members["terminating"]?.intValue.map(Int.init)
        completedIndexes = members["completedIndexes"]?.stringValue ?? ""
        failedIndexes = members["failedIndexes"]?.stringValue
        let uncounted = members["uncountedTerminatedPods"]
        uncountedSucceeded = uncounted?["succeeded"]?.arrayValue?.compactMap(\.stringValue) ?? []
        uncountedFailed = uncounted?["failed"]?.arrayValue?.compactMap(\.stringValue) ?? []
        ready = members["ready"]?.intValue.map(Int.init)
        others = members.filter { !Self.known.contains($0.key) }
    }

    var json: JSONValue {
        var members: JSONObject = [:]
        if !conditions.isEmpty { members["conditions"] = .array(conditions) }
        if let startTime { members["startTime"] = .string(startTime) }
        if let completionTime { members["completionTime"] = .string(completionTime) }
        if active != 0 { members["active"] = .int(Int64(active)) }
        if succeeded != 0 { members["succeeded"] = .int(Int64(succeeded)) }
        if failed != 0 { members["failed"] = .int(Int64(failed)) }
        if let terminating { members["terminating"] = .int(Int64(terminating)) }
        if !completedIndexes.isEmpty { members["completedIndexes"] = .string(completedIndexes) }
        if let failedIndexes { members["failedIndexes"] = .string(failedIndexes) }
        var uncounted: JSONObject = [:]
        if !uncountedSucceeded.isEmpty { uncounted["succeeded"] = .array(uncountedSucceeded.map(JSONValue.string)) }
        if !uncountedFailed.isEmpty { uncounted["failed"] = .array(uncountedFailed.map(JSONValue.string)) }
        members["uncountedTerminatedPods"] = .object(uncounted)
        if let ready { members["ready"] = .int(Int64(ready)) }
        for (key, value) in others { members[key] = value }
        return .object(members)
    }

    // MARK: Conditions

    /// The condition of `type` whose status is `True`, if any.
    func trueCondition(_ type: String) -> JSONValue? {
        conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
    }

    /// Whether the Job finished: a `Complete` or `Failed` condition is `True`.
    var isFinished: Bool { trueCondition("Complete") != nil || trueCondition("Failed") != nil }

    /// kube's `ensureJobConditionStatus`: the condition of `condition.type` takes the new
    /// status, reason and message (and `now` as its times) when any of them differs; a missing
    /// one is added unless its status is `False`. Returns whether anything changed.
    @discardableResult
    mutating func ensure(_ condition: JobCondition, status: String = "True", now: Date) -> Bool {
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == condition.type }) {
            let existing = conditions[index]
            guard existing["status"]?.stringValue != status || (existing["reason"]?.stringValue ?? "") != condition.reason
                || (existing["message"]?.stringValue ?? "") != condition.message
            else { return false }
            conditions[index] = condition.json(status: status, now: now)
            return true
        }
        guard status != "False" else { return false }
        conditions.append(condition.json(status: status, now: now))
        return true
    }
}

/// One condition of a Job, as the controller writes it.
struct JobCondition: Equatable, Sendable {
    var type: String
    var reason: String
    var message: String

    /// `{type, status, lastProbeTime, lastTransitionTime, reason, message}`, as kube orders it.
    func json(status: String = "True", now: Date) -> JSONValue {
        let time = JSONValue.string(KubernetesTime.time(now))
        var members: JSONObject = [
            "type": .string(type), "status": .string(status), "lastProbeTime": time, "lastTransitionTime": time,
        ]
        if !reason.isEmpty { members["reason"] = .string(reason) }
        if !message.isEmpty { members["message"] = .string(message) }
        return .object(members)
    }

    /// The condition as `value` holds it.
    init?(_ value: JSONValue?) {
        guard let type = value?["type"]?.stringValue else { return nil }
        self.init(type: type, reason: value?["reason"]?.stringValue ?? "", message: value?["message"]?.stringValue ?? "")
    }

    init(type: String, reason: String, message: String) {
        self.type = type
        self.reason = reason
        self.message = message
    }

    static let backoffLimitExceeded = JobCondition(
        type: "FailureTarget", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit")
    static let deadlineExceeded = JobCondition(
        type: "FailureTarget", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline")
    static let completionsReached = JobCondition(
        type: "SuccessCriteriaMet", reason: "CompletionsReached", message: "Reached expected number of succeeded pods")
    static let suspended = JobCondition(type: "Suspended", reason: "JobSuspended", message: "Job suspended")
    static let resumed = JobCondition(type: "Suspended", reason: "JobResumed", message: "Job resumed")

    /// The same reason and message under another type (`FailureTarget` → `Failed`,
    /// `SuccessCriteriaMet` → `Complete`).
    func renamed(_ type: String) -> JobCondition {
        JobCondition(type: type, reason: reason, message: message)
    }
}
