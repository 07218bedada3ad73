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
}
