import OrderedCollections
import Resources
import Testing
@testable import APIMachinery

@Suite("BuiltinTypes")
struct BuiltinTypesTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var group: String
        var resource: String
        var kind: String
        var namespaced: Bool
        var shortNames: [String]
        var categories: [String]
        var subresources: [String]
        var testDescription: String { resource }
    }

    static let expected: [Expected] = [
        Expected(group: "", resource: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"], categories: [], subresources: ["status"]),
        Expected(group: "", resource: "configmaps", kind: "ConfigMap", namespaced: true, shortNames: ["cm"], categories: [], subresources: []),
        Expected(group: "", resource: "secrets", kind: "Secret", namespaced: true, shortNames: [], categories: [], subresources: []),
        Expected(group: "", resource: "services", kind: "Service", namespaced: true, shortNames: ["svc"], categories: ["all"], subresources: ["status"]),
        Expected(group: "", resource: "events", kind: "Event", namespaced: true, shortNames: ["ev"], categories: [], subresources: []),
        Expected(group: "", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"], categories: [], subresources: ["token"]),
        Expected(group: "apps", resource: "deployments", kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"]),
        Expected(group: "apps", resource: "statefulsets", kind: "StatefulSet", namespaced: true, shortNames: ["sts"], categories: ["all"], subresources: ["status", "scale"]),
        Expected(group: "apps", resource: "controllerrevisions", kind: "ControllerRevision", namespaced: true, shortNames: [], categories: [], subresources: []),
        Expected(group: "", resource: "pods", kind: "Pod", namespaced: true, shortNames: ["po"], categories: ["all"], subresources: ["binding", "eviction", "log", "status"]),
        Expected(group: "apps", resource: "replicasets", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"], subresources: ["scale", "status"]),
        Expected(group: "apps", resource: "daemonsets", kind: "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"], subresources: ["status"]),
        Expected(group: "batch", resource: "jobs", kind: "Job", namespaced: true, shortNames: [], categories: ["all"], subresources: ["status"]),
        Expected(group: "batch", resource: "cronjobs", kind: "CronJob", namespaced: true, shortNames: ["cj"], categories: ["all"], subresources: ["status"]),
        Expected(group: "authentication.k8s.io", resource: "selfsubjectreviews", kind: "SelfSubjectReview", namespaced: false, shortNames: [], categories: [], subresources: []),
        Expected(group: "authentication.k8s.io", resource: "tokenreviews", kind: "TokenReview", namespaced: false, shortNames: [], categories: [], subresources: []),
        Expected(group: "authorization.k8s.io", resource: "localsubjectaccessreviews", kind: "LocalSubjectAccessReview", namespaced: true, shortNames: [], categories: [], subresources: []),
        Expected(group: "authorization.k8s.io", resource: "selfsubjectaccessreviews", kind: "SelfSubjectAccessReview", namespaced: false, shortNames: [], categories: [], subresources: []),
        Expected(group: "authorization.k8s.io", resource: "selfsubjectrulesreviews", kind: "SelfSubjectRulesReview", namespaced: false, shortNames: [], categories: [], subresources: []),
        Expected(group: "authorization.k8s.io", resource: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false, shortNames: [], categories: [], subresources: []),
        Expected(group: "coordination.k8s.io", resource: "leases", kind: "Lease", namespaced: true, shortNames: [], categories: [], subresources: []),
        Expected(group: "admissionregistration.k8s.io", resource: "mutatingwebhookconfigurations", kind: "MutatingWebhookConfiguration", namespaced: false, shortNames: [], categories: ["api-extensions"], subresources: []),
        Expected(group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations", kind: "ValidatingWebhookConfiguration", namespaced: false, shortNames: [], categories: ["api-extensions"], subresources: []),
        Expected(group: "apiextensions.k8s.io", resource: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"], categories: ["api-extensions"], subresources: ["status"]),
    ]

    @Test("each built-in type is named and scoped as kube-apiserver serves it", arguments: expected)
    func builtin(_ expected: Expected) throws {
        let served = try #require(BuiltinTypes.served(group: expected.group, resource: expected.resource))
        #expect(served.type.kind == expected.kind)
        #expect(served.type.version == "v1")
        #expect(served.type.namespaced == expected.namespaced)
        #expect(served.type.shortNames == expected.shortNames)
        #expect(served.type.categories == expected.categories)
        #expect(served.subresources.map(\.name) == expected.subresources)
        #expect(served.type.hasStatus == expected.subresources.contains("status"))
        #expect(served.isStorageVersion)
        #expect(served.type.singular == expected.kind.lowercased())
        #expect(served.type.listKind == expected.kind + "List")
    }

    @Test("all lists every built-in type once per version, the ones above included")
    func all() {
        let paths = BuiltinTypes.all.map { "\($0.type.group)/\($0.type.version)/\($0.type.resource)" }
        #expect(Set(paths).count == paths.count)
        for expected in Self.expected {
            #expect(paths.contains("\(expected.group)/v1/\(expected.resource)"), "\(expected.resource) is not in all")
        }
        // One storage version per resource: a second version is a view of the same objects.
        let stored = BuiltinTypes.all.filter(\.isStorageVersion).map(\.type.description)
        #expect(Set(stored).count == stored.count)
    }

    @Test("namespaces cannot be deleted as a collection; other types have all eight verbs")
    func verbs() {
        #expect(BuiltinTypes.namespaces.verbs == ["create", "delete", "get", "list", "patch", "update", "watch"])
        #expect(BuiltinTypes.deployments.verbs == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
        #expect(BuiltinTypes.deployments.subresource("status")?.verbs == ["get", "patch", "update"])
    }

    @Test("lookup by kind")
    func byKind() {
        #expect(BuiltinTypes.served(GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet"))?.type.resource == "statefulsets")
        #expect(BuiltinTypes.served(GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet"))?.type.resource == "replicasets")
        #expect(BuiltinTypes.served(GroupVersionKind(group: "", version: "v1", kind: "ReplicationController")) == nil)
    }

    @Test("built-in schemas carry kube's merge keys")
    func schemas() throws {
        let podSpec = try #require(BuiltinSchemas.schema(for: "Deployment")?["properties"]?["spec"]?["properties"]?["template"]?["properties"]?["spec"]?["properties"])
        #expect(podSpec["containers"]?["x-kubernetes-patch-merge-key"] == "name")
        #expect(podSpec["containers"]?["x-kubernetes-patch-strategy"] == "merge")
        #expect(podSpec["volumes"]?["x-kubernetes-patch-strategy"] == "merge,retainKeys")
        let container = try #require(podSpec["containers"]?["items"]?["properties"])
        #expect(container["ports"]?["x-kubernetes-list-map-keys"] == ["containerPort", "protocol"])
        #expect(container["env"]?["x-kubernetes-patch-merge-key"] == "name")
        let servicePorts = BuiltinSchemas.schema(for: "Service")?["properties"]?["spec"]?["properties"]?["ports"]
        #expect(servicePorts?["x-kubernetes-patch-merge-key"] == "port")
        #expect(BuiltinSchemas.schema(for: "ReplicaSet") == nil)
    }
}
