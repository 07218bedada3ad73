import OrderedCollections
import Resources

/// Who may impersonate whom, as kube-apiserver v1.36 decides it with constrained impersonation
/// (the `ConstrainedImpersonation` feature, beta and on by default since v1.36).
///
/// The modes are tried in kube's order; a mode whose filter does not fit the requested user is
/// skipped, the first that allows wins, and when none does the refusal is the first error met:
///
/// 1. `arbitrary-node`: a node user (`system:node:<name>`) and nothing else. Needs
///    `impersonate-on:arbitrary-node:<verb>` on the request itself, then
///    `impersonate:arbitrary-node` on `nodes.authentication.k8s.io/<name>`; the user gets the
///    group `system:nodes`.
/// 2. `serviceaccount`: a ServiceAccount user and nothing else. Needs
///    `impersonate-on:serviceaccount:<verb>` on the request, then `impersonate:serviceaccount` on
///    `serviceaccounts.authentication.k8s.io` in the account's namespace.
/// 3. `user-info`: any other user, with groups, uid and extras. Needs
///    `impersonate-on:user-info:<verb>` on the request, then `impersonate:user-info` on
///    `users`, `uids`, `groups` and `userextras/<key>` of `authentication.k8s.io`
///    (`system:masters` and the empty group never; four or more groups or extra values try `*` first).
/// 4. legacy: the classic `impersonate` verb on `users`, `groups`, `serviceaccounts` (core group),
///    `uids` and `userextras/<key>` (`authentication.k8s.io`), for any requested user.
///
/// kube also has `associated-node` (a ServiceAccount impersonating the node its pod runs on); the
/// plane's tokens are never bound to a node, so that mode never applies here.
///
/// ```swift
/// try ImpersonationModes.user(for: requested, by: requester, request: attributes) { check in
///     RBACAuthorizer.authorize(requester, check, policy: policy)
/// }
/// ```
enum ImpersonationModes {
    /// A constrained mode, named as in its verbs.
    enum Mode: String, CaseIterable {
        case arbitraryNode = "arbitrary-node"
        case serviceAccount = "serviceaccount"
        case userInfo = "user-info"
    }

    static let authenticationGroup = "authentication.k8s.io"
    static let nodePrefix = "system:node:"
    static let nodesGroup = "system:nodes"
    /// From this many groups (or extra values) on, a constrained mode first asks for `*`.
    static let manyChecks = 4

    /// The user `requester` acts as when it asks to impersonate `requested` (the headers as sent:
    /// groups as listed, no defaults) for `request`.
    ///
    /// - Parameter isAllowed: the authorizer's decision for one check (the requester's).
    /// - Throws: kube's 403 for the first refusal met.
    static func user(
        for requested: UserInfo, by requester: UserInfo, request: AuthorizationAttributes,
        isAllowed: (AuthorizationAttributes) -> RBACAuthorizer.Decision
    ) throws(APIError) -> UserInfo {
        var firstError: APIError?
        for mode in Mode.allCases where applies(mode, to: requested) {
            switch constrained(mode, requested, by: requester, request: request, isAllowed: isAllowed) {
            case .success(let user): return user
            case .failure(let error): firstError = firstError ?? error
            }
        }
        switch legacy(requested, by: requester, isAllowed: isAllowed) {
        case .success(let user): return user
        case .failure(let error): throw firstError ?? error
        }
    }

    /// Whether `mode` is one for `user` (kube's mode filters).
    static func applies(_ mode: Mode, to user: UserInfo) -> Bool {
        let onlyName = user.uid.isEmpty && user.groups.isEmpty && user.extra.isEmpty
        switch mode {
        case .arbitraryNode: return onlyName && nodeName(user.username) != nil
        case .serviceAccount: return onlyName && ServiceAccountName.split(user.username) != nil
        case .userInfo: return nodeName(user.username) == nil && ServiceAccountName.split(user.username) == nil
        }
    }

    /// The node of a node user name, when the rest is a valid node name (a DNS subdomain).
    static func nodeName(_ username: String) -> String? {
        guard username.hasPrefix(nodePrefix) else { return nil }
        let name = String(username.dropFirst(nodePrefix.count))
        return isDNSSubdomain(name) ? name : nil
    }

    static func isDNSSubdomain(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            func alphanumeric(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
            return alphanumeric(first) && alphanumeric(last) && label.allSatisfy { alphanumeric($0) || $0 == "-" }
        }
    }

    private static func constrained(
        _ mode: Mode, _ requested: UserInfo, by requester: UserInfo, request: AuthorizationAttributes,
        isAllowed: (AuthorizationAttributes) -> RBACAuthorizer.Decision
    ) -> Result<UserInfo, APIError> {
        var on = request
        on.verb = "impersonate-on:\(mode.rawValue):\(request.verb)"
        if let error = check(on, requester, isAllowed) { return .failure(error) }
        let verb = "impersonate:\(mode.rawValue)"
        var user = requested
        switch mode {
        case .arbitraryNode:
            let attributes = impersonation(verb, group: authenticationGroup, resource: "nodes", name: nodeName(requested.username) ?? "")
            if let error = check(attributes, requester, isAllowed) { return .failure(error) }
            user.groups = [nodesGroup]
        case .serviceAccount:
            let account = ServiceAccountName.split(requested.username)
            var attributes = impersonation(verb, group: authenticationGroup, resource: "serviceaccounts", name: account?.name ?? "")
            attributes.namespace = account?.namespace ?? ""
            if let error = check(attributes, requester, isAllowed) { return .failure(error) }
            user.groups = ServiceAccountName.groups(namespace: account?.namespace ?? "")
        case .userInfo:
            if let error = userInfoChecks(requested, verb: verb, requester: requester, isAllowed: isAllowed) {
                return .failure(error)
            }
        }
        return .success(completed(user))
    }

    /// The checks of the user-info mode: the name, the uid, the groups, the extras, in kube's order.
    private static func userInfoChecks(
        _ requested: UserInfo, verb: String, requester: UserInfo, isAllowed: (AuthorizationAttributes) -> RBACAuthorizer.Decision
    ) -> APIError? {
        if let error = check(impersonation(verb, group: authenticationGroup, resource: "users", name: requested.username), requester, isAllowed) {
            return error
        }
        if !requested.uid.isEmpty,
           let error = check(impersonation(verb, group: authenticationGroup, resource: "uids", name: requested.uid), requester, isAllowed) {
            return error
        }
        if !requested.groups.isEmpty {
            var groups = impersonation(verb, group: authenticationGroup, resource: "groups", name: "")
            if requested.groups.contains("") {
                return groups.forbidden(user: requester.username, reason: "impersonating the empty string group is not allowed")
            }
            if requested.groups.contains(UserInfo.Groups.masters) {
                groups.name = UserInfo.Groups.masters
                return groups.forbidden(user: requester.username, reason: "impersonating the system:masters group is not allowed")
            }
            var all = groups
            all.name = "*"
            if requested.groups.count < manyChecks || !isAllowed(all).allowed {
                for group in requested.groups {
                    groups.name = group
                    if let error = check(groups, requester, isAllowed) { return error }
                }
            }
        }
        if !requested.extra.isEmpty {
            var extras = impersonation(verb, group: authenticationGroup, resource: "userextras", name: "")
            if let problem = extraProblem(requested.extra) {
                return extras.forbidden(user: requester.username, reason: problem)
            }
            var all = extras
            all.subresource = "*"
            all.name = "*"
            let values = requested.extra.values.reduce(0) { $0 + $1.count }
            let large = requested.extra.count >= manyChecks || values >= manyChecks
            if !large || !isAllowed(all).allowed {
                for (key, values) in requested.extra {
                    extras.subresource = key
                    for value in values {
                        extras.name = value
                        if let error = check(extras, requester, isAllowed) { return error }
                    }
                }
            }
        }
        return nil
    }

    /// What the user-info mode refuses in extras, worded as kube words it.
    static func extraProblem(_ extra: OrderedDictionary<String, [String]>) -> String? {
        for (key, values) in extra {
            if key.isEmpty { return "impersonating the empty string key in extra is not allowed" }
            if !isDomainPrefixedPath(key) {
                return "impersonating an invalid key in extra is not allowed: extra.key: Invalid value: \(FieldErrorsQuote.quote(key)): must be a domain-prefixed path (such as \"acme.io/foo\")"
            }
            if key != key.lowercased() { return "impersonating a non-lowercase key in extra is not allowed: \(FieldErrorsQuote.quote(key))" }
            if values.isEmpty { return "impersonating empty values in extra is not allowed" }
            if values.contains("") { return "impersonating the empty string value in extra is not allowed" }
        }
        return nil
    }

    /// `domain/path`: a DNS subdomain, a slash and a non-empty path.
    static func isDomainPrefixedPath(_ key: String) -> Bool {
        guard let slash = key.firstIndex(of: "/") else { return false }
        let domain = String(key[..<slash]).lowercased()
        return isDNSSubdomain(domain) && key.index(after: slash) < key.endIndex
    }

    /// The classic mode: `impersonate` on the name (or ServiceAccount), the uid, each group, each extra value.
    private static func legacy(
        _ requested: UserInfo, by requester: UserInfo, isAllowed: (AuthorizationAttributes) -> RBACAuthorizer.Decision
    ) -> Result<UserInfo, APIError> {
        var user = requested
        var name = impersonation("impersonate", group: "", resource: "users", name: requested.username)
        if let account = ServiceAccountName.split(requested.username) {
            name.resource = "serviceaccounts"
            name.namespace = account.namespace
            name.name = account.name
            if requested.groups.isEmpty { user.groups = ServiceAccountName.groups(namespace: account.namespace) }
        }
        if let error = check(name, requester, isAllowed) { return .failure(error) }
        if !requested.uid.isEmpty,
           let error = check(impersonation("impersonate", group: authenticationGroup, resource: "uids", name: requested.uid), requester, isAllowed) {
            return .failure(error)
        }
        for group in requested.groups {
            if let error = check(impersonation("impersonate", group: "", resource: "groups", name: group), requester, isAllowed) {
                return .failure(error)
            }
        }
        for (key, values) in requested.extra {
            for value in values {
                var extra = impersonation("impersonate", group: authenticationGroup, resource: "userextras", name: value)
                extra.subresource = key
                if let error = check(extra, requester, isAllowed) { return .failure(error) }
            }
        }
        return .success(completed(user))
    }

    /// `system:unauthenticated` for the anonymous user, `system:authenticated` for everyone else
    /// not already unauthenticated, as kube completes an impersonated user.
    static func completed(_ user: UserInfo) -> UserInfo {
        var user = user
        if user.username == "system:anonymous" {
            if !user.groups.contains(UserInfo.Groups.unauthenticated) { user.groups.append(UserInfo.Groups.unauthenticated) }
        } else if !user.groups.contains(UserInfo.Groups.unauthenticated), !user.groups.contains(UserInfo.Groups.authenticated) {
            user.groups.append(UserInfo.Groups.authenticated)
        }
        return user
    }

    private static func impersonation(_ verb: String, group: String, resource: String, name: String) -> AuthorizationAttributes {
        AuthorizationAttributes(verb: verb, isResourceRequest: true, apiGroup: group, apiVersion: "v1", resource: resource, name: name)
    }

    /// kube's 403 for `attributes` when the authorizer does not allow them, with its reason.
    private static func check(
        _ attributes: AuthorizationAttributes, _ requester: UserInfo, _ isAllowed: (AuthorizationAttributes) -> RBACAuthorizer.Decision
    ) -> APIError? {
        let decision = isAllowed(attributes)
        return decision.allowed ? nil : attributes.forbidden(user: requester.username, reason: decision.reason)
    }
}
