import OrderedCollections
import Resources

extension BuiltinKinds {
    /// Pod defaults (`core/v1` `SetDefaults_Pod` and the pod spec's), plus what kube-apiserver's
    /// default admission plugins add to a new Pod: the `default` ServiceAccount
    /// (`ServiceAccount`), priority 0 with `PreemptLowerPriority` (`Priority`) and five-minute
    /// tolerations of unready and unreachable nodes (`DefaultTolerationSeconds`), and the new
    /// Pod's QoS class in `status.qosClass`.
    ///
    /// The ServiceAccount admission plugin's projected token volume is not added: the embedded
    /// node runs no containers to mount it in.
    ///
    /// ```swift
    /// var pod: JSONObject = ["spec": ["containers": [["name": "web", "image": "nginx"]]]]
    /// BuiltinKinds.applyPodDefaults(&pod, creating: true)
    /// pod["status"]?["qosClass"]   // "BestEffort"
    /// ```
    static func applyPodDefaults(_ object: inout JSONObject, creating: Bool) {
        object.withObject("spec") { spec in
            for list in ["containers", "initContainers"] {
                spec.editEachObject(in: list) { container in
                    container.editObject("resources") { resources in
                        guard let limits = resources["limits"]?.objectValue, !limits.isEmpty else { return }
                        resources.withObject("requests") { requests in
                            for (key, value) in limits where requests[key] == nil { requests[key] = value }
                        }
                    }
                }
            }
            spec.setDefault("enableServiceLinks", true)
            if spec["hostNetwork"]?.boolValue == true {
                for list in ["containers", "initContainers"] {
                    spec.editEachObject(in: list) { container in
                        container.editEachObject(in: "ports") { port in
                            if (port["hostPort"]?.intValue ?? 0) == 0, let number = port["containerPort"] {
                                port["hostPort"] = number
                            }
                        }
                    }
                }
            }
            applyPodSpecDefaults(&spec)
            guard creating else { return }
            // The admission plugins of a default kube-apiserver.
            let account = spec["serviceAccountName"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
                ?? spec["serviceAccount"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
            spec["serviceAccountName"] = .string(account)
            spec["serviceAccount"] = .string(account)
            if (spec["priorityClassName"]?.stringValue ?? "").isEmpty {
                spec.setDefault("priority", 0)
            }
            spec.setDefaultString("preemptionPolicy", "PreemptLowerPriority")
            var tolerations = spec["tolerations"]?.arrayValue ?? []
            for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
                let tolerated = tolerations.contains { toleration in
                    let effect = toleration["effect"]?.stringValue ?? ""
                    let tolerationKey = toleration["key"]?.stringValue ?? ""
                    return (effect.isEmpty || effect == "NoExecute")
                        && (tolerationKey == key || (tolerationKey.isEmpty && toleration["operator"] == "Exists"))
                }
                if !tolerated {
                    tolerations.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute",
                                        "tolerationSeconds": 300])
                }
            }
            spec["tolerations"] = .array(tolerations)
        }
        if creating {
            let qos = qosClass(of: object["spec"] ?? .emptyObject)
            object.withObject("status") { $0["qosClass"] = .string(qos) }
        }
    }

    /// The QoS class of a pod spec (`pkg/apis/core/helper/qos`): `BestEffort` without any CPU or
    /// memory request or limit, `Guaranteed` when every container limits both and requests what
    /// it limits, else `Burstable`.
    static func qosClass(of spec: JSONValue) -> String {
        let containers = (spec["containers"]?.arrayValue ?? []) + (spec["initContainers"]?.arrayValue ?? [])
        let computeResources = ["cpu", "memory"]
        var anySet = false
        var guaranteed = true
        for container in containers {
            let requests = container["resources"]?["requests"]?.objectValue ?? [:]
            let limits = container["resources"]?["limits"]?.objectValue ?? [:]
            for name in computeResources {
                let request = requests[name]?.stringValue.flatMap { isZeroQuantity($0) ? nil : $0 }
                let limit = limits[name]?.stringValue.flatMap { isZeroQuantity($0) ? nil : $0 }
                if request != nil || limit != nil { anySet = true }
                if limit == nil || (request != nil && request != limit) { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    private static func isZeroQuantity(_ text: String) -> Bool {
        let digits = text.prefix { $0.isNumber || $0 == "." }
        return !digits.isEmpty && digits.allSatisfy { $0 == "0" || $0 == "." }
    }
}
