import OrderedCollections
import Resources

extension BuiltinKinds {
    /// Service defaults that need no store (`core/v1` `SetDefaults_Service`): type `ClusterIP`,
    /// session affinity `None`, ports' protocol `TCP` and target port, traffic policies.
    ///
    /// The cluster IPs, IP families and node ports are allocated by the API server, which knows
    /// the Services already stored.
    static func applyServiceDefaults(_ object: inout JSONObject) {
        object.withObject("spec") { spec in
            spec.setDefaultString("sessionAffinity", "None")
            if spec["sessionAffinity"] == "None" {
                spec.removeValue(forKey: "sessionAffinityConfig")
            } else if spec["sessionAffinity"] == "ClientIP",
                spec["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"] == nil
            {
                spec["sessionAffinityConfig"] = ["clientIP": ["timeoutSeconds": 10_800]]
            }
            spec.setDefaultString("type", "ClusterIP")
            spec.editEachObject(in: "ports") { port in
                port.setDefaultString("protocol", "TCP")
                let target = port["targetPort"]
                if target == nil || target?.isNull == true || target == 0 || target == "" {
                    port["targetPort"] = port["port"] ?? 0
                }
            }
            let type = spec["type"]?.stringValue ?? ""
            if isExternallyAccessible(type: type, externalIPs: spec["externalIPs"]) {
                spec.setDefaultString("externalTrafficPolicy", "Cluster")
            }
            if ["ClusterIP", "NodePort", "LoadBalancer"].contains(type) {
                spec.setDefault("internalTrafficPolicy", "Cluster")
            }
            if type == "LoadBalancer" {
                spec.setDefault("allocateLoadBalancerNodePorts", true)
            }
        }
    }

    /// NodePort and LoadBalancer Services, and ClusterIP ones with external IPs, are reachable
    /// from outside the cluster.
    static func isExternallyAccessible(type: String, externalIPs: JSONValue?) -> Bool {
        type == "NodePort" || type == "LoadBalancer"
            || (type == "ClusterIP" && !(externalIPs?.arrayValue ?? []).isEmpty)
    }

    /// On an update, what the request leaves out but the stored Service was given keeps its value
    /// (kube's `patchAllocatedValues`): cluster IPs, IP families, and node ports matched by port
    /// name — so `kubectl replace` or `apply` of a manifest without them changes nothing.
    static func keepAllocatedServiceValues(_ spec: inout JSONObject, from old: JSONObject) {
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        let oldType = old["type"]?.stringValue ?? "ClusterIP"
        guard type != "ExternalName", oldType != "ExternalName" else { return }
        for key in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
            let missing = spec[key] == nil || spec[key]?.isNull == true || spec[key] == ""
                || spec[key]?.arrayValue?.isEmpty == true
            if missing, let value = old[key] { spec[key] = value }
        }
        let hasNodePorts = { (type: String) in type == "NodePort" || type == "LoadBalancer" }
        guard hasNodePorts(type), hasNodePorts(oldType), var ports = spec["ports"]?.arrayValue else { return }
        var byName: [String: Int64] = [:]
        for port in old["ports"]?.arrayValue ?? [] {
            byName[port["name"]?.stringValue ?? ""] = port["nodePort"]?.intValue
        }
        let used = Set(ports.compactMap { $0["nodePort"]?.intValue })
        for index in ports.indices where (ports[index]["nodePort"]?.intValue ?? 0) == 0 {
            if let previous = byName[ports[index]["name"]?.stringValue ?? ""], !used.contains(previous) {
                ports[index]["nodePort"] = .int(previous)
            }
        }
        spec["ports"] = .array(ports)
    }

    /// On an update that changes `clusterIP` but leaves `clusterIPs` as stored, the new primary
    /// address goes into `clusterIPs` too (kube's `NormalizeClusterIPs`), so that validation
    /// refuses the change of an address once set instead of letting the two fields disagree.
    static func normalizeClusterIPs(_ spec: inout JSONObject, old: JSONObject) {
        guard let clusterIP = spec["clusterIP"]?.stringValue, !clusterIP.isEmpty,
              clusterIP != old["clusterIP"]?.stringValue,
              var addresses = spec["clusterIPs"]?.arrayValue, !addresses.isEmpty, spec["clusterIPs"] == old["clusterIPs"]
        else { return }
        addresses[0] = .string(clusterIP)
        spec["clusterIPs"] = .array(addresses)
    }

    /// On an update that changes a Service's type, what only the old type needed goes when the
    /// request left it as it was (kube's `dropTypeDependentFields`): cluster IPs and IP families
    /// for ExternalName, node ports when neither NodePort nor LoadBalancer, traffic policies and
    /// `allocateLoadBalancerNodePorts` where they no longer apply.
    static func dropServiceTypeDependentFields(_ spec: inout JSONObject, old: JSONObject) {
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        let oldType = old["type"]?.stringValue ?? "ClusterIP"
        guard type != oldType else { return }
        func unchanged(_ key: String) -> Bool { spec[key] == old[key] }
        if type == "ExternalName" {
            for key in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy"] where unchanged(key) {
                spec.removeValue(forKey: key)
            }
        }
        let hasNodePorts = { (type: String) in type == "NodePort" || type == "LoadBalancer" }
        if hasNodePorts(oldType), !hasNodePorts(type) {
            let oldPorts = Set((old["ports"]?.arrayValue ?? []).compactMap { $0["nodePort"]?.intValue })
            spec.editEachObject(in: "ports") { port in
                if let number = port["nodePort"]?.intValue, oldPorts.contains(number) { port.removeValue(forKey: "nodePort") }
            }
        }
        if !isExternallyAccessible(type: type, externalIPs: spec["externalIPs"]), unchanged("externalTrafficPolicy") {
            spec.removeValue(forKey: "externalTrafficPolicy")
        }
        if type != "LoadBalancer" {
            for key in ["allocateLoadBalancerNodePorts", "healthCheckNodePort"] where unchanged(key) {
                spec.removeValue(forKey: key)
            }
        }
    }
}
