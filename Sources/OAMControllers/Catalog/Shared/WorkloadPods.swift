import ControllerRuntime
import OrderedCollections
import Resources

/// The Pods a trait's workload runs, named by the label selector of the object that runs them:
/// what a PodDisruptionBudget, a Service, a route's Service or a ServiceMonitor select.
///
/// The object is the first of the workload's children that runs Pods — one with a
/// `spec.selector` object and a `spec.template` (a Deployment, StatefulSet, DaemonSet,
/// ReplicaSet or Job) — and the workload itself when none does (a Deployment or StatefulSet put
/// in a Component directly: the native workload definitions name no children). A
/// ContainerizedWorkload's Pods are thus those of its Deployment.
///
/// ```swift
/// let resolved = try TraitWorkload.resolve(trait, references: references, definitions: definitions)
/// guard let pods = WorkloadPods.of(resolved) else { /* nothing runs Pods: say so in Synced */ }
/// budget.spec = ["selector": pods.selector, "minAvailable": 1]
/// service.spec = ["selector": pods.serviceSelector.map { .object($0) } ?? .null]
/// ```
struct WorkloadPods: Sendable, Equatable {
    /// `Kind/name` of the object whose selector this is, for messages and status.
    var source: String
    /// Its `spec.selector`: a LabelSelector with `matchLabels` and/or `matchExpressions` (only those).
    var selector: JSONValue
    /// A plain label map selecting the same Pods, as a Service's `spec.selector` needs: the
    /// selector's `matchLabels` when it has no expressions; otherwise the labels of its Pod
    /// template (which its Pods all carry); `nil` when neither gives labels.
    var serviceSelector: OrderedDictionary<String, String>?

    /// The Pods of `resolved`'s workload; `nil` when neither the workload nor one of its
    /// children has a selector and a Pod template.
    static func of(_ resolved: TraitWorkload) -> WorkloadPods? {
        let runners = resolved.children.filter(runsPods).sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
        if let child = runners.first { return WorkloadPods(of: child) }
        return runsPods(resolved.workload) ? WorkloadPods(of: resolved.workload) : nil
    }

    /// Whether `object` has what a Pod controller has: a selector object and a Pod template.
    static func runsPods(_ object: Resource) -> Bool {
        guard let selector = object.spec?["selector"]?.objectValue, object.spec?["template"]?.objectValue != nil
        else { return false }
        return selector["matchLabels"]?.objectValue?.isEmpty == false
            || selector["matchExpressions"]?.arrayValue?.isEmpty == false
    }

    /// The Pods of `object`, which ``runsPods(_:)``.
    init(of object: Resource) {
        source = "\(object.kind)/\(object.name)"
        let selector = object.spec?["selector"]?.objectValue ?? [:]
        var kept: JSONObject = [:]
        let matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        let expressions = selector["matchExpressions"]?.arrayValue ?? []
        if !matchLabels.isEmpty { kept["matchLabels"] = .object(matchLabels) }
        if !expressions.isEmpty { kept["matchExpressions"] = .array(expressions) }
        self.selector = .object(kept)

        func strings(_ members: JSONObject?) -> OrderedDictionary<String, String> {
            var map: OrderedDictionary<String, String> = [:]
            for (key, value) in members ?? [:] { if let text = value.stringValue { map[key] = text } }
            return map
        }
        if expressions.isEmpty, !matchLabels.isEmpty {
            serviceSelector = strings(matchLabels)
        } else {
            let template = strings(object.spec?["template"]?["metadata"]?["labels"]?.objectValue)
            serviceSelector = template.isEmpty ? nil : template
        }
    }

    /// Whether a change of a workload or child can change its Pods' selector: it appeared,
    /// went, or changed its selector, template labels, owners or labels — not its status.
    static let isRelevant: @Sendable (InformerEvent) -> Bool = { event in
        guard case .updated(let old, let new) = event else { return true }
        return old.spec?["selector"] != new.spec?["selector"]
            || old.spec?["template"]?["metadata"]?["labels"] != new.spec?["template"]?["metadata"]?["labels"]
            || old.ownerReferences != new.ownerReferences || old.labels != new.labels || old.uid != new.uid
    }
}

extension WorkloadPods {
    /// The problem of a trait that needs the Pods of `resolved`'s workload and cannot tell them
    /// (`verb`: what it would do with them, "protect", "expose").
    static func unknown(_ resolved: TraitWorkload, for verb: String) -> ProducingTrait.Problem {
        let names = ([resolved.workload] + resolved.children).map { "\($0.kind)/\($0.name)" }
        return .nothingToActOn(
            "cannot \(verb) the workload's Pods: none of \(names.joined(separator: ", ")) has a label selector "
                + "(spec.selector) and a Pod template")
    }
}
