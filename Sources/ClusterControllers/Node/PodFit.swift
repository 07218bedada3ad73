import BuiltinKinds
import Foundation
import OrderedCollections
import Resources

/// Whether a Pod fits the node, as kube-scheduler's filter plugins decide it, in their order —
/// the first plugin that rejects the node gives the reasons: NodeUnschedulable,
/// TaintToleration, NodeAffinity (nodeSelector and required node affinity), NodePorts,
/// NodeResourcesFit (pod count, then each requested resource) — and the message kube-scheduler
/// writes when no node fits.
///
/// ```swift
/// let reasons = PodFit.reasons(pod: pod, node: node, boundPods: running)   // ["Insufficient cpu"]
/// PodFit.message(reasons: reasons, pod: pod, nodes: 1)
/// // "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
/// ```
enum PodFit {
    /// Why `pod` does not fit `node`, given the Pods already bound to it; empty when it fits.
    static func reasons(pod: Resource, node: Resource, boundPods: [Resource]) -> [String] {
        let spec = pod.spec ?? .emptyObject
        let tolerations = spec["tolerations"]?.arrayValue ?? []
        if node.spec?["unschedulable"]?.boolValue == true,
            !tolerations.contains(where: { tolerates($0, ["key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"]) })
        {
            return ["node(s) were unschedulable"]
        }
        let taints = (node.spec?["taints"]?.arrayValue ?? []).filter {
            let effect = $0["effect"]?.stringValue
            return effect == "NoSchedule" || effect == "NoExecute"
        }
        if taints.contains(where: { taint in !tolerations.contains { tolerates($0, taint) } }) {
            return ["node(s) had untolerated taint(s)"]
        }
        if !matchesAffinity(spec, node: node) {
            return ["node(s) didn't match Pod's node affinity/selector"]
        }
        let used = Set(boundPods.flatMap(hostPorts))
        if hostPorts(of: pod).contains(where: used.contains) {
            return ["node(s) didn't have free ports for the requested pod ports"]
        }
        return resourceReasons(pod: pod, node: node, boundPods: boundPods)
    }

    /// Whether a failure is one preemption could resolve (kube's `Unschedulable` as opposed to
    /// `UnschedulableAndUnresolvable`): not enough resources or ports.
    static func isResolvable(_ reasons: [String]) -> Bool {
        reasons.allSatisfy { $0.hasPrefix("Insufficient ") || $0 == "Too many pods" || $0.contains("free ports") }
    }

    /// kube-scheduler's message for a Pod that fits none of `nodes` nodes (one here) for `reasons`.
    /// The plane does not preempt: a Pod that preemption could help is told no victims were found.
    static func message(reasons: [String], pod: Resource, nodes: Int = 1) -> String {
        let counts = Dictionary(reasons.map { ($0, nodes) }, uniquingKeysWith: +)
        let histogram = counts.map { "\($0.value) \($0.key)" }.sorted().joined(separator: ", ")
        var message = "0/\(nodes) nodes are available: \(histogram)."
        if pod.spec?["preemptionPolicy"]?.stringValue == "Never" {
            message += " preemption: not eligible due to preemptionPolicy=Never."
        } else if isResolvable(reasons) {
            message += " preemption: 0/\(nodes) nodes are available: \(nodes) No preemption victims found for incoming pod."
        } else {
            message += " preemption: 0/\(nodes) nodes are available: \(nodes) Preemption is not helpful for scheduling."
        }
        return message
    }

    // MARK: Taints

    /// Whether `toleration` tolerates `taint` (kube's `ToleratesTaint`).
    static func tolerates(_ toleration: JSONValue, _ taint: JSONValue) -> Bool {
        let effect = toleration["effect"]?.stringValue ?? ""
        if !effect.isEmpty, effect != taint["effect"]?.stringValue { return false }
        let key = toleration["key"]?.stringValue ?? ""
        if !key.isEmpty, key != taint["key"]?.stringValue { return false }
        switch toleration["operator"]?.stringValue ?? "Equal" {
        case "Exists": return true
        case "Equal": return (toleration["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "")
        default: return false
        }
    }

    // MARK: Node affinity

    static func matchesAffinity(_ spec: JSONValue, node: Resource) -> Bool {
        let labels = node.labels
        for (key, value) in spec["nodeSelector"]?.objectValue ?? [:] where labels[key] != value.stringValue {
            return false
        }
        guard let terms = spec["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?[
            "nodeSelectorTerms"]?.arrayValue
        else { return true }
        // The terms are ORed, each term's requirements ANDed; a term without requirements matches nothing.
        return terms.contains { term in
            let expressions = term["matchExpressions"]?.arrayValue ?? []
            let fields = term["matchFields"]?.arrayValue ?? []
            guard !expressions.isEmpty || !fields.isEmpty else { return false }
            return expressions.allSatisfy { requirement($0, value: labels[$0["key"]?.stringValue ?? ""]) }
                && fields.allSatisfy { field in
                    field["key"]?.stringValue == "metadata.name" && requirement(field, value: node.name)
                }
        }
    }

    /// One node selector requirement (`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`) on `value`.
    static func requirement(_ requirement: JSONValue, value: String?) -> Bool {
        let values = (requirement["values"]?.arrayValue ?? []).compactMap(\.stringValue)
        switch requirement["operator"]?.stringValue ?? "" {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt", "Lt":
            guard let value, let actual = Int64(value), values.count == 1, let bound = Int64(values[0]) else { return false }
            return requirement["operator"]?.stringValue == "Gt" ? actual > bound : actual < bound
        default: return false
        }
    }

    // MARK: Ports

    static func hostPorts(of pod: Resource) -> [String] {
        (pod.spec?["containers"]?.arrayValue ?? []).flatMap { container in
            (container["ports"]?.arrayValue ?? []).compactMap { port -> String? in
                guard let hostPort = port["hostPort"]?.intValue, hostPort > 0 else { return nil }
                return "\(port["protocol"]?.stringValue ?? "TCP")/\(port["hostIP"]?.stringValue ?? "0.0.0.0")/\(hostPort)"
            }
        }
    }

    // MARK: Resources

    static func resourceReasons(pod: Resource, node: Resource, boundPods: [Resource]) -> [String] {
        let allocatable = node.status?["allocatable"]?.objectValue ?? [:]
        var reasons: [String] = []
        if let pods = allocatable["pods"]?.stringValue.flatMap(Quantity.init), Decimal(boundPods.count + 1) > pods.amount {
            reasons.append("Too many pods")
        }
        let wanted = requests(of: pod)
        var used: [String: Quantity] = [:]
        for bound in boundPods {
            for (name, amount) in requests(of: bound) { used[name, default: .zero] = used[name, default: .zero] + amount }
        }
        for (name, amount) in wanted.sorted(by: { $0.key < $1.key }) where !amount.isZero {
            let available = allocatable[name]?.stringValue.flatMap(Quantity.init) ?? .zero
            if amount.amount > available.amount - (used[name]?.amount ?? 0) {
                reasons.append("Insufficient \(name)")
            }
        }
        return reasons
    }

    /// What a Pod requests: the larger of its containers' sum and any init container's
    /// requests, plus its overhead (kube's `PodRequests`).
    static func requests(of pod: Resource) -> [String: Quantity] {
        let spec = pod.spec ?? .emptyObject
        func requests(_ container: JSONValue) -> [String: Quantity] {
            var result: [String: Quantity] = [:]
            for (name, value) in container["resources"]?["requests"]?.objectValue ?? [:] {
                if let quantity = value.stringValue.flatMap(Quantity.init) ?? value.intValue.map({ Quantity(String($0))! }) {
                    result[name] = quantity
                }
            }
            return result
        }
        var total: [String: Quantity] = [:]
        for container in spec["containers"]?.arrayValue ?? [] {
            for (name, amount) in requests(container) { total[name, default: .zero] = total[name, default: .zero] + amount }
        }
        for container in spec["initContainers"]?.arrayValue ?? [] {
            for (name, amount) in requests(container) {
                total[name] = Quantity.maximum(total[name, default: .zero], amount)
            }
        }
        for (name, value) in spec["overhead"]?.objectValue ?? [:] {
            if let amount = value.stringValue.flatMap(Quantity.init) { total[name, default: .zero] = total[name, default: .zero] + amount }
        }
        return total
    }
}
