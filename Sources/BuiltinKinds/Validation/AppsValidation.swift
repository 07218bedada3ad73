import OrderedCollections
import APIMachinery
import Resources

/// Validation of the `apps/v1` kinds served today (`pkg/apis/apps/validation`).
extension BuiltinKinds {
    /// Deployment: replicas ≥ 0, a selector that selects the template, a valid template that
    /// restarts `Always`, a known strategy, and on update an unchanged selector.
    static func deploymentCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let spec = object.spec
        var causes = FieldRules.nonNegative("spec.replicas", spec?["replicas"])
        causes += selectorCauses(spec, field: "spec", kind: "deployment")
        causes += podTemplateCauses(spec?["template"], field: "spec.template")
        causes += restartAlwaysCauses(spec, field: "spec.template.spec")
        if let strategy = spec?["strategy"] {
            causes += deploymentStrategyCauses(strategy, field: "spec.strategy")
        }
        causes += FieldRules.nonNegative("spec.minReadySeconds", spec?["minReadySeconds"])
        causes += FieldRules.nonNegative("spec.revisionHistoryLimit", spec?["revisionHistoryLimit"])
        if let deadline = spec?["progressDeadlineSeconds"], let seconds = deadline.intValue {
            causes += FieldRules.nonNegative("spec.progressDeadlineSeconds", deadline)
            if seconds <= spec?["minReadySeconds"]?.intValue ?? 0 {
                causes.append(FieldErrors.invalid("spec.progressDeadlineSeconds", value: deadline,
                                                  "must be greater than minReadySeconds"))
            }
        }
        if let old {
            causes += FieldRules.immutable("spec.selector", new: spec?["selector"], old: old.spec?["selector"])
        }
        return causes
    }

    static func deploymentStrategyCauses(_ strategy: JSONValue, field: String) -> [APIError.Cause] {
        switch strategy["type"]?.stringValue ?? "" {
        case "Recreate":
            if let rolling = strategy["rollingUpdate"], !rolling.isNull {
                return [FieldErrors.forbidden("\(field).rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")]
            }
            return []
        case "RollingUpdate":
            guard let rolling = strategy["rollingUpdate"], !rolling.isNull else {
                return [FieldErrors.required("\(field).rollingUpdate", "this should be defaulted and never be nil")]
            }
            var causes: [APIError.Cause] = []
            let unavailable = rolling["maxUnavailable"] ?? 0
            let surge = rolling["maxSurge"] ?? 0
            causes += intOrPercentCauses(unavailable, field: "\(field).rollingUpdate.maxUnavailable")
            causes += intOrPercentCauses(surge, field: "\(field).rollingUpdate.maxSurge")
            if intOrPercentValue(unavailable) == 0, intOrPercentValue(surge) == 0 {
                causes.append(FieldErrors.invalid("\(field).rollingUpdate.maxUnavailable", value: unavailable,
                                                  "may not be 0 when `maxSurge` is 0"))
            }
            if unavailable.stringValue != nil, intOrPercentValue(unavailable) > 100 {
                causes.append(FieldErrors.invalid("\(field).rollingUpdate.maxUnavailable", value: unavailable,
                                                  "must not be greater than 100%"))
            }
            return causes
        default:
            return [FieldErrors.notSupported(field, value: strategy, supported: ["Recreate", "RollingUpdate"])]
        }
    }

    /// A non-negative integer, or a percentage such as `25%`.
    static func intOrPercentCauses(_ value: JSONValue, field: String) -> [APIError.Cause] {
        if let text = value.stringValue {
            let digits = text.dropLast()
            guard text.hasSuffix("%"), !digits.isEmpty, digits.allSatisfy(\.isNumber) else {
                return [FieldErrors.invalid(field, value: value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")]
            }
            return []
        }
        guard value.intValue != nil else {
            return [FieldErrors.invalid(field, value: value, "must be an integer or percentage (e.g '5%')")]
        }
        return FieldRules.nonNegative(field, value)
    }

    static func intOrPercentValue(_ value: JSONValue) -> Int64 {
        if let text = value.stringValue { return Int64(text.dropLast()) ?? 0 }
        return value.intValue ?? 0
    }

    static func restartAlwaysCauses(_ spec: JSONValue?, field: String) -> [APIError.Cause] {
        let policy = spec?["template"]?["spec"]?["restartPolicy"]
        var causes: [APIError.Cause] = []
        if let policy, let text = policy.stringValue, !text.isEmpty, text != "Always" {
            causes.append(FieldErrors.notSupported("\(field).restartPolicy", value: policy, supported: ["Always"]))
        }
        if let deadline = spec?["template"]?["spec"]?["activeDeadlineSeconds"], !deadline.isNull {
            causes.append(FieldErrors.forbidden("\(field).activeDeadlineSeconds", "activeDeadlineSeconds in ReplicaSet is not Supported"))
        }
        return causes
    }

    /// StatefulSet: like a Deployment's, plus its pod management and update strategy; on update
    /// only replicas, ordinals, template, updateStrategy, revisionHistoryLimit,
    /// persistentVolumeClaimRetentionPolicy and minReadySeconds may change.
    static func statefulSetCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let spec = object.spec
        var causes: [APIError.Cause] = []
        switch spec?["podManagementPolicy"]?.stringValue ?? "" {
        case "": causes.append(FieldErrors.required("spec.podManagementPolicy"))
        case "OrderedReady", "Parallel": break
        default:
            causes.append(FieldErrors.invalid("spec.podManagementPolicy", value: spec?["podManagementPolicy"] ?? .null,
                                              "must be 'OrderedReady' or 'Parallel'"))
        }
        let strategy = spec?["updateStrategy"] ?? .emptyObject
        switch strategy["type"]?.stringValue ?? "" {
        case "": causes.append(FieldErrors.required("spec.updateStrategy"))
        case "OnDelete":
            if let rolling = strategy["rollingUpdate"], !rolling.isNull {
                causes.append(FieldErrors.invalid("spec.updateStrategy.rollingUpdate", value: rolling,
                                                  "only allowed for updateStrategy 'RollingUpdate'"))
            }
        case "RollingUpdate":
            causes += FieldRules.nonNegative("spec.updateStrategy.rollingUpdate.partition",
                                             strategy["rollingUpdate"]?["partition"])
        default:
            causes.append(FieldErrors.invalid("spec.updateStrategy", value: strategy, "must be 'RollingUpdate' or 'OnDelete'"))
        }
        for key in ["whenDeleted", "whenScaled"] {
            causes += FieldRules.oneOf("spec.persistentVolumeClaimRetentionPolicy.\(key)",
                                       spec?["persistentVolumeClaimRetentionPolicy"]?[key], ["Retain", "Delete"])
        }
        causes += FieldRules.nonNegative("spec.replicas", spec?["replicas"])
        causes += FieldRules.nonNegative("spec.minReadySeconds", spec?["minReadySeconds"])
        if old == nil, let service = spec?["serviceName"]?.stringValue, !service.isEmpty {
            causes += FieldRules.dns1123Label("spec.serviceName", service)
        }
        causes += selectorCauses(spec, field: "spec", kind: "statefulset")
        // Claim templates become volumes of the pods: mounts may name them.
        var template = spec?["template"]
        let claims = (spec?["volumeClaimTemplates"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
        if !claims.isEmpty, var podSpec = template?["spec"]?.objectValue {
            var volumes = podSpec["volumes"]?.arrayValue ?? []
            let named = Set(volumes.compactMap { $0["name"]?.stringValue })
            for claim in claims where !named.contains(claim) {
                volumes.append(["name": .string(claim), "persistentVolumeClaim": ["claimName": .string(claim)]])
            }
            podSpec["volumes"] = .array(volumes)
            template?["spec"] = .object(podSpec)
        }
        causes += podTemplateCauses(template, field: "spec.template")
        causes += restartAlwaysCauses(spec, field: "spec.template.spec").map {
            $0.field.hasSuffix("activeDeadlineSeconds")
                ? FieldErrors.forbidden($0.field, "activeDeadlineSeconds in StatefulSet is not Supported") : $0
        }
        if let old, var frozen = spec?.objectValue, let oldSpec = old.spec?.objectValue {
            for key in ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                        "persistentVolumeClaimRetentionPolicy", "minReadySeconds"]
            {
                frozen[key] = oldSpec[key]
            }
            if JSONValue.object(frozen) != JSONValue.object(oldSpec) {
                causes.append(FieldErrors.forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
            }
        }
        return causes
    }

    /// ControllerRevision: data required on create and immutable, revision ≥ 0.
    static func controllerRevisionCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        var causes = FieldRules.nonNegative("revision", object.object["revision"])
        if let old {
            causes += FieldRules.immutable("data", new: object.object["data"], old: old.object["data"])
        } else if object.object["data"] == nil || object.object["data"]?.isNull == true {
            causes.append(FieldErrors.required("data", "data is mandatory"))
        } else if object.object["data"]?.objectValue == nil {
            causes.append(FieldErrors.required("data", "data must be a valid JSON object"))
        }
        return causes
    }
}
