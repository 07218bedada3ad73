import ControllerRuntime
import Foundation
import OrderedCollections
import Resources

/// The pure part of the ReplicaSet controller: which Pods go first when scaling down, and the
/// status a set of Pods gives.
enum ReplicaSetPods {
    /// The annotation that makes a Pod cheaper (lower) or dearer to delete.
    static let deletionCost = "controller.kubernetes.io/pod-deletion-cost"

    /// `pods` in the order kube deletes them: unscheduled before scheduled; Pending before
    /// Unknown before Running; not ready before ready; lower `pod-deletion-cost` first; more
    /// Pods of the same owner on the node first; ready more recently first (by powers of two of
    /// the time ready); more restarts first; created more recently first (the same way).
    /// `related` are the Pods of every ReplicaSet of the same owner, for the per-node counts.
    static func deletionOrder(_ pods: [Resource], related: [Resource], now: Date) -> [Resource] {
        var perNode: [String: Int] = [:]
        for pod in related where Pods.isActive(pod) { perNode[nodeName(pod), default: 0] += 1 }
        return pods.sorted { deletesBefore($0, $1, rank: { perNode[nodeName($0)] ?? 0 }, now: now) }
    }

    /// Whether `a` goes before `b` (kube's `ActivePodsWithRanks.Less`, with logarithmic scale-down).
    static func deletesBefore(_ a: Resource, _ b: Resource, rank: (Resource) -> Int, now: Date) -> Bool {
        let (nodeA, nodeB) = (nodeName(a), nodeName(b))
        if nodeA != nodeB && (nodeA.isEmpty || nodeB.isEmpty) { return nodeA.isEmpty }
        let (phaseA, phaseB) = (phaseOrdinal(a), phaseOrdinal(b))
        if phaseA != phaseB { return phaseA < phaseB }
        let (readyA, readyB) = (Pods.isReady(a), Pods.isReady(b))
        if readyA != readyB { return !readyA }
        let (costA, costB) = (cost(a), cost(b))
        if costA != costB { return costA < costB }
        let (rankA, rankB) = (rank(a), rank(b))
        if rankA != rankB { return rankA > rankB }
        if readyA && readyB {
            let (timeA, timeB) = (readyTime(a), readyTime(b))
            if timeA != timeB {
                guard let timeA, let timeB else { return timeA == nil }
                let difference = logarithmicRank(timeA, now: now) - logarithmicRank(timeB, now: now)
                if difference == 0 { return (a.uid ?? "") < (b.uid ?? "") }
                return difference < 0
            }
        }
        let (restartsA, restartsB) = (restarts(a), restarts(b))
        if restartsA != restartsB { return restartsA > restartsB }
        let (createdA, createdB) = (created(a), created(b))
        if createdA != createdB {
            guard let createdA, let createdB else { return createdA == nil }
            let difference = logarithmicRank(createdA, now: now) - logarithmicRank(createdB, now: now)
            if difference == 0 { return (a.uid ?? "") < (b.uid ?? "") }
            return difference < 0
        }
        return false
    }

    static func nodeName(_ pod: Resource) -> String { pod.spec?["nodeName"]?.stringValue ?? "" }

    /// Pending 0, Unknown 1, Running 2 (others count as Pending, as in kube's map).
    static func phaseOrdinal(_ pod: Resource) -> Int {
        switch Pods.phase(of: pod) {
        case "Unknown": 1
        case "Running": 2
        default: 0
        }
    }

    static func cost(_ pod: Resource) -> Int32 {
        pod.annotations[deletionCost].flatMap { Int32($0) } ?? 0
    }

    static func readyTime(_ pod: Resource) -> Date? {
        guard Pods.isReady(pod) else { return nil }
        return Pods.readyCondition(of: pod)?["lastTransitionTime"]?.stringValue.flatMap(KubernetesTime.parse)
    }

    static func created(_ pod: Resource) -> Date? { pod.creationTimestamp.flatMap(KubernetesTime.parse) }

    /// The highest restart count among the Pod's containers.
    static func restarts(_ pod: Resource) -> Int64 {
        (pod.status?["containerStatuses"]?.arrayValue ?? []).compactMap { $0["restartCount"]?.intValue }.max() ?? 0
    }

    /// ⌊log₂ of the nanoseconds since `time`⌋ (-1 for none), kube's bucket of ages.
    static func logarithmicRank(_ time: Date, now: Date) -> Int {
        let nanoseconds = now.timeIntervalSince(time) * 1e9
        return nanoseconds > 0 ? Int(log2(nanoseconds)) : -1
    }

    /// The counts of a ReplicaSet's status from its active Pods (and those being deleted), and
    /// its `ReplicaFailure` condition: set when managing the Pods failed (`FailedCreate` or
    /// `FailedDelete`), kept while it fails, removed once it does not. Zero counts are left
    /// out, as kube writes them; `replicas` and `terminatingReplicas` always present.
    static func status(
        of replicaSet: Resource, active: [Resource], terminating: Int, failure: String?, now: Date
    ) -> JSONValue {
        let spec = replicaSet.spec ?? .object([:])
        let minReadySeconds = Int(spec["minReadySeconds"]?.intValue ?? 0)
        let templateLabels = spec["template"]?["metadata"]?["labels"]?.objectValue ?? [:]
        var fullyLabeled = 0
        var ready = 0
        var available = 0
        for pod in active {
            let labels = pod.labels
            if templateLabels.allSatisfy({ labels[$0.key] == $0.value.stringValue }) { fullyLabeled += 1 }
            if Pods.isReady(pod) {
                ready += 1
                if Pods.isAvailable(pod, minReadySeconds: minReadySeconds, now: now) { available += 1 }
            }
        }
        var conditions = replicaSet.status?["conditions"]?.arrayValue ?? []
        let existing = conditions.first { $0["type"]?.stringValue == "ReplicaFailure" }
        if let failure, existing == nil {
            let replicas = Int(spec["replicas"]?.intValue ?? 1)
            let reason = active.count < replicas ? "FailedCreate" : active.count > replicas ? "FailedDelete" : ""
            var condition: JSONObject = [
                "type": "ReplicaFailure", "status": "True", "lastTransitionTime": .string(KubernetesTime.time(now)),
            ]
            if !reason.isEmpty { condition["reason"] = .string(reason) }
            condition["message"] = .string(failure)
            conditions.append(.object(condition))
        } else if failure == nil, existing != nil {
            conditions.removeAll { $0["type"]?.stringValue == "ReplicaFailure" }
        }
        var status: JSONObject = ["replicas": .int(Int64(active.count))]
        if fullyLabeled != 0 { status["fullyLabeledReplicas"] = .int(Int64(fullyLabeled)) }
        if ready != 0 { status["readyReplicas"] = .int(Int64(ready)) }
        if available != 0 { status["availableReplicas"] = .int(Int64(available)) }
        if let generation = replicaSet.generation, generation != 0 { status["observedGeneration"] = .int(generation) }
        status["terminatingReplicas"] = .int(Int64(terminating))
        if !conditions.isEmpty { status["conditions"] = .array(conditions) }
        return .object(status)
    }

    /// How long until the first ready Pod of `active` becomes available; `nil` when none waits.
    static func nextAvailabilityCheck(active: [Resource], minReadySeconds: Int, now: Date) -> TimeInterval? {
        guard minReadySeconds > 0 else { return nil }
        var soonest: TimeInterval?
        for pod in active where Pods.isReady(pod) && !Pods.isAvailable(pod, minReadySeconds: minReadySeconds, now: now) {
            guard let since = readyTime(pod) else { continue }
            let wait = max(0, since.addingTimeInterval(TimeInterval(minReadySeconds)).timeIntervalSince(now))
            soonest = min(soonest ?? wait, wait)
        }
        return soonest
    }
}
