import OrderedCollections
import APIMachinery
import Resources

/// Validation of Jobs and CronJobs (`pkg/apis/batch/validation`).
extension BuiltinKinds {
    /// Job: the generated selector and labels intact, a valid spec, a selector that selects the
    /// template; on update an unchanged selector, completions (unless indexed), template (unless
    /// the Job is suspended and never started: then its scheduling directives, labels and
    /// annotations may change), completion mode and failure policies.
    static func jobCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let spec = object.spec ?? .emptyObject
        var causes = generatedSelectorCauses(object)
        causes += jobSpecCauses(spec, field: "spec")
        let selector = spec["selector"].presentValue
        if let selector {
            causes += FieldRules.labelSelector("spec.selector", selector)
        } else {
            causes.append(FieldErrors.required("spec.selector"))
        }
        let labelsValue = spec["template"]?["metadata"]?["labels"]
        if let selector, let parsed = try? LabelSelector(json: selector), !parsed.matches(stringMap(labelsValue)) {
            causes.append(FieldErrors.invalid("spec.template.metadata.labels", value: labelsValue ?? .null,
                                              "`selector` does not match template `labels`"))
        }
        if let completions = spec["completions"], completions.intValue != nil,
            spec["completionMode"] == "Indexed", (completions.intValue ?? 0) > 0
        {
            let hostname = "\(object.name)-\((completions.intValue ?? 1) - 1)"
            if !NameRules.dns1123Label(hostname).isEmpty {
                causes.append(FieldErrors.invalid("metadata.name", value: .string(object.name),
                                                  "will not able to create pod with invalid DNS label: \(hostname)"))
            }
        }
        guard let old else { return causes }
        let oldSpec = old.spec ?? .emptyObject
        if spec["completionMode"] != "Indexed" {
            causes += FieldRules.immutable("spec.completions", new: spec["completions"], old: oldSpec["completions"])
        } else if spec["completions"] != oldSpec["completions"], let completions = spec["completions"],
            !completions.isNull, completions != spec["parallelism"]
        {
            causes.append(FieldErrors.invalid("spec.completions", value: completions,
                                              "can only be modified in tandem with spec.parallelism"))
        }
        causes += FieldRules.immutable("spec.selector", new: spec["selector"], old: oldSpec["selector"])
        var oldTemplate = oldSpec["template"] ?? .null
        let template = spec["template"] ?? .null
        let suspended = oldSpec["suspend"]?.boolValue == true
        if suspended, old.status?["startTime"] == nil || old.status?["startTime"]?.isNull == true {
            // Scheduling directives, labels and annotations of a Job never started may change.
            oldTemplate["metadata"]?["labels"] = template["metadata"]?["labels"]
            oldTemplate["metadata"]?["annotations"] = template["metadata"]?["annotations"]
            for key in ["nodeSelector", "tolerations", "schedulingGates", "affinity"] {
                oldTemplate["spec"]?[key] = template["spec"]?[key]
            }
        }
        if withoutNulls(template) != withoutNulls(oldTemplate) {
            causes.append(FieldErrors.invalid("spec.template", value: template, "field is immutable"))
        }
        for key in ["completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"] {
            causes += FieldRules.immutable("spec.\(key)", new: spec[key], old: oldSpec[key])
        }
        return causes
    }

    /// The labels kube's strategy put on the template of a Job whose selector it generated,
    /// still there and matching the Job's name and uid.
    static func generatedSelectorCauses(_ object: Resource) -> [APIError.Cause] {
        let spec = object.spec ?? .emptyObject
        guard spec["manualSelector"]?.boolValue != true, let selector = spec["selector"], !selector.isNull else {
            return []
        }
        let uid = object.uid ?? ""
        var causes: [APIError.Cause] = []
        if uid.isEmpty { causes.append(FieldErrors.required("metadata.uid")) }
        let labels = spec["template"]?["metadata"]?["labels"]?.objectValue ?? [:]
        for key in ["controller-uid", "job-name", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name"] {
            let expected = key.hasSuffix("uid") ? uid : object.name
            let field = "spec.template.metadata.labels[\(key)]"
            if let value = labels[key] {
                if value.stringValue != expected {
                    causes.append(FieldErrors.invalid(field, value: value, "must be '\(expected)'"))
                }
            } else {
                causes.append(FieldErrors.required(field, "must be '\(expected)'"))
            }
        }
        let expected: [String: String] = [
            "controller-uid": uid, "job-name": object.name,
            "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": object.name,
        ]
        if let parsed = try? LabelSelector(json: selector), !parsed.matches(expected) {
            causes.append(FieldErrors.invalid("spec.selector", value: selector, "`selector` not auto-generated"))
        }
        return causes
    }

    /// The rules of a `JobSpec` shared by Jobs and job templates.
    static func jobSpecCauses(_ spec: JSONValue, field: String) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for key in ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished",
                    "backoffLimitPerIndex", "maxFailedIndexes"]
        {
            causes += FieldRules.nonNegative("\(field).\(key)", spec[key])
        }
        let hasPerIndex = spec["backoffLimitPerIndex"].map { !$0.isNull } ?? false
        if let maxFailed = spec["maxFailedIndexes"], !maxFailed.isNull, !hasPerIndex {
            causes.append(FieldErrors.required("\(field).backoffLimitPerIndex", "when maxFailedIndexes is specified"))
        }
        let mode = spec["completionMode"]?.stringValue
        if let mode {
            if mode != "NonIndexed", mode != "Indexed" {
                causes.append(FieldErrors.notSupported("\(field).completionMode", value: .string(mode),
                                                       supported: ["NonIndexed", "Indexed"]))
            }
            if mode == "Indexed" {
                if spec["completions"] == nil || spec["completions"]?.isNull == true {
                    causes.append(FieldErrors.required("\(field).completions", "when completion mode is Indexed"))
                }
                if let parallelism = spec["parallelism"], (parallelism.intValue ?? 0) > 100_000 {
                    causes.append(FieldErrors.invalid("\(field).parallelism", value: parallelism,
                                                      "must be less than or equal to 100000 when completion mode is Indexed"))
                }
            }
        }
        if mode == nil || mode == "NonIndexed" {
            for key in ["backoffLimitPerIndex", "maxFailedIndexes"] {
                if let value = spec[key], !value.isNull {
                    causes.append(FieldErrors.invalid("\(field).\(key)", value: value, "requires indexed completion mode"))
                }
            }
        }
        if let success = spec["successPolicy"], !success.isNull, mode != "Indexed" {
            causes.append(FieldErrors.invalid("\(field).successPolicy", value: success, "requires indexed completion mode"))
        }
        let failurePolicy = spec["podFailurePolicy"].map { !$0.isNull } ?? false
        if let replacement = spec["podReplacementPolicy"]?.stringValue {
            if failurePolicy, replacement != "Failed" {
                causes.append(FieldErrors.notSupported("\(field).podReplacementPolicy", value: .string(replacement),
                                                       supported: ["Failed"]))
            } else if !["TerminatingOrFailed", "Failed"].contains(replacement) {
                causes.append(FieldErrors.notSupported("\(field).podReplacementPolicy", value: .string(replacement),
                                                       supported: ["TerminatingOrFailed", "Failed"]))
            }
        }
        causes += podTemplateCauses(spec["template"], field: "\(field).template")
        let restart = spec["template"]?["spec"]?["restartPolicy"]
        let restartPath = "\(field).template.spec.restartPolicy"
        switch restart?.stringValue ?? "" {
        case "", "Always":
            causes.append(FieldErrors.required(restartPath, #"valid values: "OnFailure", "Never""#))
        case "OnFailure" where failurePolicy:
            causes.append(FieldErrors.invalid(restartPath, value: restart ?? .null,
                                              #"only "Never" is supported when podFailurePolicy is specified"#))
        case "OnFailure", "Never": break
        default:
            causes.append(FieldErrors.notSupported(restartPath, value: restart ?? .null, supported: ["OnFailure", "Never"]))
        }
        return causes
    }

    /// CronJob: a schedule in cron syntax without `TZ=` (unless it had one already), a known time
    /// zone, a known concurrency policy, a job template that lets the Job's selector be
    /// generated, history limits ≥ 0, and a name of at most 52 characters.
    static func cronJobCauses(_ object: Resource, old: Resource?) -> [APIError.Cause] {
        let spec = object.spec ?? .emptyObject
        let oldSpec = old?.spec
        var causes: [APIError.Cause] = []
        let schedule = spec["schedule"]?.stringValue ?? ""
        if schedule.isEmpty {
            causes.append(FieldErrors.required("spec.schedule"))
        } else {
            let allowTZ = (oldSpec?["schedule"]?.stringValue ?? "").contains("TZ")
            do {
                _ = try CronSchedule(schedule)
            } catch {
                causes.append(FieldErrors.invalid("spec.schedule", value: .string(schedule), error.description))
            }
            let zone = spec["timeZone"].presentValue
            if allowTZ, schedule.contains("TZ"), zone != nil {
                causes.append(FieldErrors.invalid("spec.schedule", value: .string(schedule),
                                                  "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
            } else if !allowTZ, schedule.contains("TZ") {
                causes.append(FieldErrors.invalid("spec.schedule", value: .string(schedule),
                                                  "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
            }
        }
        causes += FieldRules.nonNegative("spec.startingDeadlineSeconds", spec["startingDeadlineSeconds"])
        if old == nil || spec["timeZone"] != oldSpec?["timeZone"] {
            causes += timeZoneCauses(spec["timeZone"], field: "spec.timeZone")
        }
        switch spec["concurrencyPolicy"]?.stringValue ?? "" {
        case "Allow", "Forbid", "Replace": break
        case "": causes.append(FieldErrors.required("spec.concurrencyPolicy"))
        case let other:
            causes.append(FieldErrors.notSupported("spec.concurrencyPolicy", value: .string(other),
                                                   supported: ["Allow", "Forbid", "Replace"]))
        }
        let jobSpec = spec["jobTemplate"]?["spec"] ?? .emptyObject
        causes += jobSpecCauses(jobSpec, field: "spec.jobTemplate.spec")
        if let selector = jobSpec["selector"], !selector.isNull {
            causes.append(FieldErrors.invalid("spec.jobTemplate.spec.selector", value: selector,
                                              "`selector` will be auto-generated"))
        }
        if jobSpec["manualSelector"]?.boolValue == true {
            causes.append(FieldErrors.notSupported("spec.jobTemplate.spec.manualSelector", value: true,
                                                   supported: ["nil", "false"]))
        }
        causes += FieldRules.nonNegative("spec.successfulJobsHistoryLimit", spec["successfulJobsHistoryLimit"])
        causes += FieldRules.nonNegative("spec.failedJobsHistoryLimit", spec["failedJobsHistoryLimit"])
        if old == nil, object.name.count > 52 {
            causes.append(FieldErrors.invalid("metadata.name", value: .string(object.name), "must be no more than 52 characters"))
        }
        return causes
    }

    /// A CronJob's `timeZone`: unset, or an IANA time zone named explicitly.
    static func timeZoneCauses(_ value: JSONValue?, field: String) -> [APIError.Cause] {
        guard let value, !value.isNull, let zone = value.stringValue else { return [] }
        if zone.isEmpty { return [FieldErrors.invalid(field, value: value, "timeZone must be nil or non-empty string")] }
        for part in zone.split(separator: "/", omittingEmptySubsequences: false) {
            let valid = (1...14).contains(part.count)
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-+".contains($0)) }
            if part == "." || part == ".." || part.hasPrefix("-") || !valid {
                return [FieldErrors.invalid(field, value: value, "unknown time zone \(zone)")]
            }
        }
        if zone.lowercased() == "local" {
            return [FieldErrors.invalid(field, value: value, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")]
        }
        return CronSchedule.isKnownTimeZone(zone) ? [] : [FieldErrors.invalid(field, value: value, "unknown time zone \(zone)")]
    }

    /// A JSON object of strings as a dictionary (labels).
    static func stringMap(_ value: JSONValue?) -> [String: String] {
        var map: [String: String] = [:]
        for (key, member) in value?.objectValue ?? [:] { map[key] = member.stringValue ?? "" }
        return map
    }
}
