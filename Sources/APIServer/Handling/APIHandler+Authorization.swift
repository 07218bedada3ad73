import OrderedCollections
import APIMachinery
import Foundation
import Resources
import Store

/// Authorization of every request, as kube-apiserver with `--authorization-mode=RBAC` does it:
/// the admin (`system:masters`) may do everything; any other user (a ServiceAccount token, or a
/// user the admin impersonates) may do what the RBAC objects grant, and gets kube's 403 otherwise.
/// Impersonating someone needs the `impersonate` verb; creating a Role or a binding needs the
/// permissions it grants (or `escalate` / `bind`).
extension APIHandler {
    /// The RBAC objects in the store.
    func rbacPolicy() async throws -> RBACPolicy {
        func all(_ served: ServedResource) async throws -> [Resource] {
            try await store.list(served.type, namespace: nil, options: ListOptions()).items
        }
        return RBACPolicy(
            roles: try await all(BuiltinTypes.roles), clusterRoles: try await all(BuiltinTypes.clusterRoles),
            roleBindings: try await all(BuiltinTypes.roleBindings),
            clusterRoleBindings: try await all(BuiltinTypes.clusterRoleBindings))
    }

    /// Whether `user` may do `attributes`: always for `system:masters`, else as RBAC decides.
    func authorize(_ user: UserInfo, _ attributes: AuthorizationAttributes) async throws -> RBACAuthorizer.Decision {
        if user.isMaster { return RBACAuthorizer.Decision(allowed: true, reason: "") }
        return RBACAuthorizer.authorize(user, attributes, policy: try await rbacPolicy())
    }

    /// Throws kube's 403 when the user of `request` may not do it.
    func authorizeRequest(_ request: APIRequest) async throws {
        guard !request.user.isMaster else { return }
        let attributes = AuthorizationAttributes(method: request.method, path: request.path, query: request.query)
        let decision = try await authorize(request.user, attributes)
        guard decision.allowed else { throw attributes.forbidden(user: request.user.username, reason: decision.reason) }
    }

    /// The user a request with these headers acts as: who its bearer token authenticates, or the
    /// user its impersonation headers name when the requester may impersonate them, as
    /// kube-apiserver v1.36 decides it (``ImpersonationModes``: the constrained modes
    /// `arbitrary-node`, `serviceaccount` and `user-info`, then the classic `impersonate` verb).
    ///
    /// - Throws: ``APIError`` 401 without valid credentials, 400 for impersonation headers without
    ///   a user, 403 when impersonation is not allowed (the first refusal kube meets).
    public func requestUser(headers: [(name: String, value: String)], request: AuthorizationAttributes) async throws
        -> UserInfo
    {
        let authorization = headers.first { $0.name.lowercased() == "authorization" }?.value
        guard let requester = await authenticator.user(authorization: authorization) else {
            throw Authenticator.unauthorized
        }
        guard let requested = try Impersonation.requested(from: headers) else { return requester }
        let policy = requester.isMaster ? RBACPolicy() : try await rbacPolicy()
        return try ImpersonationModes.user(for: requested, by: requester, request: request) { check in
            requester.isMaster
                ? RBACAuthorizer.Decision(allowed: true, reason: "")
                : RBACAuthorizer.authorize(requester, check, policy: policy)
        }
    }

    /// Refuses a Role or ClusterRole that grants more than its author holds (unless they may
    /// `escalate` it), and a binding to a role that does (unless they may `bind` it), with kube's
    /// 403; a binding to a role that does not exist is kube's 404 for the role.
    func confirmNoRBACEscalation(_ object: Resource, type: ResourceType, user: UserInfo) async throws {
        guard type.group == BuiltinTypes.rbacGroup, !user.isMaster else { return }
        let namespace = object.namespace ?? ""
        let policy = try await rbacPolicy()
        let rules: [JSONValue]
        switch type.kind {
        case "Role", "ClusterRole":
            let escalate = AuthorizationAttributes(
                verb: "escalate", isResourceRequest: true, apiGroup: type.group, apiVersion: "*",
                resource: type.resource, namespace: namespace, name: object.name)
            if RBACAuthorizer.authorize(user, escalate, policy: policy).allowed { return }
            rules = object.object["rules"]?.arrayValue ?? []
        case "RoleBinding", "ClusterRoleBinding":
            let roleRef = object.object["roleRef"]
            let kind = roleRef?["kind"]?.stringValue ?? ""
            let bind = AuthorizationAttributes(
                verb: "bind", isResourceRequest: true, apiGroup: roleRef?["apiGroup"]?.stringValue ?? "",
                apiVersion: "*", resource: kind == "Role" ? "roles" : "clusterroles", namespace: namespace,
                name: roleRef?["name"]?.stringValue ?? "")
            if RBACAuthorizer.authorize(user, bind, policy: policy).allowed { return }
            switch RBACAuthorizer.referencedRules(roleRef, namespace: namespace, policy: policy) {
            case .success(let found): rules = found
            case .failure:
                // kube names the binding's resource with the role's name here.
                let name = roleRef?["name"]?.stringValue ?? ""
                throw APIError(
                    code: 404, reason: .notFound,
                    message: "\(type.resource).\(type.group) \(RBACAuthorizer.quoted(name)) not found", kind: type.resource,
                    name: name, group: type.group)
            }
        default:
            return
        }
        let (held, errors) = RBACAuthorizer.rules(for: user, namespace: namespace, policy: policy)
        let missing = RBACEscalation.missingRules(held: held, requested: rules)
        guard !missing.isEmpty else { return }
        var message = "user \(RBACAuthorizer.quoted(user.username)) (groups=[\(user.groups.map(RBACAuthorizer.quoted).joined(separator: " "))]) is attempting to grant RBAC permissions not currently held:\n"
            + missing.joined(separator: "\n")
        if !errors.isEmpty {
            // The registry's resolver names a missing role by the resource being written.
            let renamed = errors.map { error -> String in
                guard error.hasSuffix(" not found"), let space = error.firstIndex(of: " ") else { return error }
                return "\(type.resource).\(type.group)" + error[space...]
            }
            message += "; resolution errors: [\(renamed.joined(separator: " "))]"
        }
        let qualified = "\(type.resource).\(type.group)"
        var error = APIError(
            code: 403, reason: .forbidden, message: "\(qualified) \(RBACAuthorizer.quoted(object.name)) is forbidden: \(message)",
            kind: type.resource, name: object.name, group: type.group)
        error.keepsEmptyDetails = true
        throw error
    }
}
