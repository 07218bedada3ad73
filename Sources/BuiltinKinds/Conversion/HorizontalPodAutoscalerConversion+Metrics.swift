import OrderedCollections
import Resources

/// The metric specs and statuses of `autoscaling/v2` in the older form `autoscaling/v1` keeps in
/// its round-trip annotations (`{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}`),
/// members in the order Go writes them.
enum MetricForms {
    private static func set(_ object: inout JSONObject, _ key: String, _ value: JSONValue?) {
        if let value, !value.isNull { object[key] = value }
    }

    static func specToV1(_ metric: JSONValue) -> JSONValue {
        let type = metric["type"]?.stringValue ?? ""
        var out: JSONObject = ["type": .string(type)]
        switch type {
        case "Object":
            let source = metric["object"] ?? [:]
            var object: JSONObject = ["target": source["describedObject"] ?? [:], "metricName": source["metric"]?["name"] ?? ""]
            object["targetValue"] = source["target"]?["value"].presentValue ?? "0"
            set(&object, "selector", source["metric"]?["selector"])
            set(&object, "averageValue", source["target"]?["averageValue"])
            out["object"] = .object(object)
        case "Pods":
            let source = metric["pods"] ?? [:]
            var pods: JSONObject = ["metricName": source["metric"]?["name"] ?? ""]
            pods["targetAverageValue"] = source["target"]?["averageValue"].presentValue ?? "0"
            set(&pods, "selector", source["metric"]?["selector"])
            out["pods"] = .object(pods)
        case "Resource", "ContainerResource":
            let key = type == "Resource" ? "resource" : "containerResource"
            let source = metric[key] ?? [:]
            var resource: JSONObject = ["name": source["name"] ?? ""]
            set(&resource, "targetAverageUtilization", source["target"]?["averageUtilization"])
            set(&resource, "targetAverageValue", source["target"]?["averageValue"])
            if key == "containerResource" { resource["container"] = source["container"] ?? "" }
            out[key] = .object(resource)
        case "External":
            let source = metric["external"] ?? [:]
            var external: JSONObject = ["metricName": source["metric"]?["name"] ?? ""]
            set(&external, "metricSelector", source["metric"]?["selector"])
            set(&external, "targetValue", source["target"]?["value"])
            set(&external, "targetAverageValue", source["target"]?["averageValue"])
            out["external"] = .object(external)
        default: break
        }
        return .object(out)
    }

    static func specFromV1(_ metric: JSONValue) -> JSONValue {
        let type = metric["type"]?.stringValue ?? ""
        var out: JSONObject = ["type": .string(type)]
        func identifier(_ name: JSONValue?, _ selector: JSONValue?) -> JSONValue {
            var metric: JSONObject = ["name": name ?? ""]
            set(&metric, "selector", selector)
            return .object(metric)
        }
        switch type {
        case "Object":
            let source = metric["object"] ?? [:]
            var target: JSONObject = [:]
            if let average = source["averageValue"], !average.isNull {
                target["type"] = "AverageValue"
                if let value = source["targetValue"], value != "0", !value.isNull { target["value"] = value }
                target["averageValue"] = average
            } else {
                target["type"] = "Value"
                target["value"] = source["targetValue"] ?? "0"
            }
            out["object"] = [
                "describedObject": source["target"] ?? [:], "target": .object(target),
                "metric": identifier(source["metricName"], source["selector"]),
            ]
        case "Pods":
            let source = metric["pods"] ?? [:]
            out["pods"] = [
                "metric": identifier(source["metricName"], source["selector"]),
                "target": ["type": "AverageValue", "averageValue": source["targetAverageValue"] ?? "0"],
            ]
        case "Resource", "ContainerResource":
            let key = type == "Resource" ? "resource" : "containerResource"
            let source = metric[key] ?? [:]
            var target: JSONObject = [:]
            let utilization = source["targetAverageUtilization"].presentValue
            target["type"] = utilization == nil ? "AverageValue" : "Utilization"
            set(&target, "averageValue", source["targetAverageValue"])
            set(&target, "averageUtilization", utilization)
            var resource: JSONObject = ["name": source["name"] ?? "", "target": .object(target)]
            if key == "containerResource" { resource["container"] = source["container"] ?? "" }
            out[key] = .object(resource)
        case "External":
            let source = metric["external"] ?? [:]
            var target: JSONObject = [:]
            let value = source["targetValue"].presentValue
            target["type"] = value == nil ? "AverageValue" : "Value"
            set(&target, "value", value)
            set(&target, "averageValue", source["targetAverageValue"])
            out["external"] = [
                "metric": identifier(source["metricName"], source["metricSelector"]), "target": .object(target),
            ]
        default: break
        }
        return .object(out)
    }

    static func statusToV1(_ metric: JSONValue) -> JSONValue {
        let type = metric["type"]?.stringValue ?? ""
        var out: JSONObject = ["type": .string(type)]
        switch type {
        case "Object":
            let source = metric["object"] ?? [:]
            var object: JSONObject = ["target": source["describedObject"] ?? [:], "metricName": source["metric"]?["name"] ?? ""]
            object["currentValue"] = source["current"]?["value"].presentValue ?? "0"
            set(&object, "selector", source["metric"]?["selector"])
            set(&object, "averageValue", source["current"]?["averageValue"])
            out["object"] = .object(object)
        case "Pods":
            let source = metric["pods"] ?? [:]
            var pods: JSONObject = ["metricName": source["metric"]?["name"] ?? ""]
            pods["currentAverageValue"] = source["current"]?["averageValue"].presentValue ?? "0"
            set(&pods, "selector", source["metric"]?["selector"])
            out["pods"] = .object(pods)
        case "Resource", "ContainerResource":
            let key = type == "Resource" ? "resource" : "containerResource"
            let source = metric[key] ?? [:]
            var resource: JSONObject = ["name": source["name"] ?? ""]
            set(&resource, "currentAverageUtilization", source["current"]?["averageUtilization"])
            resource["currentAverageValue"] = source["current"]?["averageValue"].presentValue ?? "0"
            if key == "containerResource" { resource["container"] = source["container"] ?? "" }
            out[key] = .object(resource)
        case "External":
            let source = metric["external"] ?? [:]
            var external: JSONObject = ["metricName": source["metric"]?["name"] ?? ""]
            set(&external, "metricSelector", source["metric"]?["selector"])
            external["currentValue"] = source["current"]?["value"].presentValue ?? "0"
            set(&external, "currentAverageValue", source["current"]?["averageValue"])
            out["external"] = .object(external)
        default: break
        }
        return .object(out)
    }

    static func statusFromV1(_ metric: JSONValue) -> JSONValue {
        let type = metric["type"]?.stringValue ?? ""
        var out: JSONObject = ["type": .string(type)]
        func identifier(_ name: JSONValue?, _ selector: JSONValue?) -> JSONValue {
            var metric: JSONObject = ["name": name ?? ""]
            set(&metric, "selector", selector)
            return .object(metric)
        }
        switch type {
        case "Object":
            let source = metric["object"] ?? [:]
            var current: JSONObject = ["value": source["currentValue"] ?? "0"]
            set(&current, "averageValue", source["averageValue"])
            out["object"] = [
                "metric": identifier(source["metricName"], source["selector"]), "current": .object(current),
                "describedObject": source["target"] ?? [:],
            ]
        case "Pods":
            let source = metric["pods"] ?? [:]
            out["pods"] = [
                "metric": identifier(source["metricName"], source["selector"]),
                "current": ["averageValue": source["currentAverageValue"] ?? "0"],
            ]
        case "Resource", "ContainerResource":
            let key = type == "Resource" ? "resource" : "containerResource"
            let source = metric[key] ?? [:]
            var current: JSONObject = ["averageValue": source["currentAverageValue"] ?? "0"]
            set(&current, "averageUtilization", source["currentAverageUtilization"])
            var resource: JSONObject = ["name": source["name"] ?? ""]
            if key == "containerResource" { resource["container"] = source["container"] ?? "" }
            resource["current"] = .object(current)
            out[key] = .object(resource)
        case "External":
            let source = metric["external"] ?? [:]
            var current: JSONObject = ["value": source["currentValue"] ?? "0"]
            set(&current, "averageValue", source["currentAverageValue"])
            out["external"] = [
                "metric": identifier(source["metricName"], source["metricSelector"]), "current": .object(current),
            ]
        default: break
        }
        return .object(out)
    }

    // MARK: Behavior

    /// A v2 `behavior` as kube writes it into `…/behavior`: its internal Go type marshalled
    /// without JSON tags (`{"ScaleUp":{"StabilizationWindowSeconds":0,…,"Tolerance":null},…}`).
    static func behaviorToInternal(_ behavior: JSONValue) -> JSONValue {
        func rules(_ value: JSONValue?) -> JSONValue {
            guard let value, !value.isNull else { return .null }
            let policies: JSONValue = value["policies"]?.arrayValue.map { list in
                .array(list.map { policy in
                    ["Type": policy["type"] ?? "", "Value": policy["value"] ?? 0, "PeriodSeconds": policy["periodSeconds"] ?? 0]
                })
            } ?? .null
            return [
                "StabilizationWindowSeconds": value["stabilizationWindowSeconds"] ?? .null,
                "SelectPolicy": value["selectPolicy"] ?? .null, "Policies": policies,
                "Tolerance": value["tolerance"] ?? .null,
            ]
        }
        return ["ScaleUp": rules(behavior["scaleUp"]), "ScaleDown": rules(behavior["scaleDown"])]
    }

    /// The v2 `behavior` of a `…/behavior` annotation; Go reads member names without regard to
    /// case, so both the internal and the v2 spelling are read.
    static func behaviorFromInternal(_ encoded: JSONValue) -> JSONValue {
        func member(_ object: JSONValue?, _ name: String) -> JSONValue? {
            guard case .object(let members)? = object else { return nil }
            let found = members.first { $0.key.lowercased() == name.lowercased() }?.value
            return found.presentValue
        }
        func rules(_ value: JSONValue?) -> JSONValue? {
            guard let value else { return nil }
            var out: JSONObject = [:]
            if let window = member(value, "stabilizationWindowSeconds") { out["stabilizationWindowSeconds"] = window }
            if let select = member(value, "selectPolicy") { out["selectPolicy"] = select }
            if let policies = member(value, "policies")?.arrayValue {
                out["policies"] = .array(policies.map { policy in
                    var converted: JSONObject = [:]
                    for key in ["type", "value", "periodSeconds"] { if let field = member(policy, key) { converted[key] = field } }
                    return .object(converted)
                })
            }
            if let tolerance = member(value, "tolerance") { out["tolerance"] = tolerance }
            return .object(out)
        }
        var out: JSONObject = [:]
        if let up = rules(member(encoded, "scaleUp")) { out["scaleUp"] = up }
        if let down = rules(member(encoded, "scaleDown")) { out["scaleDown"] = down }
        return .object(out)
    }
}
