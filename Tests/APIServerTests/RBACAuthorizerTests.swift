import APIServer
import Foundation
import Resources
import Testing

/// The RBAC authorizer, the request attributes it reads and the escalation check, as pure
/// functions (kube's rule matching in `plugin/pkg/auth/authorizer/rbac` and
/// `pkg/registry/rbac/validation`).
@Suite("RBAC authorizer")
struct RBACAuthorizerTests {
    static func object(_ json: String) throws -> Resource {
        guard case .object(let members) = try JSONValue(parsingJSON: json) else { throw CancellationError() }
        return Resource(object: members)
    }

    static let robot = UserInfo.serviceAccount(namespace: "web", name: "robot", uid: "u1")

    static func policy() throws -> RBACPolicy {
        RBACPolicy(
            roles: [try object(#"""
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"reader","namespace":"web"},
                 "rules":[{"apiGroups":[""],"resources":["pods","pods/log"],"verbs":["get","list"]},
                          {"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["front"],"verbs":["*"]},
                          {"apiGroups":["*"],"resources":["*/scale"],"verbs":["update"]}]}
                """#)],
            clusterRoles: [try object(#"""
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"urls"},
                 "rules":[{"nonResourceURLs":["/version","/apis/*"],"verbs":["get"]}]}
                """#)],
            roleBindings: [
                try object(#"""
                    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"read","namespace":"web"},
                     "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"reader"},
                     "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"jane"},{"kind":"ServiceAccount","name":"robot"}]}
                    """#),
                try object(#"""
                    {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"broken","namespace":"web"},
                     "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"missing"},
                     "subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"system:serviceaccounts"}]}
                    """#),
            ],
            clusterRoleBindings: [try object(#"""
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"urls"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"urls"},
                 "subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"system:authenticated"}]}
                """#)])
    }

    static func request(_ method: String, _ path: String, _ query: [String: String] = [:]) -> AuthorizationAttributes {
        AuthorizationAttributes(method: method, path: path, query: query)
    }

    @Test("request attributes are read from the path and query as kube-apiserver reads them", arguments: [
        ("GET", "/api/v1/namespaces/web/pods", [:], "list", "", "pods", "", "web", ""),
        ("GET", "/api/v1/namespaces/web/pods", ["watch": "true"], "watch", "", "pods", "", "web", ""),
        ("GET", "/api/v1/namespaces/web/pods", ["fieldSelector": "metadata.name=a"], "list", "", "pods", "", "web", "a"),
        ("GET", "/api/v1/namespaces/web/pods/a/log", [:], "get", "", "pods", "log", "web", "a"),
        ("DELETE", "/apis/apps/v1/namespaces/web/deployments", [:], "deletecollection", "apps", "deployments", "", "web", ""),
        ("PATCH", "/apis/apps/v1/namespaces/web/deployments/front/scale", [:], "patch", "apps", "deployments", "scale", "web", "front"),
        ("GET", "/api/v1/namespaces/web", [:], "get", "", "namespaces", "", "web", "web"),
        ("PUT", "/api/v1/namespaces/web/finalize", [:], "update", "", "namespaces", "finalize", "web", "web"),
        ("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", [:], "create", "rbac.authorization.k8s.io", "clusterroles", "", "", ""),
    ] as [(String, String, [String: String], String, String, String, String, String, String)])
    func attributes(_ method: String, _ path: String, _ query: [String: String], _ verb: String, _ group: String,
                    _ resource: String, _ subresource: String, _ namespace: String, _ name: String) {
        let attributes = Self.request(method, path, query)
        #expect(attributes.isResourceRequest)
        #expect(attributes.verb == verb)
        #expect(attributes.apiGroup == group)
        #expect(attributes.resource == resource)
        #expect(attributes.subresource == subresource)
        #expect(attributes.namespace == namespace)
        #expect(attributes.name == name)
    }

    @Test("discovery, /version and short API paths are non-resource requests")
    func nonResource() {
        for path in ["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/version", "/openapi/v3"] {
            let attributes = Self.request("GET", path)
            #expect(!attributes.isResourceRequest, "\(path)")
            #expect(attributes.verb == "get")
            #expect(attributes.path == path)
        }
    }

    @Test("rules match verbs, groups, resources, subresources, */subresource and resource names")
    func matching() throws {
        let policy = try Self.policy()
        func allowed(_ method: String, _ path: String, _ query: [String: String] = [:]) -> Bool {
            RBACAuthorizer.authorize(Self.robot, Self.request(method, path, query), policy: policy).allowed
        }
        #expect(allowed("GET", "/api/v1/namespaces/web/pods"))
        #expect(allowed("GET", "/api/v1/namespaces/web/pods/a"))
        #expect(allowed("GET", "/api/v1/namespaces/web/pods/a/log"))
        #expect(!allowed("GET", "/api/v1/namespaces/web/pods/a/status"))
        #expect(!allowed("GET", "/api/v1/namespaces/web/pods", ["watch": "1"]))
        #expect(!allowed("GET", "/api/v1/namespaces/other/pods"))
        #expect(!allowed("GET", "/api/v1/pods"))
        #expect(allowed("DELETE", "/apis/apps/v1/namespaces/web/deployments/front"))
        #expect(!allowed("DELETE", "/apis/apps/v1/namespaces/web/deployments/back"))
        #expect(!allowed("GET", "/apis/apps/v1/namespaces/web/deployments"))
        #expect(allowed("GET", "/apis/apps/v1/namespaces/web/deployments", ["fieldSelector": "metadata.name=front"]))
        #expect(allowed("PUT", "/apis/apps/v1/namespaces/web/statefulsets/db/scale"))
        #expect(allowed("GET", "/version"))
        #expect(allowed("GET", "/apis/apps/v1"))
        #expect(!allowed("GET", "/apis"))
        #expect(!allowed("POST", "/version"))
    }

    @Test("the reason names the binding that allows, or the roles that were not found")
    func reasons() throws {
        let policy = try Self.policy()
        let allowed = RBACAuthorizer.authorize(Self.robot, Self.request("GET", "/api/v1/namespaces/web/pods"), policy: policy)
        #expect(allowed.reason == #"RBAC: allowed by RoleBinding "read/web" of Role "reader" to ServiceAccount "robot/web""#)
        let url = RBACAuthorizer.authorize(Self.robot, Self.request("GET", "/version"), policy: policy)
        #expect(url.reason == #"RBAC: allowed by ClusterRoleBinding "urls" of ClusterRole "urls" to Group "system:authenticated""#)
        let denied = RBACAuthorizer.authorize(Self.robot, Self.request("GET", "/api/v1/namespaces/web/secrets"), policy: policy)
        #expect(!denied.allowed)
        #expect(denied.reason == #"RBAC: clusterrole.rbac.authorization.k8s.io "missing" not found"#)
        let jane = UserInfo(username: "jane", groups: ["system:authenticated"])
        let other = RBACAuthorizer.authorize(jane, Self.request("GET", "/api/v1/namespaces/web/secrets"), policy: policy)
        #expect(other == RBACAuthorizer.Decision(allowed: false, reason: ""))
        let account = UserInfo.serviceAccount(namespace: "other", name: "robot", uid: "u2")
        #expect(!RBACAuthorizer.authorize(account, Self.request("GET", "/api/v1/namespaces/web/pods"), policy: policy).allowed)
    }

    @Test("a forbidden request gets kube's 403 message and details")
    func forbidden() {
        let list = Self.request("GET", "/api/v1/namespaces/web/pods").forbidden(user: "system:serviceaccount:web:robot")
        #expect(list.code == 403)
        #expect(list.message == #"pods is forbidden: User "system:serviceaccount:web:robot" cannot list resource "pods" in API group "" in the namespace "web""#)
        #expect(list.status["details"] == ["kind": "pods"])
        let named = Self.request("GET", "/apis/apps/v1/deployments/a/scale").forbidden(user: "jane", reason: "RBAC: x")
        #expect(named.message == #"deployments.apps "a" is forbidden: User "jane" cannot get resource "deployments/scale" in API group "apps" at the cluster scope: RBAC: x"#)
        let path = Self.request("GET", "/foo").forbidden(user: "jane")
        #expect(path.message == #"forbidden: User "jane" cannot get path "/foo""#)
        #expect(path.status["details"] == [:])
    }

    @Test("escalation: rules not held are listed compactly, sorted, as kube lists them")
    func escalation() throws {
        let held: [JSONValue] = [
            ["apiGroups": [""], "resources": ["pods", "*/status"], "verbs": ["get", "list"]],
            ["nonResourceURLs": ["/apis/*"], "verbs": ["get"]],
        ]
        #expect(RBACEscalation.missingRules(held: held, requested: [
            ["apiGroups": [""], "resources": ["pods", "services/status"], "verbs": ["get"]],
            ["nonResourceURLs": ["/apis/apps"], "verbs": ["get"]],
        ]).isEmpty)
        #expect(RBACEscalation.missingRules(held: held, requested: [
            ["apiGroups": ["", "apps"], "resources": ["pods"], "verbs": ["get", "delete"]],
            ["apiGroups": [""], "resources": ["pods"], "resourceNames": ["a"], "verbs": ["list"]],
            ["nonResourceURLs": ["/version"], "verbs": ["get"]],
        ]) == [
            #"{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}"#,
            #"{APIGroups:["apps"], Resources:["pods"], Verbs:["get" "delete"]}"#,
            #"{NonResourceURLs:["/version"], Verbs:["get"]}"#,
        ])
        // A rule limited to names does not cover the whole resource.
        let named: [JSONValue] = [["apiGroups": [""], "resources": ["pods"], "resourceNames": ["a"], "verbs": ["get"]]]
        #expect(RBACEscalation.missingRules(held: named, requested: [
            ["apiGroups": [""], "resources": ["pods"], "verbs": ["get"]],
        ]) == [#"{APIGroups:[""], Resources:["pods"], Verbs:["get"]}"#])
    }
}
