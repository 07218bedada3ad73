import APIMachinery
import OrderedCollections
public import Resources

/// `autoscaling/v1` HorizontalPodAutoscalers are the stored `autoscaling/v2` objects converted,
/// as kube-apiserver converts them: v1's `targetCPUUtilizationPercentage` is v2's CPU
/// `Utilization` Resource metric, `currentCPUUtilizationPercentage` its current value, and the
/// conditions and behavior v1 cannot express travel in kube's round-trip annotations
/// (`autoscaling.alpha.kubernetes.io/conditions`, `…/behavior`).
///
/// The other metrics and the current metrics travel in `…/metrics` and `…/current-metrics`, in
/// the older shape v1 uses there (`targetAverageValue`, `metricName`…).
public enum HorizontalPodAutoscalerConversion {
    public static let conditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions"
    public static let behaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior"
    public static let metricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics"
    public static let currentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics"
    static let roundTripAnnotations = [
        metricsAnnotation, currentMetricsAnnotation,
        conditionsAnnotation, behaviorAnnotation, "autoscaling.alpha.kubernetes.io/scale-down-tolerance",
        "autoscaling.alpha.kubernetes.io/scale-up-tolerance",
    ]

    private static func isCPUUtilization(_ metric: JSONValue) -> Bool {
        metric["type"]?.stringValue == "Resource" && metric["resource"]?["name"]?.stringValue == "cpu"
            && metric["resource"]?["target"]?["averageUtilization"]?.intValue != nil
    }

    /// A stored `autoscaling/v2` object as `autoscaling/v1` shows it.
    public static func toV1(_ hpa: JSONValue) -> JSONValue {
        guard case .object(let members) = hpa else { return hpa }
        var metadata = members["metadata"]?.objectValue ?? [:]
        var annotations = metadata["annotations"]?.objectValue ?? [:]
        for key in roundTripAnnotations { annotations.removeValue(forKey: key) }
        let spec = members["spec"] ?? [:]
        let status = members["status"] ?? [:]
        let others = (spec["metrics"]?.arrayValue ?? []).filter { !isCPUUtilization($0) }
        if !others.isEmpty {
            annotations[metricsAnnotation] = .string(JSONValue.array(others.map(MetricForms.specToV1)).jsonString())
        }
        if let current = status["currentMetrics"]?.arrayValue, !current.isEmpty {
            annotations[currentMetricsAnnotation] = .string(JSONValue.array(current.map(MetricForms.statusToV1)).jsonString())
        }
        if let conditions = status["conditions"]?.arrayValue, !conditions.isEmpty {
            annotations[conditionsAnnotation] = .string(JSONValue.array(conditions).jsonString())
        }
        if let behavior = spec["behavior"], !behavior.isNull {
            annotations[behaviorAnnotation] = .string(MetricForms.behaviorToInternal(behavior).jsonString())
        }
        if annotations.isEmpty { metadata.removeValue(forKey: "annotations") } else { metadata["annotations"] = .object(annotations) }

        var v1Spec: JSONObject = [:]
        if let reference = spec["scaleTargetRef"] { v1Spec["scaleTargetRef"] = reference }
        if let minimum = spec["minReplicas"], !minimum.isNull { v1Spec["minReplicas"] = minimum }
        v1Spec["maxReplicas"] = spec["maxReplicas"] ?? 0
        if let cpu = (spec["metrics"]?.arrayValue ?? []).first(where: isCPUUtilization) {
            v1Spec["targetCPUUtilizationPercentage"] = cpu["resource"]?["target"]?["averageUtilization"]
        }

        var v1Status: JSONObject = [:]
        if let generation = status["observedGeneration"], !generation.isNull { v1Status["observedGeneration"] = generation }
        if let time = status["lastScaleTime"], !time.isNull { v1Status["lastScaleTime"] = time }
        v1Status["currentReplicas"] = status["currentReplicas"] ?? 0
        v1Status["desiredReplicas"] = status["desiredReplicas"] ?? 0
        let current = (status["currentMetrics"]?.arrayValue ?? []).first {
            $0["type"]?.stringValue == "Resource" && $0["resource"]?["name"]?.stringValue == "cpu"
        }
        if let utilization = current?["resource"]?["current"]?["averageUtilization"], !utilization.isNull {
            v1Status["currentCPUUtilizationPercentage"] = utilization
        }

        var out: JSONObject = ["kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1"]
        out["metadata"] = .object(metadata)
        out["spec"] = .object(v1Spec)
        if members["status"] != nil { out["status"] = .object(v1Status) }
        return .object(out)
    }

    /// An `autoscaling/v1` object (or apply configuration) as `autoscaling/v2` stores it: what the
    /// round-trip annotations carry comes back; without them only the CPU target is known.
    /// `stored` is unused by kube's conversion and kept for callers that have it.
    public static func toV2(_ hpa: JSONValue, stored: JSONValue?) -> JSONValue {
        guard case .object(let members) = hpa else { return hpa }
        var metadata = members["metadata"]?.objectValue ?? [:]
        var annotations = metadata["annotations"]?.objectValue ?? [:]
        let metricsText = annotations[metricsAnnotation]?.stringValue
        let currentMetricsText = annotations[currentMetricsAnnotation]?.stringValue
        let conditionsText = annotations[conditionsAnnotation]?.stringValue
        let behaviorText = annotations[behaviorAnnotation]?.stringValue
        for key in roundTripAnnotations { annotations.removeValue(forKey: key) }
        if metadata["annotations"] != nil {
            if annotations.isEmpty { metadata.removeValue(forKey: "annotations") } else { metadata["annotations"] = .object(annotations) }
        }
        let spec = members["spec"] ?? [:]
        var v2Spec: JSONObject = [:]
        if let reference = spec["scaleTargetRef"] { v2Spec["scaleTargetRef"] = reference }
        if let minimum = spec["minReplicas"] { v2Spec["minReplicas"] = minimum }
        if let maximum = spec["maxReplicas"] { v2Spec["maxReplicas"] = maximum }
        var metrics: [JSONValue] = []
        if let text = metricsText, let others = try? JSONValue(parsingJSON: Array(text.utf8)).arrayValue {
            metrics = others.map(MetricForms.specFromV1)
        }
        if let target = spec["targetCPUUtilizationPercentage"], !target.isNull {
            metrics.append([
                "type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": target]],
            ])
        }
        // autoscaling/v1 always had a CPU target: 80 % when none is given.
        if metrics.isEmpty {
            metrics = [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]]
        }
        v2Spec["metrics"] = .array(metrics)
        if let text = behaviorText, let encoded = try? JSONValue(parsingJSON: Array(text.utf8)) {
            let behavior = MetricForms.behaviorFromInternal(encoded)
            if behavior != .emptyObject { v2Spec["behavior"] = behavior }
        }

        var out: JSONObject = [:]
        if members["kind"] != nil { out["kind"] = "HorizontalPodAutoscaler" }
        if members["apiVersion"] != nil { out["apiVersion"] = "autoscaling/v2" }
        if members["metadata"] != nil { out["metadata"] = .object(metadata) }
        if members["spec"] != nil { out["spec"] = .object(v2Spec) }
        if let status = members["status"], case .object(let v1Status) = status {
            var v2Status: JSONObject = [:]
            for key in ["observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas"] {
                if let value = v1Status[key] { v2Status[key] = value }
            }
            if let text = currentMetricsText, let current = try? JSONValue(parsingJSON: Array(text.utf8)).arrayValue {
                // The annotation has more than the CPU figure: it wins.
                v2Status["currentMetrics"] = .array(current.map(MetricForms.statusFromV1))
            } else if let utilization = v1Status["currentCPUUtilizationPercentage"], !utilization.isNull {
                v2Status["currentMetrics"] = [[
                    "type": "Resource", "resource": ["name": "cpu", "current": ["averageUtilization": utilization]],
                ]]
            }
            if let text = conditionsText, let conditions = try? JSONValue(parsingJSON: Array(text.utf8)) {
                v2Status["conditions"] = conditions
            }
            out["status"] = .object(v2Status)
        }
        return .object(out)
    }
}
