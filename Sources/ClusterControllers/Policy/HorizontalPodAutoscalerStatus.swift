import OrderedCollections
import Resources

/// The pieces of an HPA's status as kube-controller-manager's HPA controller writes them
/// (`autoscaling/v2`), as functions of values.
enum HorizontalPodAutoscalerStatus {
    /// The replica count the target must be scaled to before any metric counts, and kube's
    /// reason for it: the replicas are above `maxReplicas` or below `minReplicas`. `nil` when
    /// they are within the bounds, or 0 (scaling is then disabled).
    static func boundedReplicas(current: Int64, min: Int64, max: Int64) -> (replicas: Int64, reason: String)? {
        if current == 0 { return nil }
        if current > max { return (max, "Current number of replicas above Spec.MaxReplicas") }
        if current < min { return (min, "Current number of replicas below Spec.MinReplicas") }
        return nil
    }

    /// `conditions` with the condition `type` set as the HPA controller sets it: appended when
    /// new, its transition time changed only when its status changes.
    static func setting(
        _ type: String, status: String, reason: String, message: String, in conditions: [JSONValue], now: String
    ) -> [JSONValue] {
        var conditions = conditions
        let index = conditions.firstIndex { $0["type"]?.stringValue == type }
        let old = index.map { conditions[$0] }
        let time = old?["status"]?.stringValue == status ? old?["lastTransitionTime"] ?? .string(now) : .string(now)
        let condition: JSONValue = [
            "type": .string(type), "status": .string(status), "lastTransitionTime": time,
            "reason": .string(reason), "message": .string(message),
        ]
        if let index { conditions[index] = condition } else { conditions.append(condition) }
        return conditions
    }

    /// The status object: `lastScaleTime` and `currentReplicas` left out when unset or 0, and
    /// `currentMetrics` written even when null, as Go's encoding of the v2 status does.
    static func status(
        currentReplicas: Int64, desiredReplicas: Int64, currentMetrics: JSONValue, lastScaleTime: JSONValue?,
        conditions: [JSONValue]
    ) -> JSONValue {
        var status: JSONObject = [:]
        if let lastScaleTime, !lastScaleTime.isNull { status["lastScaleTime"] = lastScaleTime }
        if currentReplicas != 0 { status["currentReplicas"] = .int(currentReplicas) }
        status["desiredReplicas"] = .int(desiredReplicas)
        status["currentMetrics"] = currentMetrics
        if !conditions.isEmpty { status["conditions"] = .array(conditions) }
        return .object(status)
    }

    /// The current metrics of a failed computation: one empty status per metric (kube keeps
    /// the slots it could not fill, each with an empty `type`).
    static func emptyMetrics(count: Int) -> JSONValue {
        .array(Array(repeating: ["type": ""], count: count))
    }

    /// Whether two statuses say the same, ignoring members that are null (the store may keep
    /// or drop a null `currentMetrics`).
    static func same(_ lhs: JSONValue?, _ rhs: JSONValue?) -> Bool {
        func essence(_ value: JSONValue?) -> JSONValue {
            .object((value?.objectValue ?? [:]).filter { !$0.value.isNull })
        }
        return essence(lhs) == essence(rhs)
    }
}
