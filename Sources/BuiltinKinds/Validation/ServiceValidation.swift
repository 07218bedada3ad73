import OrderedCollections
import APIMachinery
import Resources

/// Validation of a Service (`pkg/apis/core/validation` `ValidateService`): ports, type, session
/// affinity, traffic policies, and cluster IPs that do not change once set. Whether a requested
/// cluster IP or node port is free is the API server's allocation check.
extension BuiltinKinds {
    static let serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]

    static func serviceCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let spec = object.spec ?? .emptyObject
        let type = spec["type"]?.stringValue ?? ""
        let clusterIP = spec["clusterIP"]?.stringValue ?? ""
        let headless = clusterIP == "None"
        var causes: [APIError.Cause] = []
        let ports = spec["ports"]?.arrayValue ?? []
        if ports.isEmpty, !headless, type != "ExternalName" {
            causes.append(FieldErrors.required("spec.ports"))
        }
        switch type {
        case "LoadBalancer", "NodePort":
            if headless {
                causes.append(FieldErrors.invalid("spec.clusterIPs[0]", value: "None",
                                                  "may not be set to 'None' for \(type) services"))
            }
        case "ExternalName":
            if !clusterIP.isEmpty || !(spec["clusterIPs"]?.arrayValue ?? []).isEmpty {
                causes.append(FieldErrors.forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
            }
            if (spec["externalName"]?.stringValue ?? "").isEmpty {
                causes.append(FieldErrors.required("spec.externalName"))
            } else if let name = spec["externalName"]?.stringValue {
                let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
                causes += NameRules.dns1123Subdomain(trimmed).map {
                    FieldErrors.invalid("spec.externalName", value: .string(name), $0)
                }
            }
        default: break
        }
        if !clusterIP.isEmpty, !headless, type != "ExternalName", !isIPv4(clusterIP) {
            causes.append(FieldErrors.invalid("spec.clusterIPs[0]", value: .string(clusterIP),
                                              "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
        }
        var names: Set<String> = []
        var seen: Set<String> = []
        var nodePorts: Set<String> = []
        for (index, port) in ports.enumerated() {
            let path = "spec.ports[\(index)]"
            let name = port["name"]?.stringValue ?? ""
            if ports.count > 1, name.isEmpty {
                causes.append(FieldErrors.required("\(path).name"))
            } else if !name.isEmpty {
                causes += FieldRules.dns1123Label("\(path).name", name)
                if !names.insert(name).inserted { causes.append(FieldRules.duplicate("\(path).name", value: .string(name))) }
            }
            causes += FieldRules.portNumber("\(path).port", port["port"] ?? 0)
            causes += FieldRules.oneOf("\(path).protocol", port["protocol"], ["SCTP", "TCP", "UDP"])
            if let target = port["targetPort"] { causes += FieldRules.portNumberOrName("\(path).targetPort", target) }
            let proto = port["protocol"]?.stringValue ?? "TCP"
            if !seen.insert("\(port["port"]?.intValue ?? 0)/\(proto)").inserted {
                causes.append(APIError.Cause(
                    type: "FieldValueDuplicate",
                    message: "Duplicate value: {\"port\":\(port["port"]?.intValue ?? 0),\"protocol\":\"\(proto)\"}",
                    field: path))
            }
            if let nodePort = port["nodePort"], let number = nodePort.intValue, number != 0 {
                if type == "ClusterIP" {
                    causes.append(FieldErrors.forbidden("\(path).nodePort", "may not be used when `type` is 'ClusterIP'"))
                } else if !nodePorts.insert("\(number)/\(proto)").inserted {
                    causes.append(FieldRules.duplicate("\(path).nodePort", value: nodePort))
                }
            }
        }
        causes += FieldRules.oneOf("spec.sessionAffinity", spec["sessionAffinity"], ["ClientIP", "None"])
        if spec["sessionAffinity"] == "None", let config = spec["sessionAffinityConfig"], !config.isNull {
            causes.append(FieldErrors.forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
        }
        causes += FieldRules.oneOf("spec.type", spec["type"], serviceTypes)
        let external = isExternallyAccessible(type: type, externalIPs: spec["externalIPs"])
        if let policy = spec["externalTrafficPolicy"]?.stringValue, !policy.isEmpty {
            if !external {
                causes.append(FieldErrors.invalid("spec.externalTrafficPolicy", value: .string(policy),
                                                  "may only be set for externally-accessible services"))
            } else {
                causes += FieldRules.oneOf("spec.externalTrafficPolicy", spec["externalTrafficPolicy"], ["Cluster", "Local"])
            }
        }
        if let policy = spec["internalTrafficPolicy"], !policy.isNull {
            causes += FieldRules.oneOf("spec.internalTrafficPolicy", policy, ["Cluster", "Local"])
        }
        if let allocate = spec["allocateLoadBalancerNodePorts"], !allocate.isNull, type != "LoadBalancer" {
            causes.append(FieldErrors.forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"))
        }
        if let old { causes += clusterIPUpdateCauses(spec, old: old.spec ?? .emptyObject) }
        return causes
    }

    /// Cluster IPs may not change once set (switching to or from ExternalName aside).
    static func clusterIPUpdateCauses(_ spec: JSONValue, old: JSONValue) -> [APIError.Cause] {
        if spec["type"] == "ExternalName" || old["type"] == "ExternalName" { return [] }
        let new = (spec["clusterIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
        let previous = (old["clusterIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
        if new.first == "None", previous.first == "None" { return [] }
        let value = JSONValue.array(new.map { .string($0) })
        if new.isEmpty, !previous.isEmpty {
            return [FieldErrors.invalid("spec.clusterIPs[0]", value: value, "primary clusterIP can not be unset")]
        }
        var causes: [APIError.Cause] = []
        for (index, ip) in previous.enumerated() where index < new.count && new[index] != ip {
            causes.append(FieldErrors.invalid("spec.clusterIPs[\(index)]", value: value, "may not change once set"))
        }
        return causes
    }

    /// A dotted-quad IPv4 address in canonical form.
    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            guard let number = Int(part), (0...255).contains(number) else { return false }
            return String(number) == part
        }
    }
}
