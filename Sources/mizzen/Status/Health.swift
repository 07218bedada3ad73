import OAM
import Resources

/// How an object, a component or an application is doing, as `status`, `get` and `up --wait`
/// report it.
enum Health: String, Sendable, Comparable, CaseIterable {
    /// Running as asked.
    case healthy
    /// On its way: not applied yet, waiting on a data input, or rolling out.
    case progressing
    /// Mizzen cannot tell (a kind it knows nothing about that reports no conditions).
    case unknown
    /// Failing: an error, a failed condition, a workload a HealthScope reports unhealthy.
    case unhealthy

    /// The worse of two: `unhealthy` > `progressing` > `unknown` > `healthy`.
    static func < (a: Health, b: Health) -> Bool { a.rank < b.rank }

    private var rank: Int {
        switch self {
        case .healthy: 0
        case .unknown: 1
        case .progressing: 2
        case .unhealthy: 3
        }
    }

    var style: Terminal.Style {
        switch self {
        case .healthy: .green
        case .progressing: .yellow
        case .unknown: .dim
        case .unhealthy: .red
        }
    }
}

/// The health of one live object from its status, the way `kubectl rollout status` judges
/// Deployments: pure, so the rules are tested without a server.
enum HealthRules {
    struct Verdict: Sendable, Equatable {
        var health: Health
        /// A short reading: "2/2 available", "Synced: cannot apply …".
        var detail: String
    }

    /// The health of `object`; `children` are the objects a ContainerizedWorkload's status lists.
    static func evaluate(_ object: Resource, children: [Resource] = []) -> Verdict {
        let group = GroupVersion(apiVersion: object.apiVersion).group
        if let failed = failedCondition(object) { return failed }
        if let generation = object.generation, let observed = object.status?["observedGeneration"]?.intValue,
            observed < generation, group == "apps"
        {
            return Verdict(health: .progressing, detail: "generation \(generation) not observed yet")
        }
        switch (group, object.kind) {
        case ("apps", "Deployment"):
            return replicas(object, field: "availableReplicas", word: "available")
        case ("apps", "StatefulSet"), ("apps", "ReplicaSet"):
            return replicas(object, field: "readyReplicas", word: "ready")
        case ("apps", "DaemonSet"):
            let desired = object.status?["desiredNumberScheduled"]?.intValue ?? 0
            let ready = object.status?["numberReady"]?.intValue ?? 0
            return Verdict(health: ready >= desired && object.status != nil ? .healthy : .progressing, detail: "\(ready)/\(desired) ready")
        case (OAM.group, "ContainerizedWorkload"), (StandardCatalog.group, PodSpecWorkload.kind):
            return containerized(object, children: children)
        case ("batch", "Job"):
            return job(object)
        case ("batch", "CronJob"):
            let active = object.status?["active"]?.arrayValue?.count ?? 0
            let suspended = object.spec?["suspend"]?.boolValue == true
            return Verdict(health: .healthy, detail: suspended ? "suspended" : "\(active) active")
        case (OAM.group, "HealthScope"):
            let status = object.status?["scopeHealthCondition"]?["healthStatus"]?.stringValue
            switch status {
            case "HEALTHY": return Verdict(health: .healthy, detail: "all workloads healthy")
            case "UNHEALTHY":
                let unhealthy = object.status?["scopeHealthCondition"]?["unhealthyWorkloads"]?.intValue ?? 0
                let total = object.status?["scopeHealthCondition"]?["total"]?.intValue ?? 0
                return Verdict(health: .unhealthy, detail: "\(unhealthy)/\(total) workloads unhealthy")
            default: return Verdict(health: .progressing, detail: "not evaluated yet")
            }
        case ("", "Service"), ("", "ConfigMap"), ("", "Secret"):
            return Verdict(health: .healthy, detail: "exists")
        case (StandardCatalog.group, RolloutTrait.kind):
            return rollout(object)
        default:
            if let ready = condition(object, types: ["Ready", "Available", "Synced"]) {
                return ready.status == "True"
                    ? Verdict(health: .healthy, detail: "\(ready.type)")
                    : Verdict(health: .progressing, detail: "\(ready.type): \(ready.status)")
            }
            return Verdict(health: .unknown, detail: "applied; reports no readiness")
        }
    }

    private static func replicas(_ object: Resource, field: String, word: String) -> Verdict {
        let wanted = object.spec?["replicas"]?.intValue ?? 1
        let have = object.status?[field]?.intValue ?? 0
        let updated = object.kind == "Deployment" ? object.status?["updatedReplicas"]?.intValue ?? 0 : have
        let done = have >= wanted && updated >= wanted
        return Verdict(health: done ? .healthy : .progressing, detail: "\(have)/\(wanted) \(word)")
    }

    /// A Job: healthy once complete, unhealthy when failed, progressing while it runs (as the
    /// HealthScope judges it).
    private static func job(_ object: Resource) -> Verdict {
        let done = conditions(object).first { ($0.type == "Complete" || $0.type == "Failed") && $0.status == "True" }
        let succeeded = object.status?["succeeded"]?.intValue ?? 0
        let completions = object.spec?["completions"]?.intValue ?? 1
        switch done?.type {
        case "Complete": return Verdict(health: .healthy, detail: "complete (\(succeeded)/\(completions))")
        case "Failed":
            let why = done.map { $0.message.isEmpty ? $0.reason : $0.message } ?? ""
            return Verdict(health: .unhealthy, detail: "failed: \(why)")
        default: return Verdict(health: .progressing, detail: "running (\(succeeded)/\(completions) succeeded)")
        }
    }

    /// A RolloutTrait: its phase, batch, both revisions and why it waits; rolled back is
    /// unhealthy (the revision asked for does not run).
    private static func rollout(_ object: Resource) -> Verdict {
        guard let status = RolloutStatus(object.status) else {
            return Verdict(health: .progressing, detail: "no rollout observed yet")
        }
        let health: Health = switch status.phase {
        case .succeeded: .healthy
        case .rolledBack: .unhealthy
        case .progressing, .paused: .progressing
        }
        return Verdict(health: health, detail: status.summary)
    }

    private static func containerized(_ object: Resource, children: [Resource]) -> Verdict {
        guard let deployment = children.first(where: { $0.kind == "Deployment" }) else {
            return Verdict(health: .progressing, detail: "its Deployment does not exist yet")
        }
        return evaluate(deployment)
    }

    /// A condition that says the object failed: `Synced`/`Ready` False with reason `*Error`, or
    /// a Deployment's `ReplicaFailure`/`Progressing` deadline exceeded.
    private static func failedCondition(_ object: Resource) -> Verdict? {
        for condition in conditions(object) {
            let failed: Bool
            switch condition.type {
            case "ReplicaFailure": failed = condition.status == "True"
            case "Progressing": failed = condition.status == "False" && condition.reason == "ProgressDeadlineExceeded"
            default: failed = condition.status == "False" && condition.reason.hasSuffix("Error")
            }
            if failed {
                return Verdict(health: .unhealthy, detail: "\(condition.type): \(condition.message.isEmpty ? condition.reason : condition.message)")
            }
        }
        return nil
    }

    struct ConditionReading: Sendable, Equatable {
        var type: String
        var status: String
        var reason: String
        var message: String
        var lastTransitionTime: String
    }

    /// `status.conditions` of `object`.
    static func conditions(_ object: Resource) -> [ConditionReading] {
        (object.status?["conditions"]?.arrayValue ?? []).compactMap { value in
            guard let type = value["type"]?.stringValue else { return nil }
            return ConditionReading(
                type: type, status: value["status"]?.stringValue ?? "Unknown", reason: value["reason"]?.stringValue ?? "",
                message: value["message"]?.stringValue ?? "", lastTransitionTime: value["lastTransitionTime"]?.stringValue ?? "")
        }
    }

    private static func condition(_ object: Resource, types: [String]) -> ConditionReading? {
        let all = conditions(object)
        for type in types { if let found = all.first(where: { $0.type == type }) { return found } }
        return nil
    }
}
