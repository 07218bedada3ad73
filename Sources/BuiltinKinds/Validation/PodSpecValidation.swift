import OrderedCollections
import APIMachinery
import Foundation
public import Resources

/// Validation of a pod spec wherever one appears (a Pod; the template of a Deployment,
/// StatefulSet, ReplicaSet, Job, DaemonSet…), following `pkg/apis/core/validation`: containers
/// required, with unique RFC 1123 names and an image; ports, pull and restart policies, volumes
/// and their mounts.
extension BuiltinKinds {
    /// Causes for the pod template at `field` (`spec.template`): its labels and its spec.
    public static func podTemplateCauses(_ template: JSONValue?, field: String) -> [APIError.Cause] {
        guard let template, !template.isNull else { return [FieldErrors.required(field)] }
        var causes: [APIError.Cause] = []
        for (key, value) in template["metadata"]?["labels"]?.objectValue ?? [:] {
            for problem in NameRules.qualifiedName(key) {
                causes.append(FieldErrors.invalid("\(field).metadata.labels", value: .string(key), problem))
            }
            for problem in NameRules.labelValue(value.stringValue ?? "") {
                causes.append(FieldErrors.invalid("\(field).metadata.labels", value: value, problem))
            }
        }
        return causes + podSpecCauses(template["spec"] ?? .emptyObject, field: "\(field).spec")
    }

    /// Causes for the pod spec at `field`.
    public static func podSpecCauses(_ spec: JSONValue, field: String) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let volumes = spec["volumes"]?.arrayValue ?? []
        var volumeNames: Set<String> = []
        for (index, volume) in volumes.enumerated() {
            let path = "\(field).volumes[\(index)].name"
            let name = volume["name"]?.stringValue ?? ""
            if name.isEmpty {
                causes.append(FieldErrors.required(path))
            } else {
                causes += FieldRules.dns1123Label(path, name)
                if !volumeNames.insert(name).inserted { causes.append(FieldRules.duplicate(path, value: .string(name))) }
            }
        }
        var containerNames: Set<String> = []
        let initContainers = spec["initContainers"]?.arrayValue ?? []
        for (index, container) in initContainers.enumerated() {
            causes += containerCauses(container, field: "\(field).initContainers[\(index)]", names: &containerNames,
                                      volumes: volumeNames)
        }
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty {
            causes.append(FieldErrors.required("\(field).containers"))
        }
        for (index, container) in containers.enumerated() {
            causes += containerCauses(container, field: "\(field).containers[\(index)]", names: &containerNames,
                                      volumes: volumeNames)
        }
        causes += FieldRules.oneOf("\(field).restartPolicy", spec["restartPolicy"], ["Always", "OnFailure", "Never"])
        causes += FieldRules.oneOf("\(field).dnsPolicy", spec["dnsPolicy"],
                                   ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"])
        causes += FieldRules.nonNegative("\(field).terminationGracePeriodSeconds", spec["terminationGracePeriodSeconds"])
        if let deadline = spec["activeDeadlineSeconds"], let seconds = deadline.intValue, seconds <= 0 {
            causes.append(FieldErrors.invalid("\(field).activeDeadlineSeconds", value: deadline,
                                              "must be between 1 and 2147483647, inclusive"))
        }
        if let account = spec["serviceAccountName"]?.stringValue, !account.isEmpty {
            causes += FieldRules.dns1123Subdomain("\(field).serviceAccountName", account)
        }
        if let hostname = spec["hostname"]?.stringValue, !hostname.isEmpty {
            causes += FieldRules.dns1123Label("\(field).hostname", hostname)
        }
        return causes
    }

    /// Causes for one container; `names` collects the names seen so far across init and regular
    /// containers.
    static func containerCauses(_ container: JSONValue, field: String, names: inout Set<String>, volumes: Set<String>)
        -> [APIError.Cause]
    {
        var causes: [APIError.Cause] = []
        let name = container["name"]?.stringValue ?? ""
        if name.isEmpty {
            causes.append(FieldErrors.required("\(field).name"))
        } else {
            causes += FieldRules.dns1123Label("\(field).name", name)
            if !names.insert(name).inserted { causes.append(FieldRules.duplicate("\(field).name", value: .string(name))) }
        }
        if (container["image"]?.stringValue ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            causes.append(FieldErrors.required("\(field).image"))
        } else if let image = container["image"]?.stringValue, image != image.trimmingCharacters(in: .whitespaces) {
            causes.append(FieldErrors.invalid("\(field).image", value: .string(image),
                                              "must not have leading or trailing whitespace"))
        }
        var portNames: Set<String> = []
        for (index, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
            let path = "\(field).ports[\(index)]"
            if let portName = port["name"]?.stringValue, !portName.isEmpty {
                let problems = FieldRules.portNameProblems(portName)
                if !problems.isEmpty {
                    causes += problems.map { FieldErrors.invalid("\(path).name", value: .string(portName), $0) }
                } else if !portNames.insert(portName).inserted {
                    causes.append(FieldRules.duplicate("\(path).name", value: .string(portName)))
                }
            }
            let number = port["containerPort"] ?? 0
            if number == 0 {
                causes.append(FieldErrors.required("\(path).containerPort"))
            } else {
                causes += FieldRules.portNumber("\(path).containerPort", number)
            }
            if let host = port["hostPort"], host != 0 { causes += FieldRules.portNumber("\(path).hostPort", host) }
            causes += FieldRules.oneOf("\(path).protocol", port["protocol"], ["SCTP", "TCP", "UDP"])
        }
        for (index, mount) in (container["volumeMounts"]?.arrayValue ?? []).enumerated() {
            let path = "\(field).volumeMounts[\(index)]"
            let volume = mount["name"]?.stringValue ?? ""
            if volume.isEmpty {
                causes.append(FieldErrors.required("\(path).name"))
            } else if !volumes.contains(volume) {
                causes.append(FieldRules.notFound("\(path).name", value: .string(volume)))
            }
            if (mount["mountPath"]?.stringValue ?? "").isEmpty { causes.append(FieldErrors.required("\(path).mountPath")) }
        }
        for (index, variable) in (container["env"]?.arrayValue ?? []).enumerated()
        where (variable["name"]?.stringValue ?? "").isEmpty {
            causes.append(FieldErrors.required("\(field).env[\(index)].name"))
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            guard let value = container[probe], case .object = value else { continue }
            for key in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
                causes += FieldRules.nonNegative("\(field).\(probe).\(key)", value[key])
            }
            for handler in ["httpGet", "tcpSocket"] {
                if let port = value[handler]?["port"] {
                    causes += FieldRules.portNumberOrName("\(field).\(probe).\(handler).port", port)
                }
            }
        }
        causes += FieldRules.oneOf("\(field).imagePullPolicy", container["imagePullPolicy"],
                                   ["Always", "IfNotPresent", "Never"])
        causes += FieldRules.oneOf("\(field).terminationMessagePolicy", container["terminationMessagePolicy"],
                                   ["File", "FallbackToLogsOnError"])
        return causes
    }

    /// Causes when a controller's selector does not select its own pod template: required, not
    /// empty, well formed, and matching `template.metadata.labels`.
    static func selectorCauses(_ spec: JSONValue?, field: String, kind: String) -> [APIError.Cause] {
        guard let selector = spec?["selector"], !selector.isNull else {
            // No selector selects nothing, so kube also reports that it does not match the template.
            return [
                FieldErrors.required("\(field).selector"),
                FieldErrors.invalid("\(field).template.metadata.labels",
                                    value: spec?["template"]?["metadata"]?["labels"] ?? .null,
                                    "`selector` does not match template `labels`"),
            ]
        }
        var causes = FieldRules.labelSelector("\(field).selector", selector)
        let count = (selector["matchLabels"]?.objectValue?.count ?? 0) + (selector["matchExpressions"]?.arrayValue?.count ?? 0)
        if count == 0 {
            causes.append(FieldErrors.invalid("\(field).selector", value: selector, "empty selector is invalid for \(kind)"))
        }
        guard causes.isEmpty, let parsed = try? LabelSelector(json: selector) else { return causes }
        let labelsValue = spec?["template"]?["metadata"]?["labels"]
        var labels: [String: String] = [:]
        for (key, value) in labelsValue?.objectValue ?? [:] { labels[key] = value.stringValue ?? "" }
        if !parsed.isEmpty, !parsed.matches(labels) {
            causes.append(FieldErrors.invalid("\(field).template.metadata.labels", value: labelsValue ?? .null,
                                              "`selector` does not match template `labels`"))
        }
        return causes
    }
}
