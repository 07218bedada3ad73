import OrderedCollections
import APIMachinery
import Foundation
import Resources

/// Validation of Mutating- and ValidatingWebhookConfigurations (`admissionregistration/v1`):
/// fully qualified, unique webhook names; rules; exactly one of URL or service to call; side
/// effects, review versions, policies and timeout within what kube-apiserver accepts.
extension BuiltinKinds {
    static func webhookConfigurationCauses(_ object: Resource, mutating: Bool) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        var names: Set<String> = []
        for (index, webhook) in (object.object["webhooks"]?.arrayValue ?? []).enumerated() {
            let path = "webhooks[\(index)]"
            let name = webhook["name"]?.stringValue ?? ""
            causes += fullyQualifiedNameCauses("\(path).name", name)
            if !name.isEmpty, !names.insert(name).inserted {
                causes.append(FieldRules.duplicate("\(path).name", value: .string(name)))
            }
            for (ruleIndex, rule) in (webhook["rules"]?.arrayValue ?? []).enumerated() {
                causes += webhookRuleCauses(rule, field: "\(path).rules[\(ruleIndex)]")
            }
            causes += FieldRules.oneOf("\(path).failurePolicy", webhook["failurePolicy"], ["Fail", "Ignore"], required: false)
            causes += FieldRules.oneOf("\(path).matchPolicy", webhook["matchPolicy"], ["Equivalent", "Exact"], required: false)
            if let effects = webhook["sideEffects"], !effects.isNull {
                causes += FieldRules.oneOf("\(path).sideEffects", effects, ["None", "NoneOnDryRun"])
            } else {
                causes.append(FieldErrors.required("\(path).sideEffects", "must specify one of None, NoneOnDryRun"))
            }
            if let timeout = webhook["timeoutSeconds"], let seconds = timeout.intValue, !(1...30).contains(seconds) {
                causes.append(FieldErrors.invalid("\(path).timeoutSeconds", value: timeout,
                                                  "the timeout value must be between 1 and 30 seconds"))
            }
            for selector in ["namespaceSelector", "objectSelector"] {
                if let value = webhook[selector], !value.isNull { causes += FieldRules.labelSelector("\(path).\(selector)", value) }
            }
            causes += admissionReviewVersionCauses(webhook["admissionReviewVersions"], field: "\(path).admissionReviewVersions")
            if mutating {
                causes += FieldRules.oneOf("\(path).reinvocationPolicy", webhook["reinvocationPolicy"], ["IfNeeded", "Never"],
                                           required: false)
            }
            causes += clientConfigCauses(webhook["clientConfig"], field: "\(path).clientConfig")
        }
        return causes
    }

    /// A webhook name: an RFC 1123 subdomain of at least three segments.
    static func fullyQualifiedNameCauses(_ field: String, _ name: String) -> [APIError.Cause] {
        if name.isEmpty { return [FieldErrors.required(field)] }
        let problems = FieldRules.dns1123Subdomain(field, name)
        if !problems.isEmpty { return problems }
        if name.split(separator: ".").count < 3 {
            return [FieldErrors.invalid(field, value: .string(name), "should be a domain with at least three segments separated by dots")]
        }
        return []
    }

    static func webhookRuleCauses(_ rule: JSONValue, field: String) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let operations = (rule["operations"]?.arrayValue ?? []).compactMap(\.stringValue)
        if operations.isEmpty { causes.append(FieldErrors.required("\(field).operations")) }
        if operations.count > 1, operations.contains("*") {
            causes.append(FieldErrors.invalid("\(field).operations", value: rule["operations"] ?? .null,
                                              "if '*' is present, must not specify other operations"))
        }
        for (index, operation) in operations.enumerated()
        where !["*", "CONNECT", "CREATE", "DELETE", "UPDATE"].contains(operation) {
            causes.append(FieldErrors.notSupported("\(field).operations[\(index)]", value: .string(operation),
                                                   supported: ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"]))
        }
        for (key, what) in [("apiGroups", "API groups"), ("apiVersions", "API versions")] {
            let values = (rule[key]?.arrayValue ?? []).compactMap(\.stringValue)
            if values.isEmpty { causes.append(FieldErrors.required("\(field).\(key)")) }
            if values.count > 1, values.contains("*") {
                causes.append(FieldErrors.invalid("\(field).\(key)", value: rule[key] ?? .null,
                                                  "if '*' is present, must not specify other \(what)"))
            }
        }
        let resources = (rule["resources"]?.arrayValue ?? []).compactMap(\.stringValue)
        if resources.isEmpty { causes.append(FieldErrors.required("\(field).resources")) }
        for (index, resource) in resources.enumerated() where resource.isEmpty {
            causes.append(FieldErrors.required("\(field).resources[\(index)]"))
        }
        if let scope = rule["scope"], !scope.isNull {
            causes += FieldRules.oneOf("\(field).scope", scope, ["*", "Cluster", "Namespaced"])
        }
        return causes
    }

    static func admissionReviewVersionCauses(_ value: JSONValue?, field: String) -> [APIError.Cause] {
        let versions = (value?.arrayValue ?? []).compactMap(\.stringValue)
        if versions.isEmpty { return [FieldErrors.required(field, "must specify one of v1, v1beta1")] }
        var causes: [APIError.Cause] = []
        var seen: Set<String> = []
        for (index, version) in versions.enumerated() where !seen.insert(version).inserted {
            causes.append(FieldErrors.invalid("\(field)[\(index)]", value: .string(version), "duplicate version"))
        }
        if !versions.contains("v1"), !versions.contains("v1beta1") {
            causes.append(FieldErrors.invalid(field, value: value ?? .null, "must include at least one of v1, v1beta1"))
        }
        return causes
    }

    /// Exactly one of `url` (https, no fragment or query) and `service` (named, namespaced, port
    /// 1–65535, path starting with `/`).
    static func clientConfigCauses(_ config: JSONValue?, field: String) -> [APIError.Cause] {
        let url = config?["url"].flatMap { $0.isNull ? nil : $0.stringValue }
        let service = config?["service"].presentValue
        switch (url, service) {
        case (let url?, nil):
            guard let parsed = URLComponents(string: url), parsed.host != nil else {
                return [FieldErrors.invalid("\(field).url", value: .string(url), "host must be specified")]
            }
            var causes: [APIError.Cause] = []
            if parsed.scheme != "https" {
                causes.append(FieldErrors.invalid("\(field).url", value: .string(url), "'https' is the only allowed URL scheme"))
            }
            if parsed.fragment != nil {
                causes.append(FieldErrors.invalid("\(field).url", value: .string(url), "fragments are not permitted in the URL"))
            }
            if parsed.query != nil {
                causes.append(FieldErrors.invalid("\(field).url", value: .string(url), "query parameters are not permitted in the URL"))
            }
            return causes
        case (nil, let service?):
            var causes: [APIError.Cause] = []
            if (service["name"]?.stringValue ?? "").isEmpty {
                causes.append(FieldErrors.required("\(field).service.name", "service name is required"))
            }
            if (service["namespace"]?.stringValue ?? "").isEmpty {
                causes.append(FieldErrors.required("\(field).service.namespace", "service namespace is required"))
            }
            if let port = service["port"], !port.isNull { causes += FieldRules.portNumber("\(field).service.port", port) }
            if let path = service["path"]?.stringValue, !path.isEmpty, !path.hasPrefix("/") {
                causes.append(FieldErrors.invalid("\(field).service.path", value: .string(path), "must start with a '/'"))
            }
            return causes
        default:
            return [FieldErrors.required(field, "exactly one of url or service is required")]
        }
    }
}
