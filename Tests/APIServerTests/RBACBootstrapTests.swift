@testable import APIServer
import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The bootstrap RBAC policy reconciled at every start, as kube-apiserver's RBAC post-start hook
/// does: what is missing comes back, `autoupdate: "false"` objects are left alone. The expected
/// shapes are what kube-apiserver v1.36 wrote on the reference kit after the same edits and a restart.
@Suite("RBAC bootstrap reconciliation")
struct RBACBootstrapTests {
    static func bootstrap(_ kind: String, _ name: String) throws -> Resource {
        try #require(BootstrapPolicy.objects.first { $0.kind == kind && $0.name == name })
    }

    @Test("a removed permission comes back as one rule per verb and resource, after the user's rules; labels come back")
    func missingRulesAppended() throws {
        let expected = try Self.bootstrap("ClusterRole", "system:basic-user")
        var edited = expected
        edited.object["rules"] = [
            ["apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"]],
            ["apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews"], "verbs": ["create"]],
        ]
        edited.labels = [:]
        guard case .update(let reconciled) = BootstrapReconciliation.reconcile(existing: edited, expected: expected) else {
            Issue.record("expected an update")
            return
        }
        #expect(reconciled.object["rules"] == [
            ["apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"]],
            ["apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews"], "verbs": ["create"]],
            ["apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectrulesreviews"], "verbs": ["create"]],
        ])
        #expect(reconciled.labels == ["kubernetes.io/bootstrapping": "rbac-defaults"])
        #expect(BootstrapReconciliation.reconcile(existing: expected, expected: expected) == .unchanged)
    }

    @Test("autoupdate false leaves a role alone; a missing annotation counts as true")
    func protectedRoles() throws {
        let expected = try Self.bootstrap("ClusterRole", "system:public-info-viewer")
        var edited = expected
        edited.object["rules"] = [["nonResourceURLs": ["/x"], "verbs": ["get"]]]
        edited.setAnnotation(BootstrapReconciliation.autoUpdateAnnotation, "false")
        #expect(BootstrapReconciliation.reconcile(existing: edited, expected: expected) == .protected)
        edited.annotations = [:]
        edited.object["rules"] = []
        guard case .update(let reconciled) = BootstrapReconciliation.reconcile(existing: edited, expected: expected) else {
            Issue.record("expected an update")
            return
        }
        #expect(reconciled.annotations == [BootstrapReconciliation.autoUpdateAnnotation: "true"])
        #expect(reconciled.object["rules"] == .array(["/healthz", "/livez", "/readyz", "/version", "/version/"].map {
            ["nonResourceURLs": [.string($0)], "verbs": ["get"]]
        }))
    }

    @Test("an aggregating role gets its selectors back but no rules: the aggregation controller owns them")
    func aggregatingRoles() throws {
        let expected = try Self.bootstrap("ClusterRole", "edit")
        var edited = expected
        edited.object["rules"] = []
        edited.object["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": ["x": "y"]]]]
        guard case .update(let reconciled) = BootstrapReconciliation.reconcile(existing: edited, expected: expected) else {
            Issue.record("expected an update")
            return
        }
        #expect(reconciled.object["rules"] == [])
        #expect(reconciled.object["aggregationRule"] == ["clusterRoleSelectors": [
            ["matchLabels": ["x": "y"]], ["matchLabels": ["rbac.authorization.k8s.io/aggregate-to-edit": "true"]],
        ]])
    }

    @Test("a binding gets its missing subjects appended, and is recreated when its roleRef differs")
    func bindings() throws {
        let expected = try Self.bootstrap("ClusterRoleBinding", "system:public-info-viewer")
        var edited = expected
        let subjects = expected.object["subjects"]?.arrayValue ?? []
        try #require(subjects.count == 2)
        edited.object["subjects"] = [subjects[1]]
        guard case .update(let reconciled) = BootstrapReconciliation.reconcile(existing: edited, expected: expected) else {
            Issue.record("expected an update")
            return
        }
        #expect(reconciled.object["subjects"] == [subjects[1], subjects[0]])
        var namespaced = Resource(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", name: "b", namespace: "kube-system")
        namespaced.object["roleRef"] = ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"]
        var other = namespaced
        other.object["roleRef"] = ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "s"]
        #expect(BootstrapReconciliation.reconcile(existing: other, expected: namespaced) == .recreate(namespaced))
    }

    @Test("restarting the plane recreates deleted bootstrap objects and restores edited ones, leaving autoupdate=false alone")
    func restart() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        let directory = plane.directory
        let port = plane.endpoint.port
        try await plane.kubectlOK(["delete", "clusterrole", "view"])
        try await plane.kubectlOK(["delete", "clusterrolebinding", "system:discovery"])
        try await plane.kubectlOK([
            "patch", "clusterrole", "system:basic-user", "--type=json",
            "-p", #"[{"op":"remove","path":"/rules/0"},{"op":"remove","path":"/metadata/labels"}]"#,
        ])
        try await plane.kubectlOK([
            "patch", "clusterrolebinding", "system:public-info-viewer", "--type=json", "-p", #"[{"op":"remove","path":"/subjects/0"}]"#,
        ])
        try await plane.kubectlOK([
            "annotate", "clusterrole", "system:service-account-issuer-discovery",
            "rbac.authorization.kubernetes.io/autoupdate=false", "--overwrite",
        ])
        try await plane.kubectlOK([
            "patch", "clusterrole", "system:service-account-issuer-discovery", "--type=merge",
            "-p", #"{"rules":[{"nonResourceURLs":["/x"],"verbs":["get"]}]}"#,
        ])
        await plane.stop(removingData: false)

        let restarted = try await EmbeddedPlane.start(directory: directory, port: port, oam: false)
        func json(_ arguments: [String]) async throws -> JSONValue {
            try JSONValue(parsingJSON: try await restarted.kubectlOK(["get"] + arguments + ["-o", "json", "--show-managed-fields"]))
        }
        let view = try await json(["clusterrole", "view"])
        #expect(view["rules"] == (try Self.bootstrap("ClusterRole", "view")).object["rules"])
        #expect(view["metadata"]?["labels"]?["kubernetes.io/bootstrapping"] == "rbac-defaults")
        let discovery = try await json(["clusterrolebinding", "system:discovery"])
        #expect(discovery["subjects"] == [["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"]])
        let basic = try await json(["clusterrole", "system:basic-user"])
        #expect(basic["rules"] == [
            ["apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"]],
            ["apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews"], "verbs": ["create"]],
            ["apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectrulesreviews"], "verbs": ["create"]],
        ])
        #expect(basic["metadata"]?["labels"] == ["kubernetes.io/bootstrapping": "rbac-defaults"])
        let managers = basic["metadata"]?["managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
        #expect(managers.contains("kube-apiserver"), "\(managers)")
        let publicInfo = try await json(["clusterrolebinding", "system:public-info-viewer"])
        #expect(publicInfo["subjects"] == [
            ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:unauthenticated"],
            ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"],
        ])
        let untouched = try await json(["clusterrole", "system:service-account-issuer-discovery"])
        #expect(untouched["rules"] == [["nonResourceURLs": ["/x"], "verbs": ["get"]]])

        // A further restart with nothing to reconcile writes nothing.
        let before = try await restarted.kubectlOK(["get", "clusterroles,clusterrolebindings", "-o", "jsonpath={.items[*].metadata.resourceVersion}"])
        await restarted.stop(removingData: false)
        let again = try await EmbeddedPlane.start(directory: directory, port: port, oam: false)
        let after = try await again.kubectlOK(["get", "clusterroles,clusterrolebindings", "-o", "jsonpath={.items[*].metadata.resourceVersion}"])
        #expect(before == after)
        await again.stop()
    }
}
