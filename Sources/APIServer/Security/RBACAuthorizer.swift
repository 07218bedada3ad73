import OrderedCollections
import Foundation
import Resources

/// The RBAC objects an authorization decision reads: Roles and ClusterRoles by name, and every
/// RoleBinding and ClusterRoleBinding.
public struct RBACPolicy: Sendable {
    /// Roles by namespace, then name.
    public var roles: [String: [String: Resource]]
    public var clusterRoles: [String: Resource]
    public var roleBindings: [Resource]
    public var clusterRoleBindings: [Resource]

    public init(roles: [Resource] = [], clusterRoles: [Resource] = [], roleBindings: [Resource] = [],
                clusterRoleBindings: [Resource] = []) {
        var byNamespace: [String: [String: Resource]] = [:]
        for role in roles { byNamespace[role.namespace ?? "", default: [:]][role.name] = role }
        self.roles = byNamespace
        self.clusterRoles = Dictionary(clusterRoles.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.roleBindings = roleBindings
        self.clusterRoleBindings = clusterRoleBindings
    }
}

/// kube-apiserver's RBAC authorizer as pure functions over an ``RBACPolicy``: a request is
/// allowed when a rule of a role bound to the user (ClusterRoleBindings first, then the
/// RoleBindings of the request's namespace) matches its verb, API group, resource (`*`,
/// `resource/subresource`, `*/subresource`), resource name, or non-resource URL (`*` suffix).
///
/// ```swift
/// let decision = RBACAuthorizer.authorize(user, attributes, policy: policy)
/// decision.allowed   // true
/// decision.reason    // RBAC: allowed by RoleBinding "read/web" of Role "reader" to ServiceAccount "ci/web"
/// ```
public enum RBACAuthorizer {
    /// Whether a request is allowed, and why (which binding allowed it, or the bindings whose
    /// role could not be found).
    public struct Decision: Sendable, Hashable {
        public var allowed: Bool
        public var reason: String

        public init(allowed: Bool, reason: String) {
            self.allowed = allowed
            self.reason = reason
        }
    }

    /// The decision for `user` doing `attributes`.
    public static func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes, policy: RBACPolicy) -> Decision {
        var errors: [String] = []
        var allowedBy: String?
        visitRules(for: user, namespace: attributes.namespace, policy: policy) { source, rule in
            if ruleAllows(rule, attributes) {
                allowedBy = source
                return false
            }
            return true
        } onError: { errors.append($0) }
        if let allowedBy { return Decision(allowed: true, reason: "RBAC: allowed by \(allowedBy)") }
        return Decision(allowed: false, reason: errors.isEmpty ? "" : "RBAC: \(aggregate(errors))")
    }

    /// Every rule that applies to `user` in `namespace` (cluster-wide ones only when it is empty),
    /// in the order kube lists them, and the errors met (a binding to a role that does not exist).
    public static func rules(for user: UserInfo, namespace: String, policy: RBACPolicy)
        -> (rules: [JSONValue], errors: [String])
    {
        var rules: [JSONValue] = []
        var errors: [String] = []
        visitRules(for: user, namespace: namespace, policy: policy) { _, rule in
            rules.append(rule)
            return true
        } onError: { errors.append($0) }
        return (rules, errors)
    }

    /// kube's aggregate of several errors: one alone, or `[a, b]`.
    static func aggregate(_ errors: [String]) -> String {
        errors.count == 1 ? errors[0] : "[\(errors.joined(separator: ", "))]"
    }

    /// Calls `visit` with each rule bound to `user` and a description of the binding it comes
    /// from, until `visit` returns false.
    static func visitRules(
        for user: UserInfo, namespace: String, policy: RBACPolicy,
        _ visit: (_ source: String, _ rule: JSONValue) -> Bool, onError: (String) -> Void
    ) {
        for binding in policy.clusterRoleBindings {
            guard let subject = firstSubject(of: binding, appliesTo: user, namespace: "") else { continue }
            let roleRef = binding.object["roleRef"]
            let rules: [JSONValue]
            switch referencedRules(roleRef, namespace: "", policy: policy) {
            case .success(let found): rules = found
            case .failure(let error): onError(error.description); continue
            }
            let source = "ClusterRoleBinding \(quoted(binding.name)) of \(roleRef?["kind"]?.stringValue ?? "") \(quoted(roleRef?["name"]?.stringValue ?? "")) to \(describe(subject, bindingNamespace: ""))"
            for rule in rules where !visit(source, rule) { return }
        }
        guard !namespace.isEmpty else { return }
        for binding in policy.roleBindings where binding.namespace == namespace {
            guard let subject = firstSubject(of: binding, appliesTo: user, namespace: namespace) else { continue }
            let roleRef = binding.object["roleRef"]
            let rules: [JSONValue]
            switch referencedRules(roleRef, namespace: namespace, policy: policy) {
            case .success(let found): rules = found
            case .failure(let error): onError(error.description); continue
            }
            let source = "RoleBinding \(quoted("\(binding.name)/\(namespace)")) of \(roleRef?["kind"]?.stringValue ?? "") \(quoted(roleRef?["name"]?.stringValue ?? "")) to \(describe(subject, bindingNamespace: namespace))"
            for rule in rules where !visit(source, rule) { return }
        }
    }

    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    /// The rules of the Role or ClusterRole a binding refers to.
    static func referencedRules(_ roleRef: JSONValue?, namespace: String, policy: RBACPolicy) -> Result<[JSONValue], NotFound> {
        let name = roleRef?["name"]?.stringValue ?? ""
        switch roleRef?["kind"]?.stringValue ?? "" {
        case "Role":
            guard let role = policy.roles[namespace]?[name] else {
                return .failure(NotFound(description: "role.rbac.authorization.k8s.io \(quoted(name)) not found"))
            }
            return .success(role.object["rules"]?.arrayValue ?? [])
        case "ClusterRole":
            guard let role = policy.clusterRoles[name] else {
                return .failure(NotFound(description: "clusterrole.rbac.authorization.k8s.io \(quoted(name)) not found"))
            }
            return .success(role.object["rules"]?.arrayValue ?? [])
        case let kind:
            return .failure(NotFound(description: "unsupported role reference kind: \(quoted(kind))"))
        }
    }

    /// The first subject of `binding` that is `user`: the user by name, one of its groups, or the
    /// ServiceAccount it is (a subject without namespace is in the binding's).
    static func firstSubject(of binding: Resource, appliesTo user: UserInfo, namespace: String) -> JSONValue? {
        (binding.object["subjects"]?.arrayValue ?? []).first { subject in
            let name = subject["name"]?.stringValue ?? ""
            switch subject["kind"]?.stringValue ?? "" {
            case "User": return user.username == name
            case "Group": return user.groups.contains(name)
            case "ServiceAccount":
                let accountNamespace = (subject["namespace"]?.stringValue).flatMap { $0.isEmpty ? nil : $0 } ?? namespace
                guard !accountNamespace.isEmpty else { return false }
                return user.username == ServiceAccountName.username(namespace: accountNamespace, name: name)
            default: return false
            }
        }
    }

    /// `ServiceAccount "name/namespace"`, `User "jane"`, as kube describes a subject.
    static func describe(_ subject: JSONValue, bindingNamespace: String) -> String {
        let kind = subject["kind"]?.stringValue ?? ""
        let name = subject["name"]?.stringValue ?? ""
        guard kind == "ServiceAccount" else { return "\(kind) \(quoted(name))" }
        let namespace = (subject["namespace"]?.stringValue).flatMap { $0.isEmpty ? nil : $0 } ?? bindingNamespace
        return "\(kind) \(quoted("\(name)/\(namespace)"))"
    }

    /// Whether one policy rule allows the request.
    public static func ruleAllows(_ rule: JSONValue, _ attributes: AuthorizationAttributes) -> Bool {
        func values(_ key: String) -> [String] { rule[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        let verbs = values("verbs")
        guard verbs.contains("*") || verbs.contains(attributes.verb) else { return false }
        guard attributes.isResourceRequest else {
            return values("nonResourceURLs").contains { url in
                url == "*" || url == attributes.path
                    || (url.hasSuffix("*") && attributes.path.hasPrefix(String(url.dropLast())))
            }
        }
        let groups = values("apiGroups")
        guard groups.contains("*") || groups.contains(attributes.apiGroup) else { return false }
        let subresource = attributes.subresource
        let combined = subresource.isEmpty ? attributes.resource : "\(attributes.resource)/\(subresource)"
        let resourceMatches = values("resources").contains { resource in
            resource == "*" || resource == combined || (!subresource.isEmpty && resource == "*/\(subresource)")
        }
        guard resourceMatches else { return false }
        let names = values("resourceNames")
        return names.isEmpty || names.contains(attributes.name)
    }

    static func quoted(_ text: String) -> String { FieldErrorsQuote.quote(text) }
}
