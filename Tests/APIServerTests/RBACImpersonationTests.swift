@testable import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// Impersonation authorised as kube-apiserver v1.36 does it with constrained impersonation on
/// (its default): the `arbitrary-node`, `serviceaccount` and `user-info` modes
/// (`impersonate-on:<mode>:<verb>` on the request, then `impersonate:<mode>` on the user), then
/// the classic `impersonate` verb. Every expected message is what the reference kit (RBAC mode)
/// answered to the same kubectl command.
@Suite("Impersonation under RBAC", .enabled(if: Kubectl.isInstalled))
struct RBACImpersonationTests {
    /// Replaces the ClusterRole `impersonator` (bound to `team/robot`) with `rules`.
    static func grant(_ plane: EmbeddedPlane, _ rules: String) async throws {
        _ = try await plane.kubectl(["delete", "clusterrole", "impersonator", "--ignore-not-found"])
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: impersonator}
            rules:
            \(rules)
            """)
    }

    static func plane() async throws -> (EmbeddedPlane, String) {
        let (plane, token) = try await RBACTests.plane()
        try await plane.kubectlOK(["create", "clusterrolebinding", "impersonator", "--clusterrole=impersonator", "--serviceaccount=team:robot"])
        return (plane, token)
    }

    static let robot = #"User "system:serviceaccount:team:robot""#

    @Test("without grants, each kind of user is refused by its constrained mode, and a ServiceAccount with groups by the classic verb")
    func refusals() async throws {
        let (plane, token) = try await Self.plane()
        try await Self.grant(plane, "- {apiGroups: [''], resources: [configmaps], verbs: [get]}")
        func stderr(_ arguments: String...) async throws -> String {
            try await plane.kubectl(["--token", token, "-n", "team"] + arguments).stderr
        }
        #expect(try await stderr("get", "pods", "--as=system:serviceaccount:team:other") == """
            Error from server (Forbidden): pods is forbidden: \(Self.robot) cannot impersonate-on:serviceaccount:list resource "pods" in API group "" in the namespace "team"\n
            """)
        #expect(try await stderr("get", "pods", "--as=jane") == """
            Error from server (Forbidden): pods is forbidden: \(Self.robot) cannot impersonate-on:user-info:list resource "pods" in API group "" in the namespace "team"\n
            """)
        #expect(try await stderr("get", "pods", "--as=system:node:n1") == """
            Error from server (Forbidden): pods is forbidden: \(Self.robot) cannot impersonate-on:arbitrary-node:list resource "pods" in API group "" in the namespace "team"\n
            """)
        #expect(try await stderr("get", "pods", "--as=system:serviceaccount:team:other", "--as-group=devs") == """
            Error from server (Forbidden): serviceaccounts "other" is forbidden: \(Self.robot) cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team"\n
            """)
        let canI = try await plane.kubectl(["--token", token, "-n", "team", "auth", "can-i", "list", "pods", "--as=system:serviceaccount:team:other"])
        #expect(canI.stderr == """
            Error from server (Forbidden): selfsubjectaccessreviews.authorization.k8s.io is forbidden: \(Self.robot) cannot impersonate-on:serviceaccount:create resource "selfsubjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope\n
            """)
        await plane.stop()
    }

    @Test("constrained grants: impersonate-on alone is not enough; with impersonate:serviceaccount the request runs as the account")
    func constrainedServiceAccount() async throws {
        let (plane, token) = try await Self.plane()
        try await Self.grant(plane, "- {apiGroups: [''], resources: [pods], verbs: ['impersonate-on:serviceaccount:list', 'impersonate-on:user-info:list', 'impersonate-on:arbitrary-node:list']}")
        func stderr(_ arguments: String...) async throws -> String {
            try await plane.kubectl(["--token", token, "-n", "team"] + arguments).stderr
        }
        #expect(try await stderr("get", "pods", "--as=system:serviceaccount:team:other") == """
            Error from server (Forbidden): serviceaccounts.authentication.k8s.io "other" is forbidden: \(Self.robot) cannot impersonate:serviceaccount resource "serviceaccounts" in API group "authentication.k8s.io" in the namespace "team"\n
            """)
        #expect(try await stderr("get", "pods", "--as=jane") == """
            Error from server (Forbidden): users.authentication.k8s.io "jane" is forbidden: \(Self.robot) cannot impersonate:user-info resource "users" in API group "authentication.k8s.io" at the cluster scope\n
            """)
        #expect(try await stderr("get", "pods", "--as=system:node:n1") == """
            Error from server (Forbidden): nodes.authentication.k8s.io "n1" is forbidden: \(Self.robot) cannot impersonate:arbitrary-node resource "nodes" in API group "authentication.k8s.io" at the cluster scope\n
            """)

        try await Self.grant(plane, """
            - {apiGroups: [authentication.k8s.io], resources: [serviceaccounts], verbs: ['impersonate:serviceaccount']}
            - {apiGroups: [''], resources: [pods], verbs: ['impersonate-on:serviceaccount:list']}
            """)
        #expect(try await stderr("get", "pods", "--as=system:serviceaccount:team:other") == """
            Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team:other" cannot list resource "pods" in API group "" in the namespace "team"\n
            """)
        #expect(try await stderr("get", "configmaps", "--as=system:serviceaccount:team:other") == """
            Error from server (Forbidden): configmaps is forbidden: \(Self.robot) cannot impersonate-on:serviceaccount:list resource "configmaps" in API group "" in the namespace "team"\n
            """)
        await plane.stop()
    }

    @Test("user-info refuses system:masters and the empty group; the classic verb keeps kube's groups; the admin impersonating a node gets system:nodes")
    func userInfoAndLegacy() async throws {
        let (plane, token) = try await Self.plane()
        try await Self.grant(plane, """
            - {apiGroups: [authentication.k8s.io], resources: [users, groups, uids, userextras/*], verbs: ['impersonate:user-info']}
            - {apiGroups: [''], resources: [pods], verbs: ['impersonate-on:user-info:list']}
            """)
        func stderr(_ arguments: String...) async throws -> String {
            try await plane.kubectl(["--token", token, "-n", "team"] + arguments).stderr
        }
        #expect(try await stderr("get", "pods", "--as=jane", "--as-group=devs", "--as-uid=u1") == """
            Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "team"\n
            """)
        #expect(try await stderr("get", "pods", "--as=jane", "--as-group=system:masters") == """
            Error from server (Forbidden): groups.authentication.k8s.io "system:masters" is forbidden: \(Self.robot) cannot impersonate:user-info resource "groups" in API group "authentication.k8s.io" at the cluster scope: impersonating the system:masters group is not allowed\n
            """)
        #expect(try await stderr("get", "pods", "--as=jane", "--as-group=") == """
            Error from server (Forbidden): groups.authentication.k8s.io is forbidden: \(Self.robot) cannot impersonate:user-info resource "groups" in API group "authentication.k8s.io" at the cluster scope: impersonating the empty string group is not allowed\n
            """)

        try await Self.grant(plane, "- {apiGroups: [''], resources: [users, groups], verbs: [impersonate]}")
        #expect(try await plane.kubectlOK(["--token", token, "auth", "whoami", "--as=jane", "--as-group=devs"])
            .contains("Groups      [devs system:authenticated]"))
        #expect(try await plane.kubectlOK(["--token", token, "auth", "whoami", "--as=system:node:n1"])
            .contains("Groups      [system:authenticated]"))
        #expect(try await plane.kubectlOK(["auth", "whoami", "--as=system:node:n1"])
            .contains("Groups      [system:nodes system:authenticated]"))
        await plane.stop()
    }

    @Test("impersonation headers without a user are kube's 400, quoting the requested user as Go prints it")
    func withoutUser() throws {
        #expect(throws: APIError.badRequest(#"requested &user.DefaultInfo{Name:"", UID:"", Groups:[]string{"dev", "ops"}, Extra:map[string][]string(nil)} without impersonating a user name"#)) {
            try Impersonation.requested(from: [("Impersonate-Group", "dev"), ("Impersonate-Group", "ops")])
        }
        #expect(throws: APIError.badRequest(#"requested &user.DefaultInfo{Name:"", UID:"u", Groups:[]string(nil), Extra:map[string][]string{"foo":[]string{"x"}}} without impersonating a user name"#)) {
            try Impersonation.requested(from: [("Impersonate-Uid", "u"), ("Impersonate-Extra-Foo", "x")])
        }
    }
}
