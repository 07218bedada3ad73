import Foundation
import OrderedCollections
public import Resources

/// What a ResourceQuota counts, as kube's quota evaluators count it (`pkg/quota/v1/evaluator`):
/// the usage one object adds to the names a quota may limit, which names count which kind,
/// and the constraints a Pod must meet when a quota limits compute resources. Pure functions of
/// objects, shared by the ResourceQuota controller (which adds up a namespace) and quota
/// admission in the API server (which charges one write).
///
/// ```swift
/// QuotaUsage.usage(of: pod, resource: "pods", group: "")
/// // ["count/pods": 1, "pods": 1, "requests.cpu": 100m, "cpu": 100m, …]
/// ```
public enum QuotaUsage {
    /// The names a Pod's usage is counted under besides object counts (kube's pod evaluator).
    static let podComputeNames: Set<String> = [
        "pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
        "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    ]

    /// The kinds counted under a legacy object-count name (`pods`, `services`, `configmaps`…).
    static let legacyCounts: [String: String] = [
        "pods": "pods", "services": "services", "replicationcontrollers": "replicationcontrollers",
        "resourcequotas": "resourcequotas", "secrets": "secrets", "configmaps": "configmaps",
        "persistentvolumeclaims": "persistentvolumeclaims",
    ]

    /// The resource (plural, group) whose objects the quota name `name` counts, or `nil` for a
    /// name no evaluator knows (kube leaves it out of `status.used`).
    ///
    /// `count/deployments.apps` counts Deployments, `requests.cpu` Pods,
    /// `services.nodeports` Services, `gold.storageclass.storage.k8s.io/requests.storage` claims.
    public static func countedResource(of name: String) -> (resource: String, group: String)? {
        if name.hasPrefix("count/") {
            let rest = name.dropFirst("count/".count)
            guard !rest.isEmpty else { return nil }
            if let dot = rest.firstIndex(of: ".") {
                return (String(rest[..<dot]), String(rest[rest.index(after: dot)...]))
            }
            return (String(rest), "")
        }
        if let resource = legacyCounts[name] { return (resource, "") }
        if podComputeNames.contains(name) || name.hasPrefix("hugepages-") || name.hasPrefix("requests.hugepages-") {
            return ("pods", "")
        }
        if name == "services.nodeports" || name == "services.loadbalancers" { return ("services", "") }
        if name == "requests.storage" || name.hasSuffix(".storageclass.storage.k8s.io/requests.storage")
            || name.hasSuffix(".storageclass.storage.k8s.io/persistentvolumeclaims")
        {
            return ("persistentvolumeclaims", "")
        }
        return nil
    }

    /// The object-count name of a resource: `count/pods`, `count/deployments.apps`.
    public static func countName(resource: String, group: String) -> String {
        group.isEmpty ? "count/\(resource)" : "count/\(resource).\(group)"
    }

    /// The usage `object` (of `resource` in `group`) adds, by quota name.
    ///
    /// Pods that finished (Succeeded, Failed) or are past their deletion grace period count only
    /// under `count/pods`, as in kube: they no longer hold compute resources.
    public static func usage(of object: Resource, resource: String, group: String, now: Date = Date())
        -> [String: Quantity]
    {
        var usage: [String: Quantity] = [countName(resource: resource, group: group): .one]
        guard group.isEmpty else { return usage }
        switch resource {
        case "pods":
            guard holdsResources(object, now: now) else { return usage }
            usage["pods"] = .one
            let requests = podResources(object, field: "requests")
            let limits = podResources(object, field: "limits")
            for name in ["cpu", "memory", "ephemeral-storage"] {
                if let request = requests[name] {
                    usage[name] = request
                    usage["requests.\(name)"] = request
                }
                if let limit = limits[name] { usage["limits.\(name)"] = limit }
            }
            for (name, request) in requests where name.hasPrefix("hugepages-") {
                usage[name] = request
                usage["requests.\(name)"] = request
            }
        case "services":
            usage["services"] = .one
            let type = object.spec?["type"]?.stringValue ?? "ClusterIP"
            let ports = Int64(object.spec?["ports"]?.arrayValue?.count ?? 0)
            let allocatesNodePorts = object.spec?["allocateLoadBalancerNodePorts"]?.boolValue ?? true
            if type == "LoadBalancer" { usage["services.loadbalancers"] = .one }
            if type == "NodePort" || (type == "LoadBalancer" && allocatesNodePorts) {
                usage["services.nodeports"] = Quantity(amount: Decimal(ports), format: .decimalSI)
            } else {
                usage["services.nodeports"] = Quantity(amount: 0, format: .decimalSI)
            }
            if type != "LoadBalancer" { usage["services.loadbalancers"] = Quantity(amount: 0, format: .decimalSI) }
        case "persistentvolumeclaims":
            usage["persistentvolumeclaims"] = .one
            let storage = object.spec?["resources"]?["requests"]?["storage"]?.stringValue.flatMap(Quantity.init)
            if let storage { usage["requests.storage"] = storage }
            if let storageClass = object.spec?["storageClassName"]?.stringValue, !storageClass.isEmpty {
                usage["\(storageClass).storageclass.storage.k8s.io/persistentvolumeclaims"] = .one
                if let storage { usage["\(storageClass).storageclass.storage.k8s.io/requests.storage"] = storage }
            }
        default:
            if let legacy = legacyCounts[resource] { usage[legacy] = .one }
        }
        return usage
    }

    /// Whether quota name `name` is one the usage of `resource` in `group` can change (kube's
    /// `MatchingResources`).
    public static func counts(_ name: String, resource: String, group: String) -> Bool {
        guard let counted = countedResource(of: name) else { return false }
        return counted.resource == resource && counted.group == group
    }

    /// Whether a Pod still holds compute resources: not finished, not past its deletion grace period.
    public static func holdsResources(_ pod: Resource, now: Date) -> Bool {
        let phase = pod.valueIfPresent(at: "status.phase")?.stringValue
        if phase == "Succeeded" || phase == "Failed" { return false }
        if let deletion = pod.deletionTimestamp.flatMap(parseTime),
            let grace = pod.metadata["deletionGracePeriodSeconds"]?.intValue,
            now > deletion.addingTimeInterval(TimeInterval(grace))
        {
            return false
        }
        return true
    }

    private static func parseTime(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }

    /// A Pod's effective `requests` or `limits` (`field`), as the scheduler and quota reckon
    /// them: the pod-level resources when set, else the sum of its containers and sidecars, or
    /// the largest init container with the sidecars started before it if that is more, plus
    /// the overhead.
    public static func podResources(_ pod: Resource, field: String) -> [String: Quantity] {
        func resources(_ container: JSONValue) -> [String: Quantity] {
            var result: [String: Quantity] = [:]
            for (name, value) in container["resources"]?[field]?.objectValue ?? [:] {
                if let text = value.stringValue ?? value.intValue.map(String.init), let quantity = Quantity(text) {
                    result[name] = quantity
                }
            }
            return result
        }
        func add(_ lhs: [String: Quantity], _ rhs: [String: Quantity]) -> [String: Quantity] {
            lhs.merging(rhs) { $0 + $1 }
        }
        func maximum(_ lhs: [String: Quantity], _ rhs: [String: Quantity]) -> [String: Quantity] {
            lhs.merging(rhs) { Quantity.maximum($0, $1) }
        }
        let spec = pod.spec ?? .object([:])
        var total: [String: Quantity] = [:]
        for container in spec["containers"]?.arrayValue ?? [] { total = add(total, resources(container)) }
        var sidecars: [String: Quantity] = [:]
        var initMaximum: [String: Quantity] = [:]
        for container in spec["initContainers"]?.arrayValue ?? [] {
            if container["restartPolicy"]?.stringValue == "Always" {
                sidecars = add(sidecars, resources(container))
                initMaximum = maximum(initMaximum, sidecars)
            } else {
                initMaximum = maximum(initMaximum, add(resources(container), sidecars))
            }
        }
        total = maximum(add(total, sidecars), initMaximum)
        // Pod-level resources, when set, are what the Pod is accounted for.
        for (name, value) in spec["resources"]?[field]?.objectValue ?? [:] {
            if let quantity = value.stringValue.flatMap(Quantity.init) { total[name] = quantity }
        }
        if field == "requests" || field == "limits" {
            var overhead: [String: Quantity] = [:]
            for (name, value) in spec["overhead"]?.objectValue ?? [:] {
                if let quantity = value.stringValue.flatMap(Quantity.init) { overhead[name] = quantity }
            }
            // Overhead counts only for resources the Pod asks for (limits) or always (requests).
            if field == "requests" {
                total = add(total, overhead)
            } else {
                for (name, value) in overhead where total[name] != nil { total[name] = total[name]! + value }
            }
        }
        return total
    }

    /// What a Pod lacks when a quota limits compute resources (`required`, the quota's names):
    /// each container must request (for `cpu`, `memory`, `requests.*`) or limit (`limits.*`)
    /// explicitly — kube's backward-compatible rule. `nil` when nothing is missing, else kube's
    /// message: `must specify limits.memory for: web; requests.cpu for: web,sidecar`.
    public static func missingComputeResources(of pod: Resource, required: Set<String>) -> String? {
        let checked = required.intersection([
            "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory",
        ])
        guard !checked.isEmpty else { return nil }
        if let podLevel = pod.spec?["resources"]?.objectValue, !podLevel.isEmpty { return nil }
        var missing: [String: Set<String>] = [:]
        let containers = (pod.spec?["containers"]?.arrayValue ?? []) + (pod.spec?["initContainers"]?.arrayValue ?? [])
        for container in containers {
            let name = container["name"]?.stringValue ?? ""
            let requests = container["resources"]?["requests"]?.objectValue ?? [:]
            let limits = container["resources"]?["limits"]?.objectValue ?? [:]
            for resource in checked {
                let present: Bool
                if resource.hasPrefix("limits.") {
                    present = limits[String(resource.dropFirst("limits.".count))] != nil
                } else {
                    present = requests[resource.hasPrefix("requests.") ? String(resource.dropFirst("requests.".count)) : resource] != nil
                }
                if !present { missing[resource, default: []].insert(name) }
            }
        }
        guard !missing.isEmpty else { return nil }
        let parts = missing.keys.sorted().map { "\($0) for: \(missing[$0]!.sorted().joined(separator: ","))" }
        return "must specify \(parts.joined(separator: "; "))"
    }

    /// Whether `quota`'s scopes (`spec.scopes` and `spec.scopeSelector`) take in `object`:
    /// a quota without scopes takes in everything; scopes are about Pods, so a scoped quota
    /// takes in only Pods that match every scope.
    public static func quotaMatches(_ quota: Resource, object: Resource, resource: String, group: String) -> Bool {
        var requirements: [(scope: String, operator: String, values: [String])] = []
        for scope in quota.spec?["scopes"]?.arrayValue ?? [] {
            if let scope = scope.stringValue { requirements.append((scope, "Exists", [])) }
        }
        for expression in quota.spec?["scopeSelector"]?["matchExpressions"]?.arrayValue ?? [] {
            requirements.append((
                expression["scopeName"]?.stringValue ?? "", expression["operator"]?.stringValue ?? "Exists",
                expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
        guard !requirements.isEmpty else { return true }
        guard resource == "pods", group.isEmpty else { return false }
        return requirements.allSatisfy { podMatches(object, scope: $0.scope, operator: $0.operator, values: $0.values) }
    }

    private static func podMatches(_ pod: Resource, scope: String, operator: String, values: [String]) -> Bool {
        switch scope {
        case "Terminating": return (pod.spec?["activeDeadlineSeconds"]?.intValue ?? -1) >= 0
        case "NotTerminating": return (pod.spec?["activeDeadlineSeconds"]?.intValue ?? -1) < 0
        case "BestEffort": return isBestEffort(pod)
        case "NotBestEffort": return !isBestEffort(pod)
        case "PriorityClass":
            let priorityClass = pod.spec?["priorityClassName"]?.stringValue ?? ""
            switch `operator` {
            case "In": return values.contains(priorityClass)
            case "NotIn": return !values.contains(priorityClass)
            case "Exists": return !priorityClass.isEmpty
            case "DoesNotExist": return priorityClass.isEmpty
            default: return false
            }
        case "CrossNamespacePodAffinity":
            let affinity = pod.spec?["affinity"]
            return [affinity?["podAffinity"], affinity?["podAntiAffinity"]].contains { terms in
                let all = (terms?["requiredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? [])
                    + (terms?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue?.compactMap { $0["podAffinityTerm"] } ?? [])
                return all.contains { $0["namespaceSelector"] != nil || !($0["namespaces"]?.arrayValue ?? []).isEmpty }
            }
        default: return false
        }
    }

    /// No container requests or limits CPU or memory.
    private static func isBestEffort(_ pod: Resource) -> Bool {
        let containers = (pod.spec?["containers"]?.arrayValue ?? []) + (pod.spec?["initContainers"]?.arrayValue ?? [])
        return containers.allSatisfy { container in
            ["requests", "limits"].allSatisfy { field in
                let values = container["resources"]?[field]?.objectValue ?? [:]
                return values["cpu"] == nil && values["memory"] == nil
            }
        }
    }

    /// `a=1,b=2Gi` with names sorted, as kube's quota messages list resources.
    public static func describe(_ list: [String: Quantity]) -> String {
        list.keys.sorted().map { "\($0)=\(list[$0]!)" }.joined(separator: ",")
    }

    /// A `ResourceList` (`status.hard`, `spec.hard`) as quantities; values that do not parse are left out.
    public static func resourceList(_ value: JSONValue?) -> [String: Quantity] {
        var list: [String: Quantity] = [:]
        for (name, text) in value?.objectValue ?? [:] {
            if let quantity = (text.stringValue ?? text.intValue.map(String.init)).flatMap(Quantity.init) {
                list[name] = quantity
            }
        }
        return list
    }
}
