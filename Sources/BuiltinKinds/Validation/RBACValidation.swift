import OrderedCollections
import APIMachinery
import Resources

/// Validation of the `rbac.authorization.k8s.io/v1` kinds (`pkg/apis/rbac/validation`): every
/// rule names verbs, and either resources in API groups or (cluster-wide only) non-resource URLs;
/// a binding refers to a Role or ClusterRole of the RBAC group by a valid name, names its
/// subjects by a supported kind, and keeps its `roleRef` once created.
extension BuiltinKinds {
    /// The group of the RBAC kinds.
    static let rbacGroup = "rbac.authorization.k8s.io"

    /// Role and ClusterRole: their `rules`, and a ClusterRole's `aggregationRule`.
    static func roleCauses(_ object: Resource, namespaced: Bool) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for (index, rule) in (object.object["rules"]?.arrayValue ?? []).enumerated() {
            causes += policyRuleCauses(rule, namespaced: namespaced, path: "rules[\(index)]")
        }
        if !namespaced, let aggregation = object.object["aggregationRule"], !aggregation.isNull {
            let selectors = aggregation["clusterRoleSelectors"]?.arrayValue ?? []
            if selectors.isEmpty {
                causes.append(FieldErrors.required(
                    "aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"))
            }
            for (index, selector) in selectors.enumerated() {
                causes += FieldRules.labelSelector("aggregationRule.clusterRoleSelectors[\(index)]", selector)
            }
        }
        return causes
    }

    /// One rule of a Role or ClusterRole at `path`.
    static func policyRuleCauses(_ rule: JSONValue, namespaced: Bool, path: String) -> [APIError.Cause] {
        func strings(_ key: String) -> [String] { rule[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var causes: [APIError.Cause] = []
        if strings("verbs").isEmpty {
            causes.append(FieldErrors.required("\(path).verbs", "verbs must contain at least one value"))
        }
        let urls = strings("nonResourceURLs")
        if !urls.isEmpty {
            if namespaced {
                causes.append(goInvalid("\(path).nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs"))
            }
            if !strings("apiGroups").isEmpty || !strings("resources").isEmpty || !strings("resourceNames").isEmpty {
                causes.append(goInvalid(
                    "\(path).nonResourceURLs", urls, "rules cannot apply to both regular resources and non-resource URLs"))
            }
            return causes
        }
        if rule["apiGroups"]?.arrayValue?.isEmpty ?? true {
            causes.append(FieldErrors.required("\(path).apiGroups", "resource rules must supply at least one api group"))
        }
        if strings("resources").isEmpty {
            causes.append(FieldErrors.required("\(path).resources", "resource rules must supply at least one resource"))
        }
        return causes
    }

    /// RoleBinding and ClusterRoleBinding: `roleRef` (unchanged on update) and `subjects`.
    static func roleBindingCauses(_ object: Resource, old: Resource?, namespaced: Bool) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let roleRef = object.object["roleRef"] ?? [:]
        let group = roleRef["apiGroup"]?.stringValue ?? ""
        if group != rbacGroup {
            causes.append(FieldErrors.notSupported("roleRef.apiGroup", value: .string(group), supported: [rbacGroup]))
        }
        let kind = roleRef["kind"]?.stringValue ?? ""
        let kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]
        if !kinds.contains(kind) {
            causes.append(FieldErrors.notSupported("roleRef.kind", value: .string(kind), supported: kinds))
        }
        let name = roleRef["name"]?.stringValue ?? ""
        if name.isEmpty {
            causes.append(FieldErrors.required("roleRef.name"))
        } else {
            causes += pathSegmentNameProblems(name).map { FieldErrors.invalid("roleRef.name", value: .string(name), $0) }
        }
        for (index, subject) in (object.object["subjects"]?.arrayValue ?? []).enumerated() {
            causes += subjectCauses(subject, namespaced: namespaced, path: "subjects[\(index)]")
        }
        if let old {
            let before = old.object["roleRef"] ?? [:]
            if ["apiGroup", "kind", "name"].contains(where: { before[$0]?.stringValue ?? "" != roleRef[$0]?.stringValue ?? "" }) {
                // kube quotes the new roleRef with its Go field names.
                let quoted: JSONValue = ["APIGroup": .string(group), "Kind": .string(kind), "Name": .string(name)]
                causes.append(FieldErrors.invalid("roleRef", value: quoted, "cannot change roleRef"))
            }
        }
        return causes
    }

    /// One subject of a binding at `path`.
    static func subjectCauses(_ subject: JSONValue, namespaced: Bool, path: String) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let name = subject["name"]?.stringValue ?? ""
        let group = subject["apiGroup"]?.stringValue ?? ""
        if name.isEmpty { causes.append(FieldErrors.required("\(path).name")) }
        switch subject["kind"]?.stringValue ?? "" {
        case "ServiceAccount":
            if !name.isEmpty { causes += FieldRules.dns1123Subdomain("\(path).name", name) }
            if !group.isEmpty {
                causes.append(FieldErrors.notSupported("\(path).apiGroup", value: .string(group), supported: [""]))
            }
            if !namespaced, (subject["namespace"]?.stringValue ?? "").isEmpty {
                causes.append(FieldErrors.required("\(path).namespace"))
            }
        case "User", "Group":
            if group != rbacGroup {
                causes.append(FieldErrors.notSupported("\(path).apiGroup", value: .string(group), supported: [rbacGroup]))
            }
        case let kind:
            causes.append(FieldErrors.notSupported(
                "\(path).kind", value: .string(kind), supported: ["ServiceAccount", "User", "Group"]))
        }
        return causes
    }

    /// What is wrong with the name of an RBAC object (it is a path segment: not `.` or `..`, no
    /// `/` or `%`), worded as apimachinery's `IsPathSegmentName`.
    public static func pathSegmentNameProblems(_ name: String) -> [String] {
        if name == "." || name == ".." { return ["may not be '\(name)'"] }
        var problems: [String] = []
        for illegal in ["/", "%"] where name.contains(illegal) {
            problems.append("may not contain '\(illegal)'")
        }
        return problems
    }

    /// `Invalid value: ["…"]: detail`, a list of strings as kube quotes it.
    private static func goInvalid(_ field: String, _ values: [String], _ detail: String) -> APIError.Cause {
        FieldErrors.invalid(field, value: .array(values.map(JSONValue.string)), detail)
    }
}
