import OrderedCollections
import APIMachinery
import Resources

/// Validation of a Pod (`ValidatePodCreate`, `ValidatePodUpdate` in `pkg/apis/core/validation`).
extension BuiltinKinds {
    /// The fields of a Pod's spec an update may change, as kube-apiserver lists them.
    static let updatablePodSpecFields = [
        "`spec.containers[*].image`", "`spec.initContainers[*].image`", "`spec.activeDeadlineSeconds`",
        "`spec.tolerations` (only additions to existing tolerations)",
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    ]

    /// Pod: a valid spec; on create no ephemeral containers and no node while scheduling gates
    /// remain; on update only images, a lower active deadline, added tolerations and removed
    /// scheduling gates.
    static func podCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let spec = object.spec ?? .emptyObject
        var causes = podSpecCauses(spec, field: "spec")
        guard let old else {
            if let ephemeral = spec["ephemeralContainers"]?.arrayValue, !ephemeral.isEmpty {
                causes.append(FieldErrors.forbidden("spec.ephemeralContainers", "cannot be set on create"))
            }
            if let gates = spec["schedulingGates"]?.arrayValue, !gates.isEmpty,
                !(spec["nodeName"]?.stringValue ?? "").isEmpty
            {
                causes.append(FieldErrors.forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"))
            }
            return causes
        }
        return causes + podUpdateCauses(spec, old: old.spec ?? .emptyObject)
    }

    /// The rules of `ValidatePodUpdate` on the spec.
    static func podUpdateCauses(_ spec: JSONValue, old: JSONValue) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for list in ["containers", "initContainers"] {
            let new = spec[list]?.arrayValue ?? [], previous = old[list]?.arrayValue ?? []
            if new.count != previous.count {
                return causes + [FieldErrors.forbidden("spec.\(list)", "pod updates may not add or remove containers")]
            }
        }
        let deadline = spec["activeDeadlineSeconds"].presentValue
        let oldDeadline = old["activeDeadlineSeconds"].presentValue
        if let deadline {
            let seconds = deadline.intValue ?? 0
            if seconds < 0 || seconds > 2_147_483_647 {
                return causes + [FieldErrors.invalid("spec.activeDeadlineSeconds", value: deadline,
                                                     "must be between 0 and 2147483647, inclusive")]
            }
            if let oldSeconds = oldDeadline?.intValue, oldSeconds < seconds {
                return causes + [FieldErrors.invalid("spec.activeDeadlineSeconds", value: deadline,
                                                     "must be less than or equal to previous value")]
            }
        } else if oldDeadline != nil {
            causes.append(FieldErrors.invalid("spec.activeDeadlineSeconds", value: .null,
                                              "must not update from a positive integer to nil value"))
        }
        let tolerations = spec["tolerations"]?.arrayValue ?? []
        for previous in old["tolerations"]?.arrayValue ?? [] {
            var kept = previous
            let found = tolerations.contains { toleration in
                kept["tolerationSeconds"] = toleration["tolerationSeconds"]
                return Self.withoutNulls(kept) == Self.withoutNulls(toleration)
            }
            if !found {
                causes.append(FieldErrors.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"))
                break
            }
        }
        let oldGates = Set((old["schedulingGates"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        for (index, gate) in (spec["schedulingGates"]?.arrayValue ?? []).enumerated()
        where !oldGates.contains(gate["name"]?.stringValue ?? "") {
            causes.append(FieldErrors.forbidden("spec.schedulingGates[\(index)]", "only deletion is allowed, but found new scheduling gate '\(gate["name"]?.stringValue ?? "")'"))
        }
        guard spec != old, var munged = spec.objectValue, let oldMembers = old.objectValue else { return causes }
        for list in ["containers", "initContainers"] {
            guard var containers = munged[list]?.arrayValue else { continue }
            let previous = oldMembers[list]?.arrayValue ?? []
            for index in containers.indices where previous.indices.contains(index) {
                containers[index]["image"] = previous[index]["image"]
            }
            munged[list] = .array(containers)
        }
        for key in ["activeDeadlineSeconds", "schedulingGates", "tolerations"] { munged[key] = oldMembers[key] }
        if let grace = oldMembers["terminationGracePeriodSeconds"]?.intValue, grace < 0,
            munged["terminationGracePeriodSeconds"]?.intValue == 1
        {
            munged["terminationGracePeriodSeconds"] = oldMembers["terminationGracePeriodSeconds"]
        }
        let changed = changedPaths(.object(munged), old, path: "spec")
        if !changed.isEmpty {
            causes.append(FieldErrors.forbidden(
                "spec",
                "pod updates may not change fields other than \(updatablePodSpecFields.joined(separator: ","))\n"
                    + changed.map { "changed: \($0)" }.joined(separator: "\n")))
        }
        return causes
    }

    /// The paths at which `new` and `old` differ (objects member by member, arrays whole).
    static func changedPaths(_ new: JSONValue, _ old: JSONValue, path: String) -> [String] {
        guard case .object(let newMembers) = new, case .object(let oldMembers) = old else {
            return withoutNulls(new) == withoutNulls(old) ? [] : [path]
        }
        var keys = Array(oldMembers.keys)
        keys += newMembers.keys.filter { oldMembers[$0] == nil }
        return keys.flatMap { key in
            changedPaths(newMembers[key] ?? .null, oldMembers[key] ?? .null, path: "\(path).\(key)")
        }
    }

    /// `value` without `null` members (a Go zero value and a missing member are the same).
    static func withoutNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.filter { !$0.value.isNull }.mapValues(withoutNulls))
        case .array(let elements):
            return .array(elements.map(withoutNulls))
        default:
            return value
        }
    }
}
