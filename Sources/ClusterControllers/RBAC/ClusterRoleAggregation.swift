public import Resources
import OrderedCollections

/// What kube-controller-manager's clusterrole-aggregation controller computes, as pure
/// functions: a ClusterRole with an `aggregationRule` holds the union of the rules of the
/// ClusterRoles its `clusterRoleSelectors` match.
///
/// The order is kube's, so that a role reads the same on the plane as on a cluster: selector by
/// selector, the matching roles by name (the aggregated role itself left out), each rule in its
/// role's order, a rule already taken not repeated.
///
/// ```swift
/// ClusterRoleAggregation.rules(for: view, among: allClusterRoles)
/// // the rules of every ClusterRole labelled rbac.authorization.k8s.io/aggregate-to-view: "true"
/// ```
public enum ClusterRoleAggregation {
    /// The five lists of a PolicyRule, in the order kube's apply configuration writes them.
    static let ruleFields = ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"]

    /// Whether `role` aggregates others (it has an `aggregationRule`).
    public static func aggregates(_ role: Resource) -> Bool {
        guard let rule = role.object["aggregationRule"] else { return false }
        return !rule.isNull
    }

    /// The rules `role` should hold, or `nil` when it has no `aggregationRule`.
    ///
    /// - Throws: ``LabelSelectorError`` when a selector is malformed (the API server refuses
    ///   such a role, so only a role stored by other means can have one).
    public static func rules(for role: Resource, among roles: [Resource]) throws(LabelSelectorError) -> [JSONValue]? {
        guard aggregates(role) else { return nil }
        let selectors = role.object["aggregationRule"]?["clusterRoleSelectors"]?.arrayValue ?? []
        let sorted = roles.sorted { $0.name < $1.name }
        var rules: [JSONValue] = []
        var taken: [[String: [String]]] = []
        for selectorValue in selectors {
            // `{}` (and a null entry, decoded as one) selects every ClusterRole, as in kube.
            let selector = try LabelSelector(json: selectorValue)
            for other in sorted where other.name != role.name {
                guard selector.matches(Dictionary(uniqueKeysWithValues: other.labels.map { ($0.key, $0.value) })) else {
                    continue
                }
                for rule in other.object["rules"]?.arrayValue ?? [] {
                    let key = normalized(rule)
                    guard !taken.contains(key) else { continue }
                    taken.append(key)
                    rules.append(written(rule))
                }
            }
        }
        return rules
    }

    /// Whether two rule lists are the same to kube (a missing, null or empty list alike).
    public static func sameRules(_ lhs: [JSONValue], _ rhs: [JSONValue]) -> Bool {
        lhs.map(normalized) == rhs.map(normalized)
    }

    /// The server-side apply body the controller sends for `role`: its name and `rules`, nothing
    /// else. No rules at all leaves `rules` out, as kube's apply configuration does (the
    /// controller then gives up its fields; rules another manager wrote stay).
    public static func applyConfiguration(name: String, rules: [JSONValue]) -> Resource {
        var role = Resource(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: name)
        if !rules.isEmpty { role.object["rules"] = .array(rules) }
        return role
    }

    /// A rule's five lists, empty when missing.
    static func normalized(_ rule: JSONValue) -> [String: [String]] {
        var lists: [String: [String]] = [:]
        for field in ruleFields {
            lists[field] = rule[field]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return lists
    }

    /// A rule as kube's controller copies it: the five lists, empty ones left out.
    static func written(_ rule: JSONValue) -> JSONValue {
        var object = JSONObject()
        for field in ruleFields {
            guard let values = rule[field]?.arrayValue, !values.isEmpty else { continue }
            object[field] = .array(values)
        }
        return .object(object)
    }
}
