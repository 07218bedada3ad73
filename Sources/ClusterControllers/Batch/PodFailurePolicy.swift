import OrderedCollections
import Resources

/// A Job's `spec.podFailurePolicy`: which failed Pods fail the whole Job, which do not count
/// against `backoffLimit`, and which count as usual.
enum PodFailurePolicy {
    /// What the rules say about one failed Pod.
    struct Verdict: Equatable {
        /// The message of the Job's failure when a `FailJob` rule matched.
        var failJobMessage: String?
        /// Whether the failure counts towards `backoffLimit` (`Ignore` rules say no).
        var counts: Bool
    }

    /// The first rule of `policy` matching `pod` decides; no match, or no policy, counts the
    /// failure as usual.
    static func verdict(of policy: JSONValue?, for pod: Resource) -> Verdict {
        guard let rules = policy?["rules"]?.arrayValue else { return Verdict(counts: true) }
        for (index, rule) in rules.enumerated() {
            let action = rule["action"]?.stringValue ?? ""
            var failJobMessage: String?
            if let exitCodes = rule["onExitCodes"].presentValue {
                guard let (container, code) = matchingContainer(exitCodes, in: pod) else { continue }
                failJobMessage = "Container \(container) for pod \(pod.namespace ?? "")/\(pod.name) failed with exit code \(code) matching \(action) rule at index \(index)"
            } else if let patterns = rule["onPodConditions"]?.arrayValue {
                guard let condition = matchingCondition(patterns, in: pod) else { continue }
                failJobMessage = "Pod \(pod.namespace ?? "")/\(pod.name) has condition \(condition) matching \(action) rule at index \(index)"
            } else {
                continue
            }
            switch action {
            case "Ignore": return Verdict(counts: false)
            case "Count", "FailIndex": return Verdict(counts: true)
            case "FailJob": return Verdict(failJobMessage: failJobMessage, counts: true)
            default: continue
            }
        }
        return Verdict(counts: true)
    }

    /// The first terminated container (then init container) with a non-zero exit code the
    /// requirement matches: its name and code.
    private static func matchingContainer(_ requirement: JSONValue, in pod: Resource) -> (String, Int64)? {
        let wanted = requirement["containerName"]?.stringValue
        let values = requirement["values"]?.arrayValue?.compactMap(\.intValue) ?? []
        let operation = requirement["operator"]?.stringValue
        for field in ["containerStatuses", "initContainerStatuses"] {
            for status in pod.status?[field]?.arrayValue ?? [] {
                guard let code = status["state"]?["terminated"]?["exitCode"]?.intValue, code != 0,
                    let name = status["name"]?.stringValue, wanted == nil || wanted == name
                else { continue }
                let matches = switch operation {
                case "In": values.contains(code)
                case "NotIn": !values.contains(code)
                default: false
                }
                if matches { return (name, code) }
            }
        }
        return nil
    }

    /// The type of the first Pod condition one of `patterns` matches (type and status).
    private static func matchingCondition(_ patterns: [JSONValue], in pod: Resource) -> String? {
        for condition in pod.status?["conditions"]?.arrayValue ?? [] {
            for pattern in patterns
            where pattern["type"] == condition["type"] && (pattern["status"]?.stringValue ?? "True") == condition["status"]?.stringValue {
                return condition["type"]?.stringValue
            }
        }
        return nil
    }
}
