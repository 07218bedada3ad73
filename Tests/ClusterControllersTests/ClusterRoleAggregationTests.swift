@testable import ClusterControllers
import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

/// ClusterRole aggregation as kube-controller-manager's clusterrole-aggregation controller does
/// it: the order of the rules (pure), and on the plane `view`, `edit` and `admin` widened and
/// narrowed by a labelled ClusterRole, written by server-side apply as kube's field manager.
@Suite("ClusterRole aggregation")
struct ClusterRoleAggregationTests {
    static let clusterRole = GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole")

    static func role(_ yaml: String) throws -> Resource {
        try Resource(try DocumentDecoder.decode(yaml, file: "role.yaml")[0].value)
    }

    @Test("rules are taken selector by selector, roles by name, each rule once, as kube's controller orders them")
    func order() throws {
        // What kube-controller-manager v1.36 wrote for these four roles on the reference kit.
        let aggregated = try Self.role("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: agg}
            aggregationRule:
              clusterRoleSelectors:
              - matchLabels: {agg: "b"}
              - matchLabels: {agg: "a"}
            """)
        let roles = try [
            Self.role("""
                {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: a2, labels: {agg: "a"}},
                 rules: [{apiGroups: [batch], resources: [jobs], verbs: [list]}]}
                """),
            Self.role("""
                {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: a, labels: {agg: "a"}},
                 rules: [{apiGroups: [""], resources: [pods], verbs: [get]}, {apiGroups: [apps], resources: [deployments], verbs: [list]}]}
                """),
            Self.role("""
                {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: b, labels: {agg: "b"}},
                 rules: [{apiGroups: [""], resources: [pods], verbs: [get], resourceNames: []}, {apiGroups: [""], resources: [secrets], verbs: [list]}]}
                """),
            aggregated,
        ]
        let rules = try #require(try ClusterRoleAggregation.rules(for: aggregated, among: roles))
        #expect(rules == [
            ["verbs": ["get"], "apiGroups": [""], "resources": ["pods"]],
            ["verbs": ["list"], "apiGroups": [""], "resources": ["secrets"]],
            ["verbs": ["list"], "apiGroups": ["apps"], "resources": ["deployments"]],
            ["verbs": ["list"], "apiGroups": ["batch"], "resources": ["jobs"]],
        ])
        #expect(try ClusterRoleAggregation.rules(for: roles[0], among: roles) == nil)
        #expect(ClusterRoleAggregation.sameRules(
            [["verbs": ["get"], "resources": ["pods"], "apiGroups": [""], "resourceNames": []]],
            [["apiGroups": [""], "resources": ["pods"], "verbs": ["get"]]]))
    }

    @Test("the bootstrap roles are already aggregated: the controller writes nothing to them at start")
    func bootstrapUntouched() async throws {
        try await Plane.with(areas: [.rbac]) { plane in
            var before: [Resource] = []
            for name in ["admin", "edit", "view"] {
                before.append(try #require(try await plane.get(Self.clusterRole, name, namespace: nil)))
            }
            // A role aggregating `view` proves the controller has run over the cache.
            try await plane.create("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: probe-of-view}
                aggregationRule:
                  clusterRoleSelectors:
                  - matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
                """)
            #expect(try await eventually {
                try await plane.get(Self.clusterRole, "probe-of-view", namespace: nil)?.object["rules"]?.arrayValue?.isEmpty == false
            })
            for role in before {
                let after = try #require(try await plane.get(Self.clusterRole, role.name, namespace: nil))
                #expect(after.resourceVersion == role.resourceVersion, "\(role.name) was written")
                #expect(after.object["metadata"]?["managedFields"] == role.object["metadata"]?["managedFields"])
            }
        }
    }

    @Test("a ClusterRole labelled aggregate-to-view widens view, edit and admin, and narrows them again when deleted")
    func widensAndNarrows() async throws {
        try await Plane.with(areas: [.rbac]) { plane in
            try await plane.create("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: secrets-view
                  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
                rules:
                - apiGroups: [""]
                  resources: [secrets]
                  verbs: [get]
                """)
            let secrets: JSONValue = ["apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]]
            // "secrets-view" sorts before "system:aggregate-to-view": its rule comes first, as in kube.
            #expect(try await eventually {
                try await plane.get(Self.clusterRole, "view", namespace: nil)?.object["rules"]?.arrayValue?.first == secrets
            }, "view did not take the secrets rule first")
            for name in ["edit", "admin"] {
                #expect(try await eventually {
                    try await plane.get(Self.clusterRole, name, namespace: nil)?.object["rules"]?.arrayValue?.contains(secrets) == true
                }, "\(name) did not take the secrets rule")
            }
            let view = try #require(try await plane.get(Self.clusterRole, "view", namespace: nil))
            let managers = view.object["metadata"]?["managedFields"]?.arrayValue ?? []
            let aggregation = managers.first { $0["manager"]?.stringValue == "clusterrole-aggregation-controller" }
            #expect(aggregation?["operation"] == "Apply")
            #expect(aggregation?["fieldsV1"] == ["f:rules": [:]])

            // What a user bound to `view` may now do, as kubectl asks it.
            try await plane.kubectl("create", "clusterrolebinding", "jane-view", "--clusterrole=view", "--user=jane")
            let canI = try await plane.kubectl(
                "auth", "can-i", "get", "secrets", "--as=jane", "-n", "default", allowFailure: true)
            #expect(canI.stdout == "yes\n", "\(canI.stderr)")

            try await plane.kubectl("delete", "clusterrole", "secrets-view")
            for name in ["view", "edit", "admin"] {
                #expect(try await eventually {
                    try await plane.get(Self.clusterRole, name, namespace: nil)?.object["rules"]?.arrayValue?.contains(secrets) == false
                }, "\(name) kept the secrets rule")
            }
        }
    }

    @Test("rules written by hand into an aggregated role are replaced by the aggregated ones")
    func handWrittenRulesReplaced() async throws {
        try await Plane.with(areas: [.rbac]) { plane in
            try await plane.create("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: gizmo-parts, labels: {gizmo: "yes"}}
                rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: gizmo}
                aggregationRule:
                  clusterRoleSelectors: [{matchLabels: {gizmo: "yes"}}]
                rules: [{apiGroups: [""], resources: [secrets], verbs: ["*"]}]
                """)
            let configMaps: JSONValue = ["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]]
            #expect(try await eventually {
                try await plane.get(Self.clusterRole, "gizmo", namespace: nil)?.object["rules"] == [configMaps]
            })
        }
    }
}
