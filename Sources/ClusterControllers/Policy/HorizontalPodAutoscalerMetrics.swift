import Resources

/// What the HPA controller reports for each metric of an HPA on a cluster that serves no metrics
/// API (no metrics-server, no custom or external metrics adapter) — the embedded plane's case:
/// every metric fails, with the reason and message kube-controller-manager v1.36 gives.
enum HorizontalPodAutoscalerMetrics {
    /// The failure of one metric.
    struct Failure: Equatable, Sendable {
        /// The Event reason and the reason of the `ScalingActive` condition.
        var reason: String
        /// The Event message.
        var message: String
        /// The message as the first error of `FailedComputeMetricsReplicas` quotes it.
        var wrapped: String
    }

    static let resourceMetricsMissing =
        "unable to fetch metrics from resource metrics API: the server could not find the requested resource "
        + "(get pods.metrics.k8s.io)"
    static let customMetricsMissing =
        "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"

    /// How the metric `spec` (one entry of `spec.metrics`) of an HPA in `namespace` fails.
    static func failure(of spec: JSONValue, namespace: String) -> Failure {
        let type = spec["type"]?.stringValue ?? ""
        switch type {
        case "Resource":
            let source = spec["resource"] ?? .emptyObject
            let message = resourceMessage(name: source["name"]?.stringValue ?? "", target: source["target"])
            return Failure(
                reason: "FailedGetResourceMetric", message: message,
                wrapped: "failed to get \(source["name"]?.stringValue ?? "") resource metric value: \(message)")
        case "ContainerResource":
            let source = spec["containerResource"] ?? .emptyObject
            let message = resourceMessage(name: source["name"]?.stringValue ?? "", target: source["target"])
            return Failure(
                reason: "FailedGetContainerResourceMetric", message: message,
                wrapped: "failed to get \(source["container"]?.stringValue ?? "") container metric value: \(message)")
        case "Pods":
            let name = spec["pods"]?["metric"]?["name"]?.stringValue ?? ""
            let message = "unable to get metric \(name): \(customMetricsMissing)"
            return Failure(reason: "FailedGetPodsMetric", message: message,
                           wrapped: "failed to get pods metric value: \(message)")
        case "Object":
            let source = spec["object"] ?? .emptyObject
            let name = source["metric"]?["name"]?.stringValue ?? ""
            let described = source["describedObject"] ?? .emptyObject
            let message = "unable to get metric \(name): \(described["kind"]?.stringValue ?? "") on \(namespace) "
                + "\(described["name"]?.stringValue ?? "")/\(customMetricsMissing)"
            return Failure(reason: "FailedGetObjectMetric", message: message,
                           wrapped: "failed to get object metric value: \(message)")
        case "External":
            let metric = spec["external"]?["metric"] ?? .emptyObject
            let name = metric["name"]?.stringValue ?? ""
            let selector = DisruptionBudget.goDescription(ofSelector: metric["selector"])
            let message = "unable to get external metric \(namespace)/\(name)/\(selector): unable to fetch metrics from "
                + "external metrics API: the server could not find the requested resource "
                + "(get \(name.lowercased()).external.metrics.k8s.io)"
            return Failure(reason: "FailedGetExternalMetric", message: message,
                           wrapped: "failed to get \(name) external metric value: \(message)")
        default:
            let message = "unknown metric source type \"\(type)\""
            return Failure(reason: "InvalidMetricSourceType", message: message, wrapped: message)
        }
    }

    /// The failure of a resource metric: its usage (an average value target) or utilization.
    static func resourceMessage(name: String, target: JSONValue?) -> String {
        let target = target ?? .emptyObject
        if let value = target["averageValue"], !value.isNull {
            return "failed to get \(name) usage: unable to get metrics for resource \(name): \(resourceMetricsMissing)"
        }
        guard let utilization = target["averageUtilization"], !utilization.isNull else {
            return "invalid resource metric source: neither an average utilization target nor an average value "
                + "(usage) target was set"
        }
        return "failed to get \(name) utilization: unable to get metrics for resource \(name): \(resourceMetricsMissing)"
    }

    /// The `FailedComputeMetricsReplicas` message after every one of `failures` failed.
    static func computeMessage(_ failures: [Failure]) -> String {
        "invalid metrics (\(failures.count) invalid out of \(failures.count)), first error is: \(failures.first?.wrapped ?? "")"
    }
}
