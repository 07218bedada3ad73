import OrderedCollections
import Resources

/// Defaults of Endpoints, LimitRanges, Nodes, PriorityClasses, NetworkPolicies, IngressClasses,
/// HorizontalPodAutoscalers (`autoscaling/v2`) and EndpointSlices, as the `SetDefaults_*`
/// functions of their API versions give them. ResourceQuotas, Ingresses and
/// PodDisruptionBudgets have none.
extension BuiltinKinds {
    /// Applies the defaults of one of these kinds; returns whether `kind` is one of them.
    static func applyClusterKindDefaults(_ object: inout JSONObject, kind: GroupVersionKind) -> Bool {
        switch (kind.group, kind.version, kind.kind) {
        case ("", "v1", "Endpoints"):
            object.editEachObject(in: "subsets") { subset in
                subset.editEachObject(in: "ports") { $0.setDefaultString("protocol", "TCP") }
            }
        case ("", "v1", "LimitRange"):
            object.withObject("spec") { spec in spec.editEachObject(in: "limits", applyLimitRangeItemDefaults) }
        case ("", "v1", "Node"):
            // NodeSpec is a struct kube always writes, `{}` when empty.
            object.setDefault("spec", .emptyObject)
            // Allocatable starts as the capacity.
            object.editObject("status") { status in
                if let capacity = status["capacity"], capacity.objectValue != nil { status.setDefault("allocatable", capacity) }
            }
        case ("scheduling.k8s.io", "v1", "PriorityClass"):
            object.setDefault("preemptionPolicy", "PreemptLowerPriority")
        case ("networking.k8s.io", "v1", "NetworkPolicy"):
            object.withObject("spec") { spec in
                for direction in ["ingress", "egress"] {
                    spec.editEachObject(in: direction) { rule in
                        rule.editEachObject(in: "ports") { $0.setDefault("protocol", "TCP") }
                    }
                }
                if spec["policyTypes"]?.arrayValue?.isEmpty ?? true {
                    var types: [JSONValue] = ["Ingress"]
                    if !(spec["egress"]?.arrayValue?.isEmpty ?? true) { types.append("Egress") }
                    spec["policyTypes"] = .array(types)
                }
            }
        case ("networking.k8s.io", "v1", "IngressClass"):
            object.editObject("spec") { spec in spec.editObject("parameters") { $0.setDefault("scope", "Cluster") } }
        case ("autoscaling", "v2", "HorizontalPodAutoscaler"):
            object.withObject("spec") { applyHorizontalPodAutoscalerDefaults(&$0) }
        case ("discovery.k8s.io", "v1", "EndpointSlice"):
            object.editEachObject(in: "ports") { port in
                port.setDefault("name", "")
                port.setDefault("protocol", "TCP")
            }
            // `conditions` is a struct without omitempty: kube writes `{}` for an endpoint without one.
            object.editEachObject(in: "endpoints") { $0.setDefault("conditions", .emptyObject) }
        default:
            return false
        }
        return true
    }

    /// A container limit's default limit is its max, its default request the default limit, or else its min.
    static func applyLimitRangeItemDefaults(_ item: inout JSONObject) {
        guard item["type"]?.stringValue == "Container" else { return }
        var defaults = item["default"]?.objectValue ?? [:]
        var requests = item["defaultRequest"]?.objectValue ?? [:]
        for (resource, value) in item["max"]?.objectValue ?? [:] where defaults[resource] == nil {
            defaults[resource] = value
        }
        for (resource, value) in defaults where requests[resource] == nil { requests[resource] = value }
        for (resource, value) in item["min"]?.objectValue ?? [:] where requests[resource] == nil {
            requests[resource] = value
        }
        if !defaults.isEmpty { item["default"] = .object(defaults) }
        if !requests.isEmpty { item["defaultRequest"] = .object(requests) }
    }

    /// `minReplicas` 1, a CPU utilization target of 80 % without metrics, and a behavior's unset
    /// scaling rules filled from kube's (scale up: no stabilization, the larger of 4 pods or 100 %
    /// per 15 s; scale down: 100 % per 15 s).
    static func applyHorizontalPodAutoscalerDefaults(_ spec: inout JSONObject) {
        spec.setDefault("minReplicas", 1)
        if spec["metrics"]?.arrayValue?.isEmpty ?? true {
            spec["metrics"] = [[
                "type": "Resource",
                "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]],
            ]]
        }
        spec.editObject("behavior") { behavior in
            var up = behavior["scaleUp"]?.objectValue ?? [:]
            up.setDefault("stabilizationWindowSeconds", 0)
            up.setDefault("selectPolicy", "Max")
            up.setDefault("policies", [
                ["type": "Pods", "value": 4, "periodSeconds": 15],
                ["type": "Percent", "value": 100, "periodSeconds": 15],
            ])
            behavior["scaleUp"] = .object(up)
            var down = behavior["scaleDown"]?.objectValue ?? [:]
            down.setDefault("selectPolicy", "Max")
            down.setDefault("policies", [["type": "Percent", "value": 100, "periodSeconds": 15]])
            behavior["scaleDown"] = .object(down)
        }
    }
}
