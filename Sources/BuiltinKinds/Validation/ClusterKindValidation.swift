import APIMachinery
import Foundation
import OrderedCollections
import Resources

/// Validation of Endpoints, ResourceQuotas, LimitRanges, PriorityClasses, the `networking.k8s.io`
/// kinds, PodDisruptionBudgets, HorizontalPodAutoscalers and EndpointSlices: the main rules of
/// their `pkg/apis/*/validation`, worded and placed as kube-apiserver reports them.
extension BuiltinKinds {
    /// The causes for one of these kinds; `nil` for another kind.
    static func clusterKindCauses(_ object: Resource, old: Resource?, kind: GroupVersionKind) -> [APIError.Cause]? {
        switch (kind.group, kind.version, kind.kind) {
        case ("", "v1", "Node"): []
        case ("", "v1", "Endpoints"): endpointsCauses(object)
        case ("", "v1", "ResourceQuota"): resourceQuotaCauses(object)
        case ("", "v1", "LimitRange"): limitRangeCauses(object)
        case ("scheduling.k8s.io", "v1", "PriorityClass"): priorityClassCauses(object, old: old)
        case ("networking.k8s.io", "v1", "Ingress"): ingressCauses(object)
        case ("networking.k8s.io", "v1", "IngressClass"): ingressClassCauses(object, old: old)
        case ("networking.k8s.io", "v1", "NetworkPolicy"): networkPolicyCauses(object)
        case ("policy", "v1", "PodDisruptionBudget"): podDisruptionBudgetCauses(object)
        case ("autoscaling", "v2", "HorizontalPodAutoscaler"): horizontalPodAutoscalerCauses(object)
        case ("discovery.k8s.io", "v1", "EndpointSlice"): endpointSliceCauses(object, old: old)
        default: nil
        }
    }

    static let validIPMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

    /// Whether `text` is an IPv4 or IPv6 address.
    static func isIP(_ text: String) -> Bool {
        if isIPv4(text) { return true }
        guard text.contains(":") else { return false }
        let allowed = Set("0123456789abcdefABCDEF:.")
        return text.allSatisfy { allowed.contains($0) } && text.split(separator: ":", omittingEmptySubsequences: false).count <= 8
    }

    // MARK: core/v1

    static func endpointsCauses(_ object: Resource) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for (index, subset) in (object.object["subsets"]?.arrayValue ?? []).enumerated() {
            for key in ["addresses", "notReadyAddresses"] {
                for (position, address) in (subset[key]?.arrayValue ?? []).enumerated() {
                    let ip = address["ip"]?.stringValue ?? ""
                    let field = "subsets[\(index)].\(key)[\(position)].ip"
                    if !isIP(ip) {
                        // kube checks the address twice (as an IP, then as an endpoint IP).
                        causes.append(FieldErrors.invalid(field, value: .string(ip), validIPMessage))
                        causes.append(FieldErrors.invalid(field, value: .string(ip), "must be a valid IP address"))
                    }
                }
            }
            for (position, port) in (subset["ports"]?.arrayValue ?? []).enumerated() {
                let field = "subsets[\(index)].ports[\(position)]"
                causes += FieldRules.portNumber("\(field).port", port["port"] ?? 0)
                causes += FieldRules.oneOf("\(field).protocol", port["protocol"], ["SCTP", "TCP", "UDP"])
            }
        }
        return causes
    }

    /// The resource names a quota may limit: the standard ones, `requests.`/`limits.` forms,
    /// `count/<resource>`, and extended resources with a domain prefix.
    static func isQuotaResourceName(_ name: String) -> Bool {
        let standard: Set<String> = [
            "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
            "persistentvolumeclaims", "services.nodeports", "services.loadbalancers", "cpu", "memory",
            "ephemeral-storage", "storage", "requests.cpu", "requests.memory", "requests.storage",
            "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
        ]
        if standard.contains(name) || name.hasPrefix("count/") || name.hasPrefix("hugepages-")
            || name.hasPrefix("requests.hugepages-")
        {
            return true
        }
        return name.contains("/") || name.contains(".storageclass.storage.k8s.io/")
    }

    static func resourceQuotaCauses(_ object: Resource) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for (name, value) in object.spec?["hard"]?.objectValue ?? [:] {
            let field = "spec.hard[\(name)]"
            causes += NameRules.qualifiedName(name).map { FieldErrors.invalid(field, value: .string(name), $0) }
            if !isQuotaResourceName(name) {
                causes.append(FieldErrors.invalid(field, value: .string(name), "must be a standard resource for quota"))
            }
            if let text = value.stringValue, text.hasPrefix("-") {
                causes.append(FieldErrors.invalid(field, value: value, "must be greater than or equal to 0"))
            }
        }
        for (index, scope) in (object.spec?["scopes"]?.arrayValue ?? []).enumerated() {
            causes += FieldRules.oneOf("spec.scopes[\(index)]", scope, [
                "BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass",
                "Terminating", "VolumeAttributesClass",
            ])
        }
        return causes
    }

    static func limitRangeCauses(_ object: Resource) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for (index, item) in (object.spec?["limits"]?.arrayValue ?? []).enumerated() {
            let field = "spec.limits[\(index)]"
            let type = item["type"]?.stringValue ?? ""
            if type.isEmpty {
                causes.append(FieldErrors.invalid("\(field).type", value: "", "name part must be non-empty"))
            }
            causes += NameRules.qualifiedName(type).filter { !$0.contains("non-empty") }
                .map { FieldErrors.invalid("\(field).type", value: .string(type), $0) }
            let min = item["min"]?.objectValue ?? [:]
            let max = item["max"]?.objectValue ?? [:]
            for (resource, low) in min {
                guard let high = max[resource], let lowText = low.stringValue, let highText = high.stringValue,
                    let lowValue = quantityValue(lowText), let highValue = quantityValue(highText),
                    lowValue > highValue
                else { continue }
                causes.append(FieldErrors.invalid("\(field).min[\(resource)]", value: low,
                                                  "min value \(lowText) is greater than max value \(highText)"))
            }
        }
        return causes
    }

    /// A quantity's approximate value, for comparisons.
    static func quantityValue(_ text: String) -> Double? {
        guard case .success(let parsed) = ResourceQuantity.parse(text),
            let mantissa = Double("\(parsed.whole.isEmpty ? "0" : parsed.whole).\(parsed.fraction.isEmpty ? "0" : parsed.fraction)")
        else { return nil }
        let value = mantissa * pow(Double(parsed.base), Double(parsed.exponent))
        return parsed.positive ? value : -value
    }

    // MARK: scheduling.k8s.io/v1

    /// kube's two built-in classes, with their values.
    static let systemPriorityClasses: [String: Int64] = [
        "system-node-critical": 2_000_001_000, "system-cluster-critical": 2_000_000_000,
    ]

    static func priorityClassCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let value = object.object["value"]?.intValue ?? 0
        if object.name.hasPrefix("system-") {
            var problem: String?
            if let known = systemPriorityClasses[object.name] {
                if known != value { problem = "value of \(object.name) PriorityClass must be \(known)" }
                else if object.object["globalDefault"]?.boolValue == true {
                    problem = "globalDefault of \(object.name) PriorityClass must be false"
                }
            } else {
                problem = "\(object.name) is not a known system priority class"
            }
            if let problem {
                causes.append(FieldErrors.forbidden(
                    "metadata.name", "priority class names with 'system-' prefix are reserved for system use only. error: \(problem)"))
            }
        } else if value > 1_000_000_000 {
            causes.append(FieldErrors.forbidden("value", "maximum allowed value of a user defined priority is 1000000000"))
        }
        causes += FieldRules.oneOf("preemptionPolicy", object.object["preemptionPolicy"], ["Never", "PreemptLowerPriority"], required: false)
        if let old {
            if (old.object["value"]?.intValue ?? 0) != value {
                causes.append(FieldErrors.forbidden("value", "may not be changed in an update."))
            }
            causes += FieldRules.immutable("preemptionPolicy", new: object.object["preemptionPolicy"],
                                           old: old.object["preemptionPolicy"])
        }
        return causes
    }

    // MARK: networking.k8s.io/v1

    static func ingressCauses(_ object: Resource) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let spec = object.spec ?? [:]
        let rules = spec["rules"]?.arrayValue ?? []
        if rules.isEmpty, spec["defaultBackend"] == nil || spec["defaultBackend"]?.isNull == true {
            causes.append(FieldErrors.invalid("spec", value: .null, "either `defaultBackend` or `rules` must be specified"))
        }
        if let backend = spec["defaultBackend"], !backend.isNull {
            causes += ingressBackendCauses(backend, field: "spec.defaultBackend")
        }
        for (index, rule) in rules.enumerated() {
            let field = "spec.rules[\(index)]"
            if let host = rule["host"]?.stringValue, !host.isEmpty {
                let checked = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
                causes += NameRules.dns1123Subdomain(checked).map { FieldErrors.invalid("\(field).host", value: .string(host), $0) }
            }
            guard let http = rule["http"], !http.isNull else { continue }
            for (position, path) in (http["paths"]?.arrayValue ?? []).enumerated() {
                let pathField = "\(field).http.paths[\(position)]"
                let text = path["path"]?.stringValue ?? ""
                switch path["pathType"]?.stringValue {
                case nil:
                    causes.append(FieldErrors.required("\(pathField).pathType", "pathType must be specified"))
                case "Exact"?, "Prefix"?:
                    if !text.hasPrefix("/") {
                        causes.append(FieldErrors.invalid("\(pathField).path", value: .string(text), "must be an absolute path"))
                    }
                case "ImplementationSpecific"?:
                    if !text.isEmpty, !text.hasPrefix("/") {
                        causes.append(FieldErrors.invalid("\(pathField).path", value: .string(text), "must be an absolute path"))
                    }
                case let other?:
                    causes.append(FieldErrors.notSupported("\(pathField).pathType", value: .string(other),
                                                           supported: ["Exact", "ImplementationSpecific", "Prefix"]))
                }
                causes += ingressBackendCauses(path["backend"] ?? [:], field: "\(pathField).backend")
            }
        }
        return causes
    }

    private static func ingressBackendCauses(_ backend: JSONValue, field: String) -> [APIError.Cause] {
        let service = backend["service"]
        let resource = backend["resource"]
        let hasService = service.map { !$0.isNull } ?? false
        let hasResource = resource.map { !$0.isNull } ?? false
        if hasService, hasResource {
            return [FieldErrors.invalid(field, value: "", "cannot set both resource and service backends")]
        }
        guard hasService, let service else {
            return hasResource ? [] : [FieldErrors.invalid(field, value: "", "resource or service backend is required")]
        }
        var causes = NameRules.dns1123Label(service["name"]?.stringValue ?? "")
            .map { FieldErrors.invalid("\(field).service.name", value: service["name"] ?? "", $0) }
        let port = service["port"] ?? [:]
        let name = port["name"]?.stringValue ?? ""
        let number = port["number"]?.intValue ?? 0
        if !name.isEmpty, number != 0 {
            causes.append(FieldErrors.invalid(field, value: "", "cannot set both port name & port number"))
        } else if !name.isEmpty {
            causes += FieldRules.portNameProblems(name).map { FieldErrors.invalid("\(field).service.port.name", value: .string(name), $0) }
        } else if number != 0 {
            causes += FieldRules.portNumber("\(field).service.port.number", .int(number))
        } else {
            causes.append(FieldErrors.required(field, "port name or number is required"))
        }
        return causes
    }

    static func ingressClassCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let controller = object.spec?["controller"]?.stringValue ?? ""
        var causes: [APIError.Cause] = []
        if controller.isEmpty {
            causes.append(FieldErrors.required("spec.controller"))
        } else {
            let parts = controller.split(separator: "/", maxSplits: 1)
            if parts.count != 2 || !NameRules.dns1123Subdomain(String(parts[0])).isEmpty || controller.contains(" ") {
                causes.append(FieldErrors.invalid("spec.controller", value: .string(controller),
                                                  "must be a domain-prefixed path (such as \"acme.io/foo\")"))
            }
        }
        if let old {
            causes += FieldRules.immutable("spec.controller", new: object.spec?["controller"], old: old.spec?["controller"])
        }
        return causes
    }

    static func networkPolicyCauses(_ object: Resource) -> [APIError.Cause] {
        let spec = object.spec ?? [:]
        var causes = FieldRules.labelSelector("spec.podSelector", spec["podSelector"] ?? [:])
        for direction in ["ingress", "egress"] {
            let peersKey = direction == "ingress" ? "from" : "to"
            for (index, rule) in (spec[direction]?.arrayValue ?? []).enumerated() {
                let field = "spec.\(direction)[\(index)]"
                for (position, port) in (rule["ports"]?.arrayValue ?? []).enumerated() {
                    let portField = "\(field).ports[\(position)]"
                    causes += FieldRules.oneOf("\(portField).protocol", port["protocol"], ["TCP", "UDP", "SCTP"], required: false)
                    if let number = port["port"], !number.isNull {
                        causes += FieldRules.portNumberOrName("\(portField).port", number)
                    }
                }
                for (position, peer) in (rule[peersKey]?.arrayValue ?? []).enumerated() {
                    let peerField = "\(field).\(peersKey)[\(position)]"
                    let set = ["podSelector", "namespaceSelector", "ipBlock"].filter { peer[$0].map { !$0.isNull } ?? false }
                    if set.isEmpty {
                        causes.append(FieldErrors.required(peerField, "must specify a peer"))
                    } else if set.contains("ipBlock"), set.count > 1 {
                        causes.append(FieldErrors.forbidden(peerField, "may not specify more than 1 peer"))
                    }
                }
            }
        }
        for (index, type) in (spec["policyTypes"]?.arrayValue ?? []).enumerated() {
            causes += FieldRules.oneOf("spec.policyTypes[\(index)]", type, ["Ingress", "Egress"])
        }
        return causes
    }

    // MARK: policy/v1

    static func podDisruptionBudgetCauses(_ object: Resource) -> [APIError.Cause] {
        let spec = object.spec ?? [:]
        var causes: [APIError.Cause] = []
        let minimum = spec["minAvailable"].presentValue
        let maximum = spec["maxUnavailable"].presentValue
        if let minimum, let maximum {
            // kube prints the internal Go struct as the value.
            func go(_ value: JSONValue?) -> String { value.map { $0.jsonString() } ?? "null" }
            let value = "{\"MinAvailable\":\(go(minimum)),\"Selector\":\(go(spec["selector"])),\"MaxUnavailable\":\(go(maximum)),\"UnhealthyPodEvictionPolicy\":\(go(spec["unhealthyPodEvictionPolicy"]))}"
            causes.append(APIError.Cause(type: "FieldValueInvalid",
                                         message: "Invalid value: \(value): minAvailable and maxUnavailable cannot be both set",
                                         field: "spec"))
        }
        for (name, value) in [("minAvailable", minimum), ("maxUnavailable", maximum)] {
            guard let value else { continue }
            causes += intOrPercentCauses(value, field: "spec.\(name)")
            if value.stringValue != nil, intOrPercentValue(value) > 100 {
                causes.append(FieldErrors.invalid("spec.\(name)", value: value, "must not be greater than 100%"))
            }
        }
        if let selector = spec["selector"], !selector.isNull { causes += FieldRules.labelSelector("spec.selector", selector) }
        causes += FieldRules.oneOf("spec.unhealthyPodEvictionPolicy", spec["unhealthyPodEvictionPolicy"],
                                   ["AlwaysAllow", "IfHealthyBudget"], required: false)
        return causes
    }

    // MARK: autoscaling/v2

    static func horizontalPodAutoscalerCauses(_ object: Resource) -> [APIError.Cause] {
        let spec = object.spec ?? [:]
        var causes: [APIError.Cause] = []
        let minimum = spec["minReplicas"]?.intValue
        let maximum = spec["maxReplicas"]?.intValue ?? 0
        if let minimum, minimum < 1 {
            causes.append(FieldErrors.invalid("spec.minReplicas", value: .int(minimum), "must be greater than or equal to 1"))
        }
        if maximum == 0 {
            causes.append(FieldErrors.required("spec.maxReplicas", "must be set and greater than 0"))
        } else if maximum < 0 {
            causes.append(FieldErrors.invalid("spec.maxReplicas", value: .int(maximum), "must be greater than or equal to 1"))
        }
        if let minimum, maximum < minimum {
            causes.append(FieldErrors.invalid("spec.maxReplicas", value: .int(maximum), "must be greater than or equal to `minReplicas`"))
        }
        causes += crossVersionReferenceCauses(spec["scaleTargetRef"] ?? [:], field: "spec.scaleTargetRef")
        for (index, metric) in (spec["metrics"]?.arrayValue ?? []).enumerated() {
            let field = "spec.metrics[\(index)]"
            let type = metric["type"]?.stringValue ?? ""
            let keys = ["ContainerResource": "containerResource", "External": "external", "Object": "object",
                        "Pods": "pods", "Resource": "resource"]
            guard let key = keys[type] else {
                causes.append(type.isEmpty ? FieldErrors.required("\(field).type", "must specify a metric source type")
                    : FieldErrors.notSupported("\(field).type", value: .string(type), supported: keys.keys.sorted()))
                continue
            }
            guard let source = metric[key], !source.isNull else {
                causes.append(FieldErrors.required("\(field).\(key)", "must populate information for the given metric source"))
                continue
            }
            if let utilization = source["target"]?["averageUtilization"]?.intValue, utilization <= 0 {
                causes.append(FieldErrors.invalid("\(field).\(key).target.averageUtilization", value: .int(utilization),
                                                  "must be greater than 0"))
            }
        }
        return causes
    }

    private static func crossVersionReferenceCauses(_ reference: JSONValue, field: String) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for key in ["kind", "name"] {
            let text = reference[key]?.stringValue ?? ""
            if text.isEmpty {
                causes.append(FieldErrors.required("\(field).\(key)"))
            } else if text == "." || text == ".." || text.contains("/") || text.contains("%") {
                causes.append(FieldErrors.invalid("\(field).\(key)", value: .string(text), "may not contain '/' or '%'"))
            }
        }
        let apiVersion = reference["apiVersion"]?.stringValue ?? ""
        if !apiVersion.contains("/") {
            causes.append(FieldErrors.invalid("\(field).apiVersion", value: .string(apiVersion), "apiVersion must specify API group"))
        }
        return causes
    }

    // MARK: discovery.k8s.io/v1

    static func endpointSliceCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let addressType = object.object["addressType"]?.stringValue ?? ""
        var causes = FieldRules.oneOf("addressType", object.object["addressType"], ["FQDN", "IPv4", "IPv6"])
        if let old {
            causes += FieldRules.immutable("addressType", new: object.object["addressType"], old: old.object["addressType"])
        }
        guard causes.isEmpty else { return causes }
        for (index, endpoint) in (object.object["endpoints"]?.arrayValue ?? []).enumerated() {
            let addresses = endpoint["addresses"]?.arrayValue ?? []
            if addresses.isEmpty {
                causes.append(FieldErrors.required("endpoints[\(index)].addresses", "must contain at least 1 address"))
            } else if addresses.count > 100 {
                causes.append(FieldErrors.tooMany("endpoints[\(index)].addresses", count: addresses.count, max: 100))
            }
            for (position, address) in addresses.enumerated() {
                let text = address.stringValue ?? ""
                let field = "endpoints[\(index)].addresses[\(position)]"
                switch addressType {
                case "IPv4" where !isIPv4(text):
                    causes.append(FieldErrors.invalid(field, value: .string(text), "must be a valid IPv4 address"))
                case "IPv6" where isIPv4(text) || !isIP(text):
                    causes.append(FieldErrors.invalid(field, value: .string(text), "must be a valid IPv6 address"))
                case "FQDN":
                    causes += NameRules.dns1123Subdomain(text).map { FieldErrors.invalid(field, value: .string(text), $0) }
                default: break
                }
            }
        }
        for (index, port) in (object.object["ports"]?.arrayValue ?? []).enumerated() {
            if let number = port["port"], !number.isNull { causes += FieldRules.portNumber("ports[\(index)].port", number) }
            causes += FieldRules.oneOf("ports[\(index)].protocol", port["protocol"], ["SCTP", "TCP", "UDP"], required: false)
        }
        return causes
    }
}
