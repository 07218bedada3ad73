import OrderedCollections
import APIMachinery
import Resources

/// Validation of ReplicaSets and DaemonSets (`pkg/apis/apps/validation`).
extension BuiltinKinds {
    /// ReplicaSet: replicas and minReadySeconds ≥ 0, a selector that selects the template, a valid
    /// template that restarts `Always`; on update an unchanged selector.
    static func replicaSetCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let spec = object.spec
        var causes = FieldRules.nonNegative("spec.replicas", spec?["replicas"])
        causes += FieldRules.nonNegative("spec.minReadySeconds", spec?["minReadySeconds"])
        // kube's ReplicaSet validation shares the Deployment's wording of an empty selector.
        causes += selectorCauses(spec, field: "spec", kind: "deployment")
        causes += podTemplateCauses(spec?["template"], field: "spec.template")
        causes += restartAlwaysCauses(spec, field: "spec.template.spec")
        if let old {
            causes += FieldRules.immutable("spec.selector", new: spec?["selector"], old: old.spec?["selector"])
        }
        return causes
    }

    /// DaemonSet: a selector that selects the template (no selector selects nothing), a valid
    /// template that restarts `Always`, a known update strategy; on update an unchanged selector.
    static func daemonSetCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let spec = object.spec
        var causes: [APIError.Cause] = []
        let selector = spec?["selector"].presentValue
        if let selector { causes += FieldRules.labelSelector("spec.selector", selector) }
        let labelsValue = spec?["template"]?["metadata"]?["labels"]
        var labels: [String: String] = [:]
        for (key, value) in labelsValue?.objectValue ?? [:] { labels[key] = value.stringValue ?? "" }
        let parsed = selector.flatMap { try? LabelSelector(json: $0) }
        if selector == nil || (parsed.map { !$0.matches(labels) } ?? false) {
            causes.append(FieldErrors.invalid("spec.template.metadata.labels", value: labelsValue ?? .emptyObject,
                                              "`selector` does not match template `labels`"))
        }
        if let selector,
            (selector["matchLabels"]?.objectValue?.count ?? 0) + (selector["matchExpressions"]?.arrayValue?.count ?? 0) == 0
        {
            causes.append(FieldErrors.invalid("spec.selector", value: selector, "empty selector is invalid for daemonset"))
        }
        causes += podTemplateCauses(spec?["template"], field: "spec.template")
        causes += restartAlwaysCauses(spec, field: "spec.template.spec").map {
            $0.field.hasSuffix("activeDeadlineSeconds")
                ? FieldErrors.forbidden($0.field, "activeDeadlineSeconds in DaemonSet is not Supported") : $0
        }
        causes += FieldRules.nonNegative("spec.minReadySeconds", spec?["minReadySeconds"])
        let strategy = spec?["updateStrategy"] ?? .emptyObject
        switch strategy["type"]?.stringValue ?? "" {
        case "OnDelete": break
        case "RollingUpdate":
            guard let rolling = strategy["rollingUpdate"], !rolling.isNull else {
                causes.append(FieldErrors.required("spec.updateStrategy.rollingUpdate"))
                break
            }
            let field = "spec.updateStrategy.rollingUpdate"
            let unavailable = rolling["maxUnavailable"] ?? 0, surge = rolling["maxSurge"] ?? 0
            causes += intOrPercentCauses(unavailable, field: "\(field).maxUnavailable")
            causes += intOrPercentCauses(surge, field: "\(field).maxSurge")
            for (name, value) in [("maxUnavailable", unavailable), ("maxSurge", surge)]
            where value.stringValue != nil && intOrPercentValue(value) > 100 {
                causes.append(FieldErrors.invalid("\(field).\(name)", value: value, "must not be greater than 100%"))
            }
            let hasUnavailable = intOrPercentValue(unavailable) != 0, hasSurge = intOrPercentValue(surge) != 0
            if hasUnavailable, hasSurge {
                causes.append(FieldErrors.invalid("\(field).maxSurge", value: surge, "may not be set when maxUnavailable is non-zero"))
            } else if !hasUnavailable, !hasSurge {
                causes.append(FieldErrors.required("\(field).maxUnavailable", "cannot be 0 when maxSurge is 0"))
            }
        default:
            causes.append(FieldErrors.notSupported("spec.updateStrategy", value: strategy, supported: ["RollingUpdate", "OnDelete"]))
        }
        causes += FieldRules.nonNegative("spec.revisionHistoryLimit", spec?["revisionHistoryLimit"])
        if let old {
            causes += FieldRules.immutable("spec.selector", new: spec?["selector"], old: old.spec?["selector"])
        }
        return causes
    }
}
