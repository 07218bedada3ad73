import OrderedCollections
import Resources

extension BuiltinKinds {
    /// Defaults of each webhook of a Mutating- or ValidatingWebhookConfiguration
    /// (`admissionregistration/v1`): fail closed, equivalent matching, empty selectors (match
    /// everything), 10 s timeout, rules of every scope, service port 443, and for mutating
    /// webhooks no reinvocation.
    static func applyWebhookConfigurationDefaults(_ object: inout JSONObject, mutating: Bool) {
        object.editEachObject(in: "webhooks") { webhook in
            webhook.setDefault("failurePolicy", "Fail")
            webhook.setDefault("matchPolicy", "Equivalent")
            webhook.setDefault("namespaceSelector", .emptyObject)
            webhook.setDefault("objectSelector", .emptyObject)
            webhook.setDefault("timeoutSeconds", 10)
            if mutating { webhook.setDefault("reinvocationPolicy", "Never") }
            webhook.editEachObject(in: "rules") { $0.setDefault("scope", "*") }
            webhook.editObject("clientConfig") { config in
                config.editObject("service") { $0.setDefault("port", 443) }
            }
        }
    }
}
