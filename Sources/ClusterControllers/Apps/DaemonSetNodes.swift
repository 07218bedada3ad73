import Foundation
import OrderedCollections
import Resources

/// Which nodes a DaemonSet runs on, and the Pod it runs there, as kube-controller-manager's
/// daemonset controller decides: the template's `nodeName`, `nodeSelector` and required node
/// affinity must match the Node, and its taints with effect `NoSchedule` or `NoExecute` must be
/// tolerated (the Pod tolerating, besides its own, the taints kube adds to every daemon Pod).
enum DaemonSetNodes {
    /// The kind of the owner.
    static let kind = GroupVersionKind(group: "apps", version: "v1", kind: "DaemonSet")
    /// The Pod label with the hash of the DaemonSet's template.
    static let hashLabel = "controller-revision-hash"
    /// The Pod label with the template generation (kept by kube for compatibility).
    static let templateGenerationLabel = "pod-template-generation"
    /// The DaemonSet annotation the API server keeps the template generation in.
    static let templateGenerationAnnotation = "deprecated.daemonset.template.generation"

    /// Whether a daemon Pod should be created on `node`, and whether one already there may stay.
    static func placement(of daemonSet: Resource, on node: Resource) -> (shouldRun: Bool, shouldContinueRunning: Bool) {
        let spec = daemonSet.spec?["template"]?["spec"]
        if let nodeName = spec?["nodeName"]?.stringValue, !nodeName.isEmpty, nodeName != node.name {
            return (false, false)
        }
        guard matchesNodeSelector(spec?["nodeSelector"], node: node),
            matchesRequiredAffinity(spec?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"], node: node)
        else { return (false, false) }
        let tolerations = daemonTolerations(spec?["tolerations"]?.arrayValue ?? [], hostNetwork: spec?["hostNetwork"]?.boolValue == true)
        let taints = node.spec?["taints"]?.arrayValue ?? []
        let untolerated = taints.filter { taint in
            let effect = taint["effect"]?.stringValue ?? ""
            return (effect == "NoSchedule" || effect == "NoExecute") && !tolerations.contains { tolerates($0, taint) }
        }
        if untolerated.isEmpty { return (true, true) }
        return (false, !untolerated.contains { $0["effect"]?.stringValue == "NoExecute" })
    }

    /// `nodeSelector` (labels that must all be on the node).
    static func matchesNodeSelector(_ selector: JSONValue?, node: Resource) -> Bool {
        for (key, value) in selector?.objectValue ?? [:] where node.labels[key] != value.stringValue {
            return false
        }
        return true
    }

    /// A required node selector: any of its terms matches (a term with no requirement matches
    /// nothing); no selector matches every node.
    static func matchesRequiredAffinity(_ selector: JSONValue?, node: Resource) -> Bool {
        guard let terms = selector.presentValue?["nodeSelectorTerms"]?.arrayValue else { return true }
        return terms.contains { term in
            let expressions = term["matchExpressions"]?.arrayValue ?? []
            let fields = term["matchFields"]?.arrayValue ?? []
            guard !expressions.isEmpty || !fields.isEmpty else { return false }
            return expressions.allSatisfy { requirement($0, value: node.labels[$0["key"]?.stringValue ?? ""]) }
                && fields.allSatisfy { $0["key"]?.stringValue == "metadata.name" && requirement($0, value: node.name) }
        }
    }

    /// One node selector requirement against the value it reads (`nil`: the label is absent).
    static func requirement(_ requirement: JSONValue, value: String?) -> Bool {
        let values = requirement["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
        switch requirement["operator"]?.stringValue {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt", "Lt":
            guard let value, let number = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else { return false }
            return requirement["operator"]?.stringValue == "Gt" ? number > bound : number < bound
        default: return false
        }
    }

    /// Whether `toleration` tolerates `taint`.
    static func tolerates(_ toleration: JSONValue, _ taint: JSONValue) -> Bool {
        let effect = toleration["effect"]?.stringValue ?? ""
        if !effect.isEmpty && effect != taint["effect"]?.stringValue { return false }
        let key = toleration["key"]?.stringValue ?? ""
        let op = toleration["operator"]?.stringValue ?? "Equal"
        if key.isEmpty { return op == "Exists" }
        guard key == taint["key"]?.stringValue else { return false }
        switch op {
        case "Exists": return true
        case "Equal": return (toleration["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "")
        default: return false
        }
    }

    /// `tolerations` with those kube adds to every daemon Pod (not-ready and unreachable
    /// `NoExecute` for ever; disk, memory and PID pressure and unschedulable `NoSchedule`;
    /// network-unavailable with host networking), each added unless an equal one is there.
    static func daemonTolerations(_ tolerations: [JSONValue], hostNetwork: Bool) -> [JSONValue] {
        var added: [(String, String)] = [
            ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ]
        if hostNetwork { added.append(("node.kubernetes.io/network-unavailable", "NoSchedule")) }
        var result = tolerations
        for (key, effect) in added {
            let toleration: JSONValue = ["key": .string(key), "operator": "Exists", "effect": .string(effect)]
            // Same key, operator, value and effect: replaced (kube's AddOrUpdateTolerationInPodSpec).
            if let index = result.firstIndex(where: { existing in
                existing["key"]?.stringValue == key && existing["effect"]?.stringValue == effect
                    && (existing["operator"]?.stringValue ?? "Equal") == "Exists"
                    && (existing["value"]?.stringValue ?? "").isEmpty
            }) {
                result[index] = toleration
            } else {
                result.append(toleration)
            }
        }
        return result
    }

    /// The node a daemon Pod is for: its `nodeName`, or the node its required affinity names.
    static func targetNode(of pod: Resource) -> String? {
        if let name = pod.spec?["nodeName"]?.stringValue, !name.isEmpty { return name }
        let terms = pod.spec?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?[
            "nodeSelectorTerms"]?.arrayValue ?? []
        for term in terms {
            for field in term["matchFields"]?.arrayValue ?? [] where field["key"]?.stringValue == "metadata.name"
                && field["operator"]?.stringValue == "In"
            {
                if let values = field["values"]?.arrayValue, values.count == 1, let name = values[0].stringValue {
                    return name
                }
            }
        }
        return nil
    }

    /// The Pod for `node`: the template with the hash and generation labels, the daemon
    /// tolerations, and a required node affinity naming the node (replacing the template's
    /// required terms), for the scheduler to bind it there.
    static func pod(for daemonSet: Resource, node: String, hash: String) -> Resource {
        var pod = Pods.pod(from: daemonSet.spec?["template"] ?? .object([:]), owner: daemonSet, kind: kind)
        if let generation = daemonSet.annotations[templateGenerationAnnotation] {
            pod.setLabel(templateGenerationLabel, generation)
        }
        pod.setLabel(hashLabel, hash)
        var spec = pod.spec?.objectValue ?? [:]
        spec["tolerations"] = .array(daemonTolerations(
            spec["tolerations"]?.arrayValue ?? [], hostNetwork: spec["hostNetwork"]?.boolValue == true))
        let selector: JSONValue = ["nodeSelectorTerms": [["matchFields": [
            ["key": "metadata.name", "operator": "In", "values": [.string(node)]],
        ]]]]
        var affinity = spec["affinity"].presentValue?.objectValue ?? [:]
        var nodeAffinity = affinity["nodeAffinity"].presentValue?.objectValue ?? [:]
        nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"] = selector
        affinity["nodeAffinity"] = .object(nodeAffinity)
        spec["affinity"] = .object(affinity)
        pod.spec = .object(spec)
        return pod
    }

    /// Whether `pod` is at the DaemonSet's current template: its hash label, or its generation label.
    static func isUpdated(_ pod: Resource, hash: String, generation: String?) -> Bool {
        (!hash.isEmpty && pod.labels[hashLabel] == hash)
            || (generation != nil && pod.labels[templateGenerationLabel] == generation)
    }
}
