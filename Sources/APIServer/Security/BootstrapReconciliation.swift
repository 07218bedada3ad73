import OrderedCollections
import Resources

/// What kube-apiserver's RBAC post-start hook does to a bootstrap role or binding that exists
/// already, as a pure function of the stored object and the bootstrap one:
///
/// - one annotated `rbac.authorization.kubernetes.io/autoupdate: "false"` is left alone;
/// - otherwise missing labels and annotations are added back (the stored values win), and
/// - for a Role or ClusterRole, each permission of the bootstrap rules the stored rules do not
///   cover is appended as a rule of its own (one verb, group, resource — and name — or URL), and
///   missing `aggregationRule` selectors are appended; an aggregating ClusterRole is expected to
///   hold no rules of its own (the aggregation controller fills them), as in kube;
/// - for a binding, missing subjects are appended; one whose `roleRef` differs is recreated.
///
/// Nothing is removed: a user's extra rules and subjects stay, as kube's union reconciliation keeps them.
///
/// ```swift
/// switch BootstrapReconciliation.reconcile(existing: stored, expected: bootstrap) {
/// case .unchanged, .protected: break
/// case .update(let object): …   // PUT it
/// case .recreate(let object): … // DELETE, then POST it
/// }
/// ```
enum BootstrapReconciliation {
    static let autoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate"

    enum Outcome: Equatable {
        /// Nothing to change.
        case unchanged
        /// Annotated `autoupdate: "false"`: left as it is.
        case protected
        /// The stored object with what was missing added.
        case update(Resource)
        /// The bootstrap object, to store in place of the stored one (its roleRef differs).
        case recreate(Resource)
    }

    static func reconcile(existing: Resource, expected: Resource) -> Outcome {
        if existing.annotations[autoUpdateAnnotation] == "false" { return .protected }
        switch expected.kind {
        case "Role", "ClusterRole": return reconcileRole(existing: existing, expected: expected)
        default: return reconcileBinding(existing: existing, expected: expected)
        }
    }

    static func reconcileRole(existing: Resource, expected: Resource) -> Outcome {
        var result = existing
        mergeMetadata(into: &result, from: expected)
        let expectedAggregation = presence(expected.object["aggregationRule"])
        let existingAggregation = presence(existing.object["aggregationRule"])
        // kube's bootstrap aggregating roles carry no rules; the plane's carry the aggregated ones
        // so that they are right before the aggregation controller runs. Reconcile as kube does.
        let expectedRules = expectedAggregation == nil ? expected.object["rules"]?.arrayValue ?? [] : []
        let held = (existing.object["rules"]?.arrayValue ?? []).map(RBACEscalation.Rule.init)
        let missing = expectedRules.map(RBACEscalation.Rule.init).flatMap(RBACEscalation.breakdown).filter { permission in
            !held.contains { RBACEscalation.covers($0, permission) }
        }
        if !missing.isEmpty {
            result.object["rules"] = .array((existing.object["rules"]?.arrayValue ?? []) + missing.map(json))
        }
        switch (expectedAggregation, existingAggregation) {
        case (nil, .some):
            result.object.removeValue(forKey: "aggregationRule")
        case (.some(let wanted), let stored):
            let storedSelectors = stored?["clusterRoleSelectors"]?.arrayValue ?? []
            let missingSelectors = (wanted["clusterRoleSelectors"]?.arrayValue ?? []).filter { selector in
                !storedSelectors.contains { normalizedSelector($0) == normalizedSelector(selector) }
            }
            if !missingSelectors.isEmpty {
                var rule = stored ?? .object([:])
                rule["clusterRoleSelectors"] = .array(storedSelectors + missingSelectors)
                result.object["aggregationRule"] = rule
            }
        case (nil, nil):
            break
        }
        return result == existing ? .unchanged : .update(result)
    }

    static func reconcileBinding(existing: Resource, expected: Resource) -> Outcome {
        if normalizedRoleRef(existing.object["roleRef"]) != normalizedRoleRef(expected.object["roleRef"]) {
            return .recreate(expected)
        }
        var result = existing
        mergeMetadata(into: &result, from: expected)
        let stored = existing.object["subjects"]?.arrayValue ?? []
        let missing = (expected.object["subjects"]?.arrayValue ?? []).filter { subject in
            !stored.contains { normalizedSubject($0) == normalizedSubject(subject) }
        }
        if !missing.isEmpty { result.object["subjects"] = .array(stored + missing) }
        return result == existing ? .unchanged : .update(result)
    }

    /// Adds the bootstrap labels and annotations the stored object lacks; its own values win.
    static func mergeMetadata(into object: inout Resource, from expected: Resource) {
        var labels = object.labels
        for (key, value) in expected.labels where labels[key] == nil { labels[key] = value }
        if labels != object.labels { object.labels = labels }
        var annotations = object.annotations
        for (key, value) in expected.annotations where annotations[key] == nil { annotations[key] = value }
        if annotations != object.annotations { object.annotations = annotations }
    }

    /// One broken-down permission as a rule, fields in the order kube writes them.
    static func json(_ rule: RBACEscalation.Rule) -> JSONValue {
        var object = JSONObject()
        func put(_ key: String, _ values: [String]) {
            if !values.isEmpty { object[key] = .array(values.map(JSONValue.string)) }
        }
        put("verbs", rule.verbs)
        put("apiGroups", rule.apiGroups)
        put("resources", rule.resources)
        put("resourceNames", rule.resourceNames)
        put("nonResourceURLs", rule.nonResourceURLs)
        return .object(object)
    }

    private static func presence(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }

    /// A label selector compared as kube's semantic equality does (absent and empty alike, labels in any order).
    static func normalizedSelector(_ selector: JSONValue) -> Selector {
        let labels = (selector["matchLabels"]?.objectValue ?? [:]).compactMap { key, value in
            value.stringValue.map { (key, $0) }
        }
        return Selector(
            matchLabels: Dictionary(labels, uniquingKeysWith: { first, _ in first }),
            matchExpressions: selector["matchExpressions"]?.arrayValue ?? [])
    }

    struct Selector: Equatable {
        var matchLabels: [String: String]
        var matchExpressions: [JSONValue]
    }

    static func normalizedSubject(_ subject: JSONValue) -> [String] {
        ["kind", "apiGroup", "name", "namespace"].map { subject[$0]?.stringValue ?? "" }
    }

    static func normalizedRoleRef(_ roleRef: JSONValue?) -> [String] {
        ["apiGroup", "kind", "name"].map { roleRef?[$0]?.stringValue ?? "" }
    }
}
