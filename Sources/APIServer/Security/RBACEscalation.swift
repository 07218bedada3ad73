import OrderedCollections
import Resources

/// RBAC's escalation check as pure functions: which of the permissions a Role (or the role a
/// binding names) grants are not covered by the rules its author holds. Each requested rule is
/// broken down into single verb × group × resource (× name) or verb × URL permissions, each
/// checked against the held rules, and the uncovered ones described as kube describes them
/// (`{APIGroups:["apps"], Resources:["deployments"], Verbs:["delete" "get"]}`), sorted.
public enum RBACEscalation {
    /// One policy rule as lists.
    struct Rule: Hashable {
        var apiGroups: [String] = []
        var resources: [String] = []
        var resourceNames: [String] = []
        var nonResourceURLs: [String] = []
        var verbs: [String] = []

        init(apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [],
             nonResourceURLs: [String] = [], verbs: [String] = []) {
            self.apiGroups = apiGroups
            self.resources = resources
            self.resourceNames = resourceNames
            self.nonResourceURLs = nonResourceURLs
            self.verbs = verbs
        }

        init(_ value: JSONValue) {
            func strings(_ key: String) -> [String] { value[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            self.init(
                apiGroups: strings("apiGroups"), resources: strings("resources"), resourceNames: strings("resourceNames"),
                nonResourceURLs: strings("nonResourceURLs"), verbs: strings("verbs"))
        }

        /// kube's `CompactString`.
        var compactString: String {
            func list(_ values: [String]) -> String { "[" + values.map(RBACAuthorizer.quoted).joined(separator: " ") + "]" }
            var parts: [String] = []
            if !apiGroups.isEmpty { parts.append("APIGroups:\(list(apiGroups))") }
            if !resources.isEmpty { parts.append("Resources:\(list(resources))") }
            if !nonResourceURLs.isEmpty { parts.append("NonResourceURLs:\(list(nonResourceURLs))") }
            if !resourceNames.isEmpty { parts.append("ResourceNames:\(list(resourceNames))") }
            if !verbs.isEmpty { parts.append("Verbs:\(list(verbs))") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }

    /// The descriptions of the permissions in `requested` that `held` does not cover; empty when
    /// all are covered.
    public static func missingRules(held: [JSONValue], requested: [JSONValue]) -> [String] {
        let owner = held.map(Rule.init)
        let uncovered = requested.map(Rule.init).flatMap(breakdown).filter { permission in
            !owner.contains { covers($0, permission) }
        }
        return Array(Set(compact(uncovered).map(\.compactString))).sorted()
    }

    /// A rule as single permissions.
    static func breakdown(_ rule: Rule) -> [Rule] {
        var permissions: [Rule] = []
        for group in rule.apiGroups {
            for resource in rule.resources {
                for verb in rule.verbs {
                    if rule.resourceNames.isEmpty {
                        permissions.append(Rule(apiGroups: [group], resources: [resource], verbs: [verb]))
                    } else {
                        for name in rule.resourceNames {
                            permissions.append(Rule(apiGroups: [group], resources: [resource], resourceNames: [name], verbs: [verb]))
                        }
                    }
                }
            }
        }
        for url in rule.nonResourceURLs {
            for verb in rule.verbs { permissions.append(Rule(nonResourceURLs: [url], verbs: [verb])) }
        }
        return permissions
    }

    /// Whether `owner` grants everything `requested` does.
    static func covers(_ owner: Rule, _ requested: Rule) -> Bool {
        func hasAll(_ set: [String], _ wanted: [String]) -> Bool { wanted.allSatisfy(set.contains) }
        let verbs = owner.verbs.contains("*") || hasAll(owner.verbs, requested.verbs)
        let groups = owner.apiGroups.contains("*") || hasAll(owner.apiGroups, requested.apiGroups)
        let resources = owner.resources.contains("*") || requested.resources.allSatisfy { resource in
            if owner.resources.contains(resource) { return true }
            guard let slash = resource.firstIndex(of: "/") else { return false }
            return owner.resources.contains("*" + resource[slash...])
        }
        let urls = requested.nonResourceURLs.allSatisfy { url in
            owner.nonResourceURLs.contains { held in
                held == url || (held.hasSuffix("*") && url.hasPrefix(String(held.dropLast())))
            }
        }
        let names = owner.resourceNames.isEmpty || (!requested.resourceNames.isEmpty && hasAll(owner.resourceNames, requested.resourceNames))
        return verbs && groups && resources && urls && names
    }

    /// kube's `CompactRules`: permissions on the same group, resource (and name) share one rule.
    static func compact(_ rules: [Rule]) -> [Rule] {
        var merged: [Rule] = []
        var index: [Rule: Int] = [:]
        for rule in rules {
            guard rule.nonResourceURLs.isEmpty, rule.apiGroups.count == 1, rule.resources.count == 1,
                rule.resourceNames.count <= 1
            else {
                merged.append(rule)
                continue
            }
            var key = rule
            key.verbs = []
            if let position = index[key] {
                merged[position].verbs += rule.verbs
            } else {
                index[key] = merged.count
                merged.append(rule)
            }
        }
        return merged
    }
}
