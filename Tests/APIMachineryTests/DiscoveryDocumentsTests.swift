import OrderedCollections
import Resources
import Testing
@testable import APIMachinery

@Suite("Discovery documents")
struct DiscoveryDocumentsTests {
    static func widgetRegistry() throws -> [ServedResource] {
        BuiltinTypes.all + (try CRDTypes.servedResources(from: try resource(SchemaCRDValidationTests.widgets)))
    }

    @Test("/version says 1.32")
    func version() {
        let version = DiscoveryDocuments.version()
        #expect(version["gitVersion"] == "v1.32.0-mizzen")
        #expect(version["major"] == "1")
        #expect(version["minor"] == "32")
        #expect(version["platform"] == "linux/amd64")
        #expect(DiscoveryDocuments.version(gitVersion: "v1.31.2")["minor"] == "31")
    }

    @Test("/api lists v1")
    func api() {
        let api = DiscoveryDocuments.apiVersions(serverAddress: "127.0.0.1:6443")
        #expect(api["kind"] == "APIVersions")
        #expect(api["versions"] == ["v1"])
        #expect(api["serverAddressByClientCIDRs"]?[0]?["serverAddress"] == "127.0.0.1:6443")
    }

    @Test("/api/v1 lists core resources alphabetically with their subresources")
    func coreResources() throws {
        let list = try #require(DiscoveryDocuments.resourceList(BuiltinTypes.all, group: "", version: "v1"))
        #expect(list["kind"] == "APIResourceList")
        #expect(list["groupVersion"] == "v1")
        let names = list["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        // Other kinds of the core group interleave; these keep their alphabetical order.
        let expected = ["configmaps", "events", "namespaces", "namespaces/status", "pods", "pods/binding", "pods/eviction",
                        "pods/log", "pods/status", "secrets", "serviceaccounts", "serviceaccounts/token", "services",
                        "services/status"]
        #expect(names?.filter(expected.contains) == expected)
        let namespaces = try #require(list["resources"]?.arrayValue?.first { $0["name"] == "namespaces" })
        #expect(namespaces == (try json("""
            {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
             "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["ns"],
             "storageVersionHash": "Q3oi5N2YM8M="}
            """)))
    }

    @Test("/apis/apps/v1 has deployments/scale as autoscaling/v1 Scale and deployments/status as Deployment")
    func appsResources() throws {
        let list = try #require(DiscoveryDocuments.resourceList(BuiltinTypes.all, group: "apps", version: "v1"))
        #expect(list["groupVersion"] == "apps/v1")
        let resources = try #require(list["resources"]?.arrayValue)
        #expect(resources.compactMap { $0["name"]?.stringValue } == [
            "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
            "deployments/status", "replicasets", "replicasets/scale", "replicasets/status",
            "statefulsets", "statefulsets/scale", "statefulsets/status",
        ])
        #expect(resources[3] == (try json("""
            {"name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment",
             "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
             "shortNames": ["deploy"], "categories": ["all"], "storageVersionHash": "8aSe+NMegvE="}
            """)))
        #expect(resources[4] == (try json("""
            {"name": "deployments/scale", "singularName": "", "namespaced": true, "group": "autoscaling",
             "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]}
            """)))
        #expect(resources[5] == (try json("""
            {"name": "deployments/status", "singularName": "", "namespaced": true, "kind": "Deployment",
             "verbs": ["get", "patch", "update"]}
            """)))
        #expect(DiscoveryDocuments.resourceList(BuiltinTypes.all, group: "apps", version: "v2") == nil)
    }

    @Test("/apis lists the named groups, versions most preferred first")
    func groups() throws {
        let list = DiscoveryDocuments.groupList(try Self.widgetRegistry())
        #expect(list["kind"] == "APIGroupList")
        let groups = try #require(list["groups"]?.arrayValue)
        // Other groups interleave; these keep their order.
        let expected = ["apps", "authentication.k8s.io", "authorization.k8s.io", "coordination.k8s.io",
                        "admissionregistration.k8s.io", "apiextensions.k8s.io", "batch", "example.com"]
        #expect(groups.compactMap { $0["name"]?.stringValue }.filter(expected.contains) == expected)
        let widgetGroup = try #require(groups.first { $0["name"] == "example.com" })
        #expect(groups[0] == (try json("""
            {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}
            """)))
        #expect(widgetGroup["versions"] == (try json("""
            [{"groupVersion": "example.com/v1", "version": "v1"}, {"groupVersion": "example.com/v1beta1", "version": "v1beta1"}]
            """)))
        #expect(widgetGroup["preferredVersion"]?["version"] == "v1")
        let group = try #require(DiscoveryDocuments.group(try Self.widgetRegistry(), name: "example.com"))
        #expect(group["kind"] == "APIGroup")
        #expect(DiscoveryDocuments.group(BuiltinTypes.all, name: "example.com") == nil)
    }

    @Test("aggregated /api has the core group without a name")
    func aggregatedCore() throws {
        let list = DiscoveryDocuments.aggregated(BuiltinTypes.all, legacyCore: true)
        #expect(list["kind"] == "APIGroupDiscoveryList")
        #expect(list["apiVersion"] == "apidiscovery.k8s.io/v2")
        let items = try #require(list["items"]?.arrayValue)
        #expect(items.count == 1)
        #expect(items[0]["metadata"] == ["creationTimestamp": nil])
        let version = try #require(items[0]["versions"]?[0])
        #expect(version["version"] == "v1")
        #expect(version["freshness"] == "Current")
        let services = try #require(version["resources"]?.arrayValue?.first { $0["resource"] == "services" })
        #expect(services == (try json("""
            {"resource": "services", "responseKind": {"group": "", "version": "v1", "kind": "Service"},
             "scope": "Namespaced", "singularResource": "service",
             "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
             "shortNames": ["svc"], "categories": ["all"],
             "subresources": [{"subresource": "status", "responseKind": {"group": "", "version": "v1", "kind": "Service"},
                               "verbs": ["get", "patch", "update"]}]}
            """)))
    }

    @Test("aggregated /apis has every named group with scope, kinds and subresources")
    func aggregatedGroups() throws {
        let list = DiscoveryDocuments.aggregated(try Self.widgetRegistry(), legacyCore: false)
        let items = try #require(list["items"]?.arrayValue)
        let expected = ["apps", "authentication.k8s.io", "authorization.k8s.io", "coordination.k8s.io",
                        "admissionregistration.k8s.io", "apiextensions.k8s.io", "batch", "example.com"]
        #expect(items.compactMap { $0["metadata"]?["name"]?.stringValue }.filter(expected.contains) == expected)
        func item(_ name: String) throws -> JSONValue {
            try #require(items.first { $0["metadata"]?["name"] == .string(name) })
        }
        let crds = try #require(try item("apiextensions.k8s.io")["versions"]?[0]?["resources"]?[0])
        #expect(crds["scope"] == "Cluster")
        #expect(crds["shortNames"] == ["crd", "crds"])
        #expect(crds["categories"] == ["api-extensions"])
        let widgets = try #require(try item("example.com")["versions"]?.arrayValue)
        #expect(widgets.compactMap { $0["version"]?.stringValue } == ["v1", "v1beta1"])
        let widget = try #require(widgets[0]["resources"]?[0])
        #expect(widget["responseKind"] == ["group": "example.com", "version": "v1", "kind": "Widget"])
        #expect(widget["singularResource"] == "widget")
        #expect(widget["subresources"]?.arrayValue?.compactMap { $0["subresource"]?.stringValue } == ["scale", "status"])
        #expect(widget["subresources"]?[0]?["responseKind"] == ["group": "autoscaling", "version": "v1", "kind": "Scale"])
    }

    @Test("aggregated discovery is chosen from kubectl's Accept header", arguments: [
        ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", true),
        ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;profile=nopeer,application/json", true),
        ("application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io", true),
        ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", false),
        ("application/json, */*", false),
        ("application/json", false),
    ])
    func negotiation(_ accept: String, _ aggregated: Bool) {
        #expect(DiscoveryDocuments.wantsAggregated(accept: accept) == aggregated)
    }

    @Test("versions sort as kube sorts them", arguments: [
        (["v1beta1", "v1", "v2alpha1", "v1alpha1", "foo", "v2", "v1beta2", "bar"],
         ["v2", "v1", "v1beta2", "v1beta1", "v2alpha1", "v1alpha1", "bar", "foo"]),
    ])
    func versionOrder(_ input: [String], _ sorted: [String]) {
        #expect(input.sorted(by: KubeVersion.isPreferred) == sorted)
    }
}
