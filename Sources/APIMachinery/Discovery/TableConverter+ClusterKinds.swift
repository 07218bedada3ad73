import OrderedCollections
import Resources

/// The Table columns of Nodes, Endpoints, ResourceQuotas, LimitRanges, PriorityClasses, the
/// `networking.k8s.io` kinds, PodDisruptionBudgets, HorizontalPodAutoscalers and
/// EndpointSlices, as kube-apiserver's printers make them (it always prints the wide columns;
/// kubectl shows priority 1 only with `-o wide`).
extension TableConverter {
    /// The columns of one of these kinds; `nil` for another kind.
    static func clusterKindColumns(_ type: ResourceType) -> [Column]? {
        switch (type.group, type.kind) {
        case ("", "Node"): nodeColumns
        case ("", "Endpoints"): [nameColumn, endpointsColumn, ageColumn]
        case ("", "ResourceQuota"): resourceQuotaColumns
        // kube has no printer for LimitRanges: its default table names and dates them.
        case ("", "LimitRange"): [nameColumn, limitRangeColumnCreatedAt]
        case ("scheduling.k8s.io", "PriorityClass"): priorityClassColumns
        case ("networking.k8s.io", "Ingress"): ingressColumns
        case ("networking.k8s.io", "IngressClass"): ingressClassColumns
        case ("networking.k8s.io", "NetworkPolicy"): [nameColumn, podSelectorColumn, ageColumn]
        case ("policy", "PodDisruptionBudget"): podDisruptionBudgetColumns
        case ("autoscaling", "HorizontalPodAutoscaler"): horizontalPodAutoscalerColumns
        case ("discovery.k8s.io", "EndpointSlice"): endpointSliceColumns
        default: nil
        }
    }

    private static let limitRangeColumnCreatedAt = Column(
        name: "Created At", type: "date", description: ageDescription,
        field: ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp")
    ) { object, _ in
        .string(object.creationTimestamp ?? "")
    }

    // MARK: Node

    private static let nodeColumns: [Column] = [
        nameColumn,
        Column(name: "Status", description: "The status of the node") { object, _ in .string(nodeStatus(object)) },
        Column(name: "Roles", description: "The roles of the node") { object, _ in
            let roles = nodeRoles(object)
            return .string(roles.isEmpty ? "<none>" : roles.joined(separator: ","))
        },
        ageColumn,
        Column(name: "Version", description: "", field: ("io.k8s.api.core.v1.NodeSystemInfo", "kubeletVersion")) { object, _ in
            .string(nodeInfo(object, "kubeletVersion"))
        },
        Column(name: "Internal-IP", description: "", field: ("io.k8s.api.core.v1.NodeStatus", "addresses"), priority: 1) { object, _ in
            .string(nodeAddress(object, type: "InternalIP"))
        },
        Column(name: "External-IP", description: "", field: ("io.k8s.api.core.v1.NodeStatus", "addresses"), priority: 1) { object, _ in
            .string(nodeAddress(object, type: "ExternalIP"))
        },
        Column(name: "OS-Image", description: "", field: ("io.k8s.api.core.v1.NodeSystemInfo", "osImage"), priority: 1) { object, _ in
            let image = nodeInfo(object, "osImage")
            return .string(image.isEmpty ? "<unknown>" : image)
        },
        Column(name: "Kernel-Version", description: "", field: ("io.k8s.api.core.v1.NodeSystemInfo", "kernelVersion"), priority: 1) { object, _ in
            var kernel = nodeInfo(object, "kernelVersion")
            if kernel.isEmpty { kernel = "<unknown>" }
            let architecture = nodeInfo(object, "architecture")
            return .string(architecture.isEmpty ? kernel : "\(kernel) (\(architecture))")
        },
        Column(name: "Container-Runtime", description: "", field: ("io.k8s.api.core.v1.NodeSystemInfo", "containerRuntimeVersion"), priority: 1) { object, _ in
            let runtime = nodeInfo(object, "containerRuntimeVersion")
            return .string(runtime.isEmpty ? "<unknown>" : runtime)
        },
    ]

    /// `Ready`, `NotReady` or `Unknown` (no Ready condition), then `SchedulingDisabled` when cordoned.
    static func nodeStatus(_ node: Resource) -> String {
        var parts: [String] = []
        let conditions = node.status?["conditions"]?.arrayValue ?? []
        if let ready = conditions.last(where: { $0["type"]?.stringValue == "Ready" }) {
            parts.append(ready["status"]?.stringValue == "True" ? "Ready" : "NotReady")
        } else {
            parts.append("Unknown")
        }
        if node.spec?["unschedulable"]?.boolValue == true { parts.append("SchedulingDisabled") }
        return parts.joined(separator: ",")
    }

    /// The roles of a node's `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels, sorted.
    static func nodeRoles(_ node: Resource) -> [String] {
        var roles = Set<String>()
        for (key, value) in node.labels {
            if key.hasPrefix("node-role.kubernetes.io/") {
                let role = String(key.dropFirst("node-role.kubernetes.io/".count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == "kubernetes.io/role", !value.isEmpty {
                roles.insert(value)
            }
        }
        return roles.sorted()
    }

    private static func nodeInfo(_ node: Resource, _ key: String) -> String {
        node.status?["nodeInfo"]?[key]?.stringValue ?? ""
    }

    private static func nodeAddress(_ node: Resource, type: String) -> String {
        let addresses = node.status?["addresses"]?.arrayValue ?? []
        return addresses.first { $0["type"]?.stringValue == type }?["address"]?.stringValue ?? "<none>"
    }

    // MARK: Endpoints and EndpointSlices

    private static let endpointsColumn = Column(
        name: "Endpoints", description: "", field: ("io.k8s.api.core.v1.Endpoints", "subsets")
    ) { object, _ in
        .string(formatEndpoints(object.object["subsets"]?.arrayValue ?? []))
    }

    /// `ip:port` of each address and port (at most three, then `+ N more...`), `<none>` without subsets.
    static func formatEndpoints(_ subsets: [JSONValue]) -> String {
        if subsets.isEmpty { return "<none>" }
        var list: [String] = []
        var count = 0
        var more = false
        func add(_ text: String) {
            if list.count == 3 { more = true } else { list.append(text) }
        }
        for subset in subsets {
            let addresses = (subset["addresses"]?.arrayValue ?? []).map { $0["ip"]?.stringValue ?? "" }
            let ports = subset["ports"]?.arrayValue ?? []
            if ports.isEmpty {
                count += addresses.count
                for address in addresses { add(address) }
                continue
            }
            for port in ports {
                count += addresses.count
                let number = port["port"]?.intValue ?? 0
                for address in addresses {
                    add(address.contains(":") ? "[\(address)]:\(number)" : "\(address):\(number)")
                }
            }
        }
        let text = list.joined(separator: ",")
        return more ? "\(text) + \(count - 3) more..." : text
    }

    private static let endpointSliceColumns: [Column] = [
        nameColumn,
        Column(name: "AddressType", description: "", field: ("io.k8s.api.discovery.v1.EndpointSlice", "addressType")) { object, _ in
            .string(object.object["addressType"]?.stringValue ?? "")
        },
        Column(name: "Ports", description: "", field: ("io.k8s.api.discovery.v1.EndpointSlice", "ports")) { object, _ in
            let ports = (object.object["ports"]?.arrayValue ?? []).map { port in
                port["port"]?.intValue.map { String($0) } ?? port["name"]?.stringValue ?? "*"
            }
            return .string(firstThree(ports))
        },
        Column(name: "Endpoints", description: "", field: ("io.k8s.api.discovery.v1.EndpointSlice", "endpoints")) { object, _ in
            let addresses = (object.object["endpoints"]?.arrayValue ?? []).flatMap { endpoint in
                (endpoint["addresses"]?.arrayValue ?? []).compactMap(\.stringValue)
            }
            return .string(firstThree(addresses))
        },
        ageColumn,
    ]

    /// At most three items, then `+ N more...`; `<unset>` for none.
    private static func firstThree(_ items: [String]) -> String {
        if items.isEmpty { return "<unset>" }
        let text = items.prefix(3).joined(separator: ",")
        return items.count > 3 ? "\(text) + \(items.count - 3) more..." : text
    }

    // MARK: ResourceQuota

    private static let resourceQuotaColumns: [Column] = [
        nameColumn,
        Column(name: "Request", description: "Request represents a minimum amount of cpu/memory that a container may consume.") { object, _ in
            .string(quotaUsage(object, limits: false))
        },
        Column(name: "Limit", description: "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.") { object, _ in
            .string(quotaUsage(object, limits: true))
        },
        ageColumn,
    ]

    /// `resource: used/hard` of each resource in `status.hard` (sorted), the `limits.*` ones or the others.
    static func quotaUsage(_ quota: Resource, limits: Bool) -> String {
        let hard = quota.status?["hard"]?.objectValue ?? [:]
        let used = quota.status?["used"]?.objectValue ?? [:]
        return hard.keys.sorted().filter { $0.hasPrefix("limits.") == limits }.map { resource in
            "\(resource): \(used[resource]?.stringValue ?? "0")/\(hard[resource]?.stringValue ?? "0")"
        }.joined(separator: ", ")
    }

    // MARK: PriorityClass

    private static let priorityClassColumns: [Column] = [
        nameColumn,
        Column(name: "Value", type: "integer", description: "", field: ("io.k8s.api.scheduling.v1.PriorityClass", "value")) { object, _ in
            .int(object.object["value"]?.intValue ?? 0)
        },
        Column(name: "Global-Default", type: "boolean", description: "", field: ("io.k8s.api.scheduling.v1.PriorityClass", "globalDefault")) { object, _ in
            .bool(object.object["globalDefault"]?.boolValue ?? false)
        },
        ageColumn,
        Column(name: "PreemptionPolicy", description: "", field: ("io.k8s.api.scheduling.v1.PriorityClass", "preemptionPolicy")) { object, _ in
            .string(object.object["preemptionPolicy"]?.stringValue ?? "")
        },
    ]

    // MARK: networking.k8s.io

    private static let ingressColumns: [Column] = [
        nameColumn,
        Column(name: "Class", description: "The name of the IngressClass resource that should be used for additional configuration") { object, _ in
            .string(object.spec?["ingressClassName"]?.stringValue ?? "<none>")
        },
        Column(name: "Hosts", description: "Hosts that incoming requests are matched against before the ingress rule") { object, _ in
            .string(ingressHosts(object.spec?["rules"]?.arrayValue ?? []))
        },
        Column(name: "Address", description: "Address is a list containing ingress points for the load-balancer") { object, _ in
            let ingress = object.status?["loadBalancer"]?["ingress"]?.arrayValue ?? []
            let addresses = Set(ingress.compactMap { point -> String? in
                if let ip = point["ip"]?.stringValue, !ip.isEmpty { return ip }
                if let host = point["hostname"]?.stringValue, !host.isEmpty { return host }
                return nil
            })
            return .string(addresses.sorted().joined(separator: ","))
        },
        Column(name: "Ports", description: "Ports of TLS configurations that open") { object, _ in
            .string((object.spec?["tls"]?.arrayValue ?? []).isEmpty ? "80" : "80, 443")
        },
        ageColumn,
    ]

    /// The first three hosts of an Ingress's rules, `+ N more...` after them, `*` for none.
    static func ingressHosts(_ rules: [JSONValue]) -> String {
        var hosts: [String] = []
        var more = false
        for rule in rules {
            if hosts.count == 3 { more = true }
            if !more, let host = rule["host"]?.stringValue, !host.isEmpty { hosts.append(host) }
        }
        if hosts.isEmpty { return "*" }
        let text = hosts.joined(separator: ",")
        return more ? "\(text) + \(rules.count - 3) more..." : text
    }

    private static let ingressClassColumns: [Column] = [
        Column(name: "Name", format: "name", description: nameDescription, field: ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "name")) { object, _ in
            let isDefault = object.annotations["ingressclass.kubernetes.io/is-default-class"] == "true"
            return .string(isDefault ? "\(object.name) (default)" : object.name)
        },
        Column(name: "Controller", description: "Controller that is responsible for handling this class") { object, _ in
            .string(object.spec?["controller"]?.stringValue ?? "")
        },
        Column(name: "Parameters", description: "A reference to a resource with additional parameters") { object, _ in
            guard let parameters = object.spec?["parameters"], parameters.objectValue != nil else { return "<none>" }
            var kind = parameters["kind"]?.stringValue ?? ""
            if let group = parameters["apiGroup"]?.stringValue { kind += ".\(group)" }
            return .string("\(kind)/\(parameters["name"]?.stringValue ?? "")")
        },
        ageColumn,
    ]

    private static let podSelectorColumn = Column(
        name: "Pod-Selector", description: "", field: ("io.k8s.api.networking.v1.NetworkPolicySpec", "podSelector")
    ) { object, _ in
        .string(formatSelector(object.spec?["podSelector"]))
    }

    // MARK: PodDisruptionBudget

    private static let podDisruptionBudgetColumns: [Column] = [
        nameColumn,
        Column(name: "Min Available", description: "The minimum number of pods that must be available.") { object, _ in
            .string(intOrString(object.spec?["minAvailable"]) ?? "N/A")
        },
        Column(name: "Max Unavailable", description: "The maximum number of pods that may be unavailable.") { object, _ in
            .string(intOrString(object.spec?["maxUnavailable"]) ?? "N/A")
        },
        Column(name: "Allowed Disruptions", type: "integer", description: "Calculated number of pods that may be disrupted at this time.") { object, _ in
            .int(object.status?["disruptionsAllowed"]?.intValue ?? 0)
        },
        ageColumn,
    ]

    private static func intOrString(_ value: JSONValue?) -> String? {
        guard let value, !value.isNull else { return nil }
        return value.intValue.map { String($0) } ?? value.stringValue
    }

    // MARK: HorizontalPodAutoscaler (autoscaling/v2)

    private static let hpaSpec = "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec"

    private static let horizontalPodAutoscalerColumns: [Column] = [
        nameColumn,
        Column(name: "Reference", description: "", field: (hpaSpec, "scaleTargetRef")) { object, _ in
            let target = object.spec?["scaleTargetRef"] ?? [:]
            return .string("\(target["kind"]?.stringValue ?? "")/\(target["name"]?.stringValue ?? "")")
        },
        Column(name: "Targets", description: "", field: (hpaSpec, "metrics")) { object, _ in
            .string(hpaTargets(object.spec?["metrics"]?.arrayValue ?? [],
                               current: object.status?["currentMetrics"]?.arrayValue ?? []))
        },
        Column(name: "MinPods", description: "", field: (hpaSpec, "minReplicas")) { object, _ in
            .string(object.spec?["minReplicas"]?.intValue.map { String($0) } ?? "<unset>")
        },
        Column(name: "MaxPods", description: "", field: (hpaSpec, "maxReplicas")) { object, _ in
            .int(object.spec?["maxReplicas"]?.intValue ?? 0)
        },
        Column(name: "Replicas", description: "", field: ("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus", "currentReplicas")) { object, _ in
            .int(object.status?["currentReplicas"]?.intValue ?? 0)
        },
        ageColumn,
    ]

    /// `cpu: 40%/60%`, `<unknown>/10 (avg)`… for the first two metrics, `+ N more...` after them.
    static func hpaTargets(_ metrics: [JSONValue], current: [JSONValue]) -> String {
        if metrics.isEmpty { return "<none>" }
        func text(_ value: JSONValue?) -> String? {
            guard let value, !value.isNull else { return nil }
            return value.stringValue ?? value.intValue.map { String($0) }
        }
        let list = metrics.enumerated().map { index, metric -> String in
            let type = metric["type"]?.stringValue ?? ""
            let status: JSONValue? = index < current.count ? current[index] : nil
            switch type {
            case "External", "Object":
                let key = type == "External" ? "external" : "object"
                let target = metric[key]?["target"]
                let now = status?[key]?["current"]
                if let average = text(target?["averageValue"]) {
                    return "\(text(now?["averageValue"]) ?? "<unknown>")/\(average) (avg)"
                }
                return "\(text(now?["value"]) ?? "<unknown>")/\(text(target?["value"]) ?? "0")"
            case "Pods":
                return "\(text(status?["pods"]?["current"]?["averageValue"]) ?? "<unknown>")/\(text(metric["pods"]?["target"]?["averageValue"]) ?? "0")"
            case "Resource", "ContainerResource":
                let key = type == "Resource" ? "resource" : "containerResource"
                let source = metric[key] ?? [:]
                let name = source["name"]?.stringValue ?? ""
                let now = status?[key]?["current"]
                if let average = text(source["target"]?["averageValue"]) {
                    return "\(name): \(text(now?["averageValue"]) ?? "<unknown>")/\(average)"
                }
                let currentText = now?["averageUtilization"]?.intValue.map { "\($0)%" } ?? "<unknown>"
                let targetText = source["target"]?["averageUtilization"]?.intValue.map { "\($0)%" } ?? "<auto>"
                return "\(name): \(currentText)/\(targetText)"
            default:
                return "<unknown type>"
            }
        }
        let shown = list.prefix(2).joined(separator: ", ")
        return list.count > 2 ? "\(shown) + \(list.count - 2) more..." : shown
    }
}
