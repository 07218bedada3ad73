import ControllerRuntime
import Foundation
import OrderedCollections
import Resources

/// What kube-controller-manager's disruption controller computes for a PodDisruptionBudget, as
/// functions of values: how many pods it expects, how many must stay healthy, which recent
/// evictions still count, and the status it writes.
enum DisruptionBudget {
    /// The condition type of the status.
    static let conditionType = "DisruptionAllowed"
    /// How long an eviction recorded in `status.disruptedPods` counts while its pod is not
    /// deleted (kube's `DeletionTimeout`).
    static let deletionTimeout: TimeInterval = 120

    /// The scale of a pod's controller: its uid and its `spec.replicas`.
    struct ControllerScale: Hashable, Sendable {
        var uid: String
        var replicas: Int64
    }

    /// A failure of a sync, worded as kube words it; it becomes the `SyncFailed` condition.
    struct SyncFailure: Error, Equatable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// What a PDB counts.
    struct Counts: Equatable {
        var expectedPods: Int64
        var desiredHealthy: Int64
        /// Pods without a controller, when the budget needs their controllers' scale.
        var unmanagedPods: [String]
    }

    /// The expected pod count and the healthy pods wanted by `pdb` over `pods`; `scale` finds
    /// the scale of a pod's controller (`nil`: no controller of a kind with a scale; a thrown
    /// ``SyncFailure`` for a kind that has none).
    ///
    /// `maxUnavailable` and a percentage `minAvailable` resolve against the sum of the scales of
    /// the pods' controllers (percentages rounded up); an integer `minAvailable` counts the
    /// selected pods themselves.
    static func counts(
        of pdb: Resource, pods: [Resource], scale: (OwnerReference, Resource) throws -> ControllerScale?
    ) throws -> Counts {
        let spec = pdb.spec ?? .emptyObject
        if let maxUnavailable = spec["maxUnavailable"], !maxUnavailable.isNull {
            let (expected, unmanaged) = try expectedScale(of: pods, scale: scale)
            let unavailable = try scaledValue(maxUnavailable, total: expected, field: "maxUnavailable")
            return Counts(expectedPods: expected, desiredHealthy: max(0, expected - unavailable), unmanagedPods: unmanaged)
        }
        if let minAvailable = spec["minAvailable"], !minAvailable.isNull {
            if case .int(let count) = minAvailable {
                return Counts(expectedPods: Int64(pods.count), desiredHealthy: count, unmanagedPods: [])
            }
            let (expected, unmanaged) = try expectedScale(of: pods, scale: scale)
            let available = try scaledValue(minAvailable, total: expected, field: "minAvailable")
            return Counts(expectedPods: expected, desiredHealthy: available, unmanagedPods: unmanaged)
        }
        return Counts(expectedPods: 0, desiredHealthy: 0, unmanagedPods: [])
    }

    /// The sum of the scales of the controllers of `pods`, each controller once, and the pods
    /// that have no controller.
    static func expectedScale(
        of pods: [Resource], scale: (OwnerReference, Resource) throws -> ControllerScale?
    ) throws -> (Int64, [String]) {
        var scales: [String: Int64] = [:]
        var unmanaged: [String] = []
        for pod in pods {
            guard let reference = pod.controllerReference else {
                unmanaged.append(pod.name)
                continue
            }
            if scales[reference.uid] != nil { continue }
            guard let found = try scale(reference, pod) else {
                throw SyncFailure(message: "found no controllers for pod \"\(pod.name)\"")
            }
            scales[found.uid] = found.replicas
        }
        return (scales.values.reduce(0, +), unmanaged)
    }

    /// An int-or-percent value against `total`, a percentage rounded up.
    static func scaledValue(_ value: JSONValue, total: Int64, field: String) throws -> Int64 {
        switch value {
        case .int(let count): return count
        case .string(let text):
            guard text.hasSuffix("%"), let percent = Int64(text.dropLast()) else {
                throw SyncFailure(message: "invalid value for IntOrString: invalid type: string is not a percentage")
            }
            let product = percent * total
            return product / 100 + (product % 100 > 0 ? 1 : 0)
        default:
            throw SyncFailure(message: "invalid value for IntOrString: invalid type: neither int nor percentage")
        }
    }

    /// The entries of `status.disruptedPods` that still count at `now` (their pod exists, is
    /// not being deleted, and was evicted less than ``deletionTimeout`` ago), the pods whose
    /// eviction should have deleted them by now, and when the next entry expires.
    static func disruptedPods(
        of pdb: Resource, pods: [Resource], now: Date
    ) -> (kept: OrderedDictionary<String, String>, overdue: [Resource], recheck: Date?) {
        let recorded = pdb.status?["disruptedPods"]?.objectValue ?? [:]
        var kept: OrderedDictionary<String, String> = [:]
        var overdue: [Resource] = []
        var recheck: Date?
        guard !recorded.isEmpty else { return (kept, overdue, recheck) }
        for pod in pods where !pod.isBeingDeleted {
            guard let text = recorded[pod.name]?.stringValue, let time = KubernetesTime.parse(text) else { continue }
            let expected = time.addingTimeInterval(deletionTimeout)
            if expected < now {
                overdue.append(pod)
            } else {
                kept[pod.name] = text
                if recheck.map({ expected < $0 }) ?? true { recheck = expected }
            }
        }
        kept.sort { $0.key < $1.key }
        return (kept, overdue, recheck)
    }

    /// The ready pods that are neither being deleted nor recently evicted.
    static func currentHealthy(_ pods: [Resource], disrupted: OrderedDictionary<String, String>) -> Int64 {
        Int64(pods.filter { pod in
            !pod.isBeingDeleted && disrupted[pod.name] == nil && Pods.isReady(pod)
        }.count)
    }

    /// The status the controller writes: the counts, the disruptions allowed, the kept
    /// evictions, the PDB's generation as observed, and the `DisruptionAllowed` condition
    /// (`SufficientPods` or `InsufficientPods`, an empty message, its transition time kept
    /// while its status holds). `nil` when the current status already says all that.
    static func status(
        of pdb: Resource, counts: Counts, currentHealthy: Int64, disrupted: OrderedDictionary<String, String>,
        now: String
    ) -> JSONValue? {
        var allowed = currentHealthy - counts.desiredHealthy
        if counts.expectedPods <= 0 || allowed <= 0 { allowed = 0 }
        let old = pdb.status ?? .emptyObject
        let generation = pdb.generation ?? 0
        let oldDisrupted = old["disruptedPods"]?.objectValue ?? [:]
        let sameDisrupted = oldDisrupted.count == disrupted.count
            && disrupted.allSatisfy { oldDisrupted[$0.key]?.stringValue == $0.value }
        if old["currentHealthy"]?.intValue == currentHealthy, old["desiredHealthy"]?.intValue == counts.desiredHealthy,
            old["expectedPods"]?.intValue == counts.expectedPods, old["disruptionsAllowed"]?.intValue == allowed,
            sameDisrupted, old["observedGeneration"]?.intValue == generation,
            conditionIsUpToDate(in: old, allowed: allowed, generation: generation)
        {
            return nil
        }
        var status: JSONObject = [
            "currentHealthy": .int(currentHealthy), "desiredHealthy": .int(counts.desiredHealthy),
            "disruptionsAllowed": .int(allowed), "expectedPods": .int(counts.expectedPods),
            "observedGeneration": .int(generation),
        ]
        if !disrupted.isEmpty {
            status["disruptedPods"] = .object(JSONObject(uniqueKeysWithValues: disrupted.map { ($0.key, .string($0.value)) }))
        }
        let conditions = old["conditions"]?.arrayValue ?? []
        status["conditions"] = .array(setting(
            allowedCondition(allowed: allowed, observedGeneration: generation), in: conditions, now: now))
        return .object(status)
    }

    /// The status after a failed sync: the old one with no disruption allowed and a
    /// `SyncFailed` condition carrying `message`.
    static func failedStatus(of pdb: Resource, message: String, now: String) -> JSONValue {
        var status = pdb.status?.objectValue ?? [:]
        status["disruptionsAllowed"] = 0
        let observed = status["observedGeneration"]?.intValue ?? 0
        status["conditions"] = .array(setting(
            condition(status: "False", reason: "SyncFailed", message: message, observedGeneration: observed),
            in: status["conditions"]?.arrayValue ?? [], now: now))
        return .object(status)
    }

    /// `SufficientPods` when disruptions are allowed, `InsufficientPods` otherwise.
    static func allowedCondition(allowed: Int64, observedGeneration: Int64) -> JSONValue {
        allowed > 0
            ? condition(status: "True", reason: "SufficientPods", message: "", observedGeneration: observedGeneration)
            : condition(status: "False", reason: "InsufficientPods", message: "", observedGeneration: observedGeneration)
    }

    /// A `DisruptionAllowed` condition without its transition time (`observedGeneration`
    /// left out when 0, as Go's `omitempty`).
    static func condition(status: String, reason: String, message: String, observedGeneration: Int64) -> JSONValue {
        var members: JSONObject = ["type": .string(conditionType), "status": .string(status),
                                   "reason": .string(reason), "message": .string(message)]
        if observedGeneration != 0 { members["observedGeneration"] = .int(observedGeneration) }
        return .object(members)
    }

    /// `conditions` with `condition` set as apimachinery's `SetStatusCondition` sets it: the
    /// transition time changes only when the status does.
    static func setting(_ condition: JSONValue, in conditions: [JSONValue], now: String) -> [JSONValue] {
        var conditions = conditions
        var updated = condition
        if let index = conditions.firstIndex(where: { $0["type"] == condition["type"] }) {
            let old = conditions[index]
            let time = old["status"] == condition["status"] ? old["lastTransitionTime"] : nil
            updated["lastTransitionTime"] = time ?? .string(now)
            conditions[index] = updated
        } else {
            updated["lastTransitionTime"] = .string(now)
            conditions.append(updated)
        }
        return conditions
    }

    /// Whether the status's condition says what `allowed` means, for the current generation.
    static func conditionIsUpToDate(in status: JSONValue, allowed: Int64, generation: Int64) -> Bool {
        guard status["observedGeneration"]?.intValue == generation,
            let condition = status["conditions"]?.arrayValue?.first(where: { $0["type"]?.stringValue == conditionType })
        else { return false }
        return allowed > 0
            ? condition["status"] == "True" && condition["reason"] == "SufficientPods"
            : condition["status"] == "False" && condition["reason"] == "InsufficientPods"
    }

    /// A label selector as Go's `%v` prints a `*metav1.LabelSelector`, as the `UnmanagedPods`
    /// Event quotes it.
    static func goDescription(ofSelector selector: JSONValue?) -> String {
        guard let selector, !selector.isNull else { return "nil" }
        let labels = (selector["matchLabels"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key): \($0.value.stringValue ?? ""),"}.joined()
        let expressions = (selector["matchExpressions"]?.arrayValue ?? []).map { expression in
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ")
            return "LabelSelectorRequirement{Key:\(expression["key"]?.stringValue ?? ""),"
                + "Operator:\(expression["operator"]?.stringValue ?? ""),Values:[\(values)],},"
        }.joined()
        return "&LabelSelector{MatchLabels:map[string]string{\(labels)},"
            + "MatchExpressions:[]LabelSelectorRequirement{\(expressions)},}"
    }
}
