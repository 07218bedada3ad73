import Foundation
import OrderedCollections
import Resources

/// What the StatefulSet controller reads from and writes into its Pods, as kube-controller-manager
/// does: the ordinal in the name (`web-2`), the identity labels, the revision label, and the Pod
/// made for an ordinal.
enum StatefulSetPods {
    /// The kind of the owner.
    static let kind = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
    /// The Pod label naming the ControllerRevision it was made from.
    static let revisionLabel = "controller-revision-hash"
    /// The Pod label with the Pod's own name.
    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    /// The Pod label with the Pod's ordinal.
    static let podIndexLabel = "apps.kubernetes.io/pod-index"

    /// The parent name and ordinal in a Pod's name (`web-2` → `("web", 2)`); `nil` when the name
    /// does not end in `-` and digits.
    static func parentAndOrdinal(of name: String) -> (parent: String, ordinal: Int)? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let ordinal = Int32(digits) else {
            return nil
        }
        return (String(name[..<dash]), Int(ordinal))
    }

    /// The ordinal of `pod` when it belongs to `set` by name; `nil` otherwise.
    static func ordinal(of pod: Resource, in set: Resource) -> Int? {
        guard let (parent, ordinal) = parentAndOrdinal(of: pod.name), parent == set.name else { return nil }
        return ordinal
    }

    /// `spec.ordinals.start`, 0 when unset.
    static func startOrdinal(of set: Resource) -> Int {
        Int(set.spec?["ordinals"]?["start"]?.intValue ?? 0)
    }

    /// `spec.replicas`, 1 when unset (the API server defaults it).
    static func replicas(of set: Resource) -> Int {
        Int(set.spec?["replicas"]?.intValue ?? 1)
    }

    /// `spec.minReadySeconds`.
    static func minReadySeconds(of set: Resource) -> Int {
        Int(set.spec?["minReadySeconds"]?.intValue ?? 0)
    }

    /// The revision a Pod was made from (its `controller-revision-hash` label).
    static func revision(of pod: Resource) -> String {
        pod.labels[revisionLabel] ?? ""
    }

    /// The API server has the Pod (its phase is set).
    static func isCreated(_ pod: Resource) -> Bool {
        pod.valueIfPresent(at: "status.phase")?.stringValue.map { !$0.isEmpty } ?? false
    }

    /// Phase `Running` and the `Ready` condition `True`.
    static func isRunningAndReady(_ pod: Resource) -> Bool {
        Pods.phase(of: pod) == "Running" && Pods.isReady(pod)
    }

    /// Not available, or being deleted.
    static func isUnavailable(_ pod: Resource, minReadySeconds: Int, now: Date) -> Bool {
        !Pods.isAvailable(pod, minReadySeconds: minReadySeconds, now: now) || pod.isBeingDeleted
    }

    /// Whether `pod` carries the identity of its ordinal in `set`: its name and the pod-name and
    /// pod-index labels.
    static func identityMatches(_ pod: Resource, set: Resource) -> Bool {
        guard let ordinal = ordinal(of: pod, in: set) else { return false }
        return pod.namespace == set.namespace && pod.labels[podNameLabel] == pod.name
            && pod.labels[podIndexLabel] == String(ordinal)
    }

    /// The claim names of `set`'s volumeClaimTemplates for `ordinal`, by template name
    /// (`data` → `data-web-0`).
    static func claims(of set: Resource, ordinal: Int) -> [(template: String, claim: String)] {
        (set.spec?["volumeClaimTemplates"]?.arrayValue ?? []).compactMap { template in
            guard let name = template["metadata"]?["name"]?.stringValue else { return nil }
            return (name, "\(name)-\(set.name)-\(ordinal)")
        }
    }

    /// The Pod of `ordinal` made from `template` (the set's template at one revision), labelled
    /// with `revision`: named `set-ordinal`, its hostname the name and its subdomain the set's
    /// serviceName, a volume per claim template (replacing a template volume of the same name).
    static func pod(for set: Resource, template: JSONValue, revision: String, ordinal: Int) -> Resource {
        var pod = Pods.pod(from: template, owner: set, kind: kind)
        let name = "\(set.name)-\(ordinal)"
        pod.name = name
        pod.setLabel(podNameLabel, name)
        pod.setLabel(podIndexLabel, String(ordinal))
        pod.setLabel(revisionLabel, revision)
        var spec = pod.spec?.objectValue ?? [:]
        spec["hostname"] = .string(name)
        if let service = set.spec?["serviceName"]?.stringValue, !service.isEmpty {
            spec["subdomain"] = .string(service)
        }
        let claims = claims(of: set, ordinal: ordinal)
        if !claims.isEmpty {
            let claimed = Set(claims.map(\.template))
            var volumes: [JSONValue] = claims.map { entry in
                ["name": .string(entry.template),
                 "persistentVolumeClaim": ["claimName": .string(entry.claim)]]
            }
            for volume in spec["volumes"]?.arrayValue ?? [] {
                if let name = volume["name"]?.stringValue, claimed.contains(name) { continue }
                volumes.append(volume)
            }
            spec["volumes"] = .array(volumes)
        }
        pod.spec = .object(spec)
        return pod
    }
}
