import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// `rbac.authorization.k8s.io/v1` end to end with kubectl: the four kinds stored, validated and
/// printed as kube-apiserver does, the bootstrap ClusterRoles, and requests of ServiceAccount
/// tokens authorised by RBAC (403s worded as kube's, `auth can-i --as`, `--list`, escalation).
@Suite("RBAC with kubectl", .enabled(if: Kubectl.isInstalled))
struct RBACTests {
    /// A plane with the namespace `team`, the ServiceAccount `team/robot` and a token for it.
    static func plane() async throws -> (EmbeddedPlane, String) {
        let plane = try await EmbeddedPlane.start(oam: false)
        try await plane.kubectlOK(["create", "namespace", "team"])
        try await plane.kubectlOK(["-n", "team", "create", "serviceaccount", "robot"])
        let token = try await plane.kubectlOK(["-n", "team", "create", "token", "robot"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (plane, token)
    }

    static let robot = "system:serviceaccount:team:robot"

    @Test("kubectl create role, clusterrole, rolebinding and clusterrolebinding store what kube stores and print kube's columns")
    func createAndPrint() async throws {
        let (plane, _) = try await Self.plane()
        #expect(try await plane.kubectlOK([
            "-n", "team", "create", "role", "reader", "--verb=get,list", "--resource=pods,deployments.apps",
            "--resource-name=web",
        ]) == "role.rbac.authorization.k8s.io/reader created\n")
        try await plane.kubectlOK(["create", "clusterrole", "urls", "--verb=get", "--non-resource-url=/logs/*"])
        try await plane.kubectlOK([
            "-n", "team", "create", "rolebinding", "read", "--role=reader", "--serviceaccount=team:robot", "--user=jane",
            "--group=devs",
        ])
        try await plane.kubectlOK(["create", "clusterrolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=team:robot"])

        let role = try JSONValue(parsingJSON: try await plane.kubectlOK(["-n", "team", "get", "role", "reader", "-o", "json"]))
        #expect(role["rules"] == [
            ["apiGroups": [""], "resources": ["pods"], "resourceNames": ["web"], "verbs": ["get", "list"]],
            ["apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["get", "list"]],
        ])
        let binding = try JSONValue(parsingJSON: try await plane.kubectlOK(["-n", "team", "get", "rolebinding", "read", "-o", "json"]))
        #expect(binding["roleRef"] == ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"])
        #expect(binding["subjects"] == [
            ["apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"],
            ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "devs"],
            ["kind": "ServiceAccount", "name": "robot", "namespace": "team"],
        ])

        let wide = try await plane.kubectlOK(["-n", "team", "get", "rolebinding", "-o", "wide"])
        let columns = wide.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(columns.first == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"])
        #expect(columns.dropFirst().first.map { [$0[0], $0[1], $0[3], $0[4], $0[5]] } == ["read", "Role/reader", "jane", "devs", "team/robot"])
        let roles = try await plane.kubectlOK(["-n", "team", "get", "roles"])
        #expect(roles.hasPrefix("NAME     CREATED AT\nreader   "), "\(roles)")
        let clusterBindings = try await plane.kubectlOK(["get", "clusterrolebinding", "robot-view", "-o", "wide"])
        #expect(clusterBindings.contains("ClusterRole/view"))
        #expect(clusterBindings.contains("team/robot"))
        let described = try await plane.kubectlOK(["-n", "team", "describe", "role", "reader"])
        #expect(described.contains("pods.apps") == false)
        #expect(described.contains("deployments.apps"), "\(described)")
        #expect(described.contains("[web]"), "\(described)")
        await plane.stop()
    }

    @Test("the bootstrap ClusterRoles and bindings are there, labelled as kube labels them")
    func bootstrap() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        let roles = try await plane.kubectlOK(["get", "clusterroles", "-l", "kubernetes.io/bootstrapping=rbac-defaults", "-o", "name"])
        for name in ["cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery", "system:public-info-viewer"] {
            #expect(roles.contains("clusterrole.rbac.authorization.k8s.io/\(name)\n"), "\(name) missing: \(roles)")
        }
        let bindings = try await plane.kubectlOK(["get", "clusterrolebindings", "-o", "wide"])
        #expect(bindings.contains("system:discovery"))
        #expect(bindings.contains("system:authenticated"))
        await plane.stop()
    }

    @Test("RBAC objects are validated as kube-apiserver validates them")
    func validation() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        let noVerbs = try await plane.kubectl(["apply", "-f", "-"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: bad, namespace: default}
            rules:
            - apiGroups: [""]
              resources: []
            - nonResourceURLs: ["/x"]
              verbs: [get]
            """)
        #expect(noVerbs.status != 0)
        #expect(noVerbs.stderr.contains(#"The Role "bad" is invalid: "#), "\(noVerbs.stderr)")
        #expect(noVerbs.stderr.contains("rules[0].verbs: Required value: verbs must contain at least one value"), "\(noVerbs.stderr)")
        #expect(noVerbs.stderr.contains("rules[0].resources: Required value: resource rules must supply at least one resource"))
        #expect(noVerbs.stderr.contains(#"rules[1].nonResourceURLs: Invalid value: ["/x"]: namespaced rules cannot apply to non-resource URLs"#))

        let wrongKind = try await plane.kubectl(["apply", "-f", "-"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: bad}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}
            subjects:
            - {kind: ServiceAccount, name: robot}
            - {kind: Robot, name: r2}
            """)
        #expect(wrongKind.stderr.contains(#"roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole""#), "\(wrongKind.stderr)")
        #expect(wrongKind.stderr.contains("subjects[0].namespace: Required value"))
        #expect(wrongKind.stderr.contains(#"subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group""#))

        // Names are path segments: a colon is fine, a slash is not.
        try await plane.kubectlOK(["create", "clusterrole", "team:reader", "--verb=get", "--resource=pods"])
        try await plane.kubectlOK(["create", "rolebinding", "pinned", "--clusterrole=team:reader", "--user=jane"])
        let changed = try await plane.kubectl([
            "patch", "rolebinding", "pinned", "--type=merge", "-p", #"{"roleRef":{"name":"view"}}"#,
        ])
        #expect(changed.stderr.contains(#"roleRef: Invalid value: {"APIGroup":"rbac.authorization.k8s.io","Kind":"ClusterRole","Name":"view"}"#), "\(changed.stderr)")
        #expect(changed.stderr.contains("cannot change roleRef"))
        await plane.stop()
    }

    @Test("a ServiceAccount token may do what RBAC grants, and gets kube's 403 for the rest")
    func serviceAccountRequests() async throws {
        let (plane, token) = try await Self.plane()
        let denied = try await plane.kubectl(["--token", token, "-n", "team", "get", "pods"])
        #expect(denied.status != 0)
        #expect(denied.stderr.contains(
            #"Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team:robot" cannot list resource "pods" in API group "" in the namespace "team""#),
            "\(denied.stderr)")
        // Discovery and the self reviews are everyone's (system:discovery, system:basic-user).
        try await plane.kubectlOK(["--token", token, "api-resources"])
        let whoami = try await plane.kubectlOK(["--token", token, "auth", "whoami"])
        #expect(whoami.contains(Self.robot))

        try await plane.kubectlOK(["-n", "team", "create", "rolebinding", "robot-edit", "--clusterrole=edit", "--serviceaccount=team:robot"])
        try await plane.kubectlOK(["--token", token, "-n", "team", "create", "configmap", "made-by-robot", "--from-literal=a=b"])
        #expect(try await plane.kubectlOK(["--token", token, "-n", "team", "get", "cm", "made-by-robot", "-o", "name"])
            == "configmap/made-by-robot\n")
        let elsewhere = try await plane.kubectl(["--token", token, "-n", "default", "get", "configmaps"])
        #expect(elsewhere.stderr.contains(#"cannot list resource "configmaps" in API group "" in the namespace "default""#))
        let cluster = try await plane.kubectl(["--token", token, "get", "namespaces"])
        #expect(cluster.stderr.contains(#"namespaces is forbidden: User "system:serviceaccount:team:robot" cannot list resource "namespaces" in API group "" at the cluster scope"#), "\(cluster.stderr)")
        let impersonating = try await plane.kubectl(["--token", token, "-n", "team", "get", "cm", "--as=jane"])
        #expect(impersonating.stderr.contains(#"configmaps is forbidden: User "system:serviceaccount:team:robot" cannot impersonate-on:user-info:list resource "configmaps" in API group "" in the namespace "team""#), "\(impersonating.stderr)")
        await plane.stop()
    }

    @Test("auth can-i --as a ServiceAccount and --list answer from RBAC")
    func canI() async throws {
        let (plane, token) = try await Self.plane()
        try await plane.kubectlOK([
            "-n", "team", "create", "role", "reader", "--verb=get,list", "--resource=pods", "--resource-name=web",
        ])
        try await plane.kubectlOK(["-n", "team", "create", "rolebinding", "read", "--role=reader", "--serviceaccount=team:robot"])
        func canI(_ arguments: [String]) async throws -> String {
            try await plane.kubectl(["auth", "can-i"] + arguments + ["--as=\(Self.robot)"]).stdout
        }
        #expect(try await canI(["get", "pods/web", "-n", "team"]) == "yes\n")
        #expect(try await canI(["get", "pods/db", "-n", "team"]) == "no\n")
        #expect(try await canI(["list", "pods", "-n", "default"]) == "no\n")
        #expect(try await canI(["create", "selfsubjectaccessreviews.authorization.k8s.io"]) == "yes\n")
        #expect(try await canI(["get", "/api"]) == "yes\n")
        #expect(try await canI(["get", "/logs"]) == "no\n")

        let list = try await plane.kubectlOK(["--token", token, "auth", "can-i", "--list", "-n", "team"])
        let lines = list.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(lines.contains(["pods", "[]", "[web]", "[get", "list]"]), "\(list)")
        #expect(lines.contains(["selfsubjectaccessreviews.authorization.k8s.io", "[]", "[]", "[create]"]), "\(list)")
        #expect(!lines.contains { $0.first == "*.*" })
        await plane.stop()
    }

    @Test("a ServiceAccount cannot grant what it does not hold, unless it may escalate or bind")
    func escalation() async throws {
        let (plane, token) = try await Self.plane()
        try await plane.kubectlOK(["-n", "team", "create", "rolebinding", "robot-admin", "--clusterrole=admin", "--serviceaccount=team:robot"])
        try await plane.kubectlOK(["--token", token, "-n", "team", "create", "role", "pods", "--verb=get", "--resource=pods"])
        let nodes = try await plane.kubectl(["--token", token, "-n", "team", "create", "role", "nodes", "--verb=get", "--resource=nodes"])
        #expect(nodes.stderr.contains(#"roles.rbac.authorization.k8s.io "nodes" is forbidden: user "system:serviceaccount:team:robot" (groups=["system:serviceaccounts" "system:serviceaccounts:team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:"#), "\(nodes.stderr)")
        #expect(nodes.stderr.contains(#"{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}"#))
        // A binding to a role that is missing is named, as kube's registry names it (by the resource written).
        try await plane.kubectlOK(["-n", "team", "create", "rolebinding", "broken", "--clusterrole=nothere", "--serviceaccount=team:robot"])
        let broken = try await plane.kubectl(["--token", token, "-n", "team", "create", "role", "nodes", "--verb=get", "--resource=nodes"])
        #expect(broken.stderr.contains(#"Verbs:["get"]}; resolution errors: [roles.rbac.authorization.k8s.io "nothere" not found]"#), "\(broken.stderr)")
        let bindAdmin = try await plane.kubectl([
            "--token", token, "-n", "team", "create", "rolebinding", "everything", "--clusterrole=cluster-admin", "--user=jane",
        ])
        #expect(bindAdmin.stderr.contains(#"rolebindings.rbac.authorization.k8s.io "everything" is forbidden"#), "\(bindAdmin.stderr)")
        try await plane.kubectlOK([
            "--token", token, "-n", "team", "create", "rolebinding", "viewers", "--clusterrole=view", "--user=jane",
        ])
        let missing = try await plane.kubectl([
            "--token", token, "-n", "team", "create", "rolebinding", "ghost", "--clusterrole=ghost-role", "--user=jane",
        ])
        #expect(missing.stderr.contains(#"rolebindings.rbac.authorization.k8s.io "ghost-role" not found"#), "\(missing.stderr)")
        await plane.stop()
    }
}
