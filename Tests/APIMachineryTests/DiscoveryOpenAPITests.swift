import OrderedCollections
import Resources
import Testing
@testable import APIMachinery

@Suite("OpenAPI documents")
struct DiscoveryOpenAPITests {
    @Test("the v3 root points at every group version with a content hash")
    func root() throws {
        let registry = try DiscoveryDocumentsTests.widgetRegistry()
        let root = OpenAPIDocuments.v3Root(registry)
        let paths = try #require(root["paths"]?.objectValue)
        // Other group versions interleave as more kinds are served; these keep their order.
        let expected = [
            "api/v1", "apis/apps/v1", "apis/authentication.k8s.io/v1", "apis/authorization.k8s.io/v1",
            "apis/coordination.k8s.io/v1", "apis/admissionregistration.k8s.io/v1",
            "apis/apiextensions.k8s.io/v1", "apis/batch/v1", "apis/example.com/v1", "apis/example.com/v1beta1",
        ]
        #expect(Array(paths.keys).filter(expected.contains) == expected)
        let url = try #require(paths["apis/apps/v1"]?["serverRelativeURL"]?.stringValue)
        #expect(url.hasPrefix("/openapi/v3/apis/apps/v1?hash="))
        #expect(url.count == "/openapi/v3/apis/apps/v1?hash=".count + 32)
        #expect(OpenAPIDocuments.v3Root(registry) == root, "the same resources give the same hashes")
    }

    @Test("a group version's hash changes when its resources or their schemas change, and no other's")
    func hashFollowsInputs() throws {
        let registry = try DiscoveryDocumentsTests.widgetRegistry()
        func url(_ registry: [ServedResource], _ path: String) -> String? {
            OpenAPIDocuments.v3Root(registry)["paths"]?[path]?["serverRelativeURL"]?.stringValue
        }
        var changed = registry
        let index = try #require(changed.firstIndex { $0.type.group == "example.com" && $0.type.version == "v1" })
        changed[index].openAPIV3Schema = ["type": "object", "properties": ["spec": ["type": "string"]]]
        #expect(url(changed, "apis/example.com/v1") != url(registry, "apis/example.com/v1"))
        #expect(url(changed, "apis/apps/v1") == url(registry, "apis/apps/v1"))
        #expect(url(registry, "apis/apps/v1") != url(registry, "apis/coordination.k8s.io/v1"))
    }

    @Test("the hash changes with the document and not with member order")
    func hash() throws {
        let a = try json(#"{"a": 1, "b": 2}"#)
        let b = try json(#"{"b": 2, "a": 1}"#)
        #expect(OpenAPIDocuments.hash(of: a) == OpenAPIDocuments.hash(of: b))
        #expect(OpenAPIDocuments.hash(of: a) != OpenAPIDocuments.hash(of: try json(#"{"a": 1, "b": 3}"#)))
    }

    @Test("a group version document has a PATCH taking fieldValidation for each kind")
    func patchOperations() throws {
        let document = OpenAPIDocuments.v3GroupVersion(BuiltinTypes.all, group: "apps", version: "v1")
        #expect(document["openapi"] == "3.0.0")
        let patch = try #require(document["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?["patch"])
        #expect(patch["x-kubernetes-group-version-kind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
        #expect(patch["x-kubernetes-action"] == "patch")
        let parameters = try #require(patch["parameters"]?.arrayValue)
        #expect(parameters.contains { $0["name"] == "fieldValidation" && $0["in"] == "query" })
        #expect(patch["operationId"] == "patchAppsV1NamespacedDeployment")

        let core = OpenAPIDocuments.v3GroupVersion(BuiltinTypes.all, group: "", version: "v1")
        #expect(core["paths"]?["/api/v1/namespaces/{name}"]?["patch"]?["operationId"] == "patchCoreV1Namespace")
        #expect(core["paths"]?["/api/v1/namespaces/{namespace}/configmaps/{name}"] != nil)
    }

    @Test("built-in schemas are named as kube names them and marked with their kind")
    func builtinSchemas() throws {
        let document = OpenAPIDocuments.v3GroupVersion(BuiltinTypes.all, group: "apps", version: "v1")
        let schemas = try #require(document["components"]?["schemas"]?.objectValue)
        let deployment = try #require(schemas["io.k8s.api.apps.v1.Deployment"])
        #expect(deployment["x-kubernetes-group-version-kind"] == [["group": "apps", "version": "v1", "kind": "Deployment"]])
        #expect(deployment["properties"]?["spec"]?["properties"]?["template"] != nil)
        #expect(schemas["io.k8s.api.apps.v1.DeploymentList"]?["x-kubernetes-group-version-kind"]?[0]?["kind"] == "DeploymentList")
        #expect(schemas[OpenAPIDocuments.objectMetaName] != nil)
        let crd = OpenAPIDocuments.v3GroupVersion(BuiltinTypes.all, group: "apiextensions.k8s.io", version: "v1")
        #expect(crd["components"]?["schemas"]?["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"] != nil)
    }

    @Test("a custom resource's schema is its CRD's, with the object envelope added")
    func customSchema() throws {
        let registry = try DiscoveryDocumentsTests.widgetRegistry()
        let document = OpenAPIDocuments.v3GroupVersion(registry, group: "example.com", version: "v1")
        let widget = try #require(document["components"]?["schemas"]?["com.example.v1.Widget"])
        #expect(widget["x-kubernetes-group-version-kind"] == [["group": "example.com", "version": "v1", "kind": "Widget"]])
        #expect(widget["properties"]?["spec"]?["properties"]?["size"] == ["type": "integer"])
        #expect(widget["properties"]?["apiVersion"]?["type"] == "string")
        #expect(widget["properties"]?["metadata"]?["allOf"]?[0]?["$ref"]
                == .string("#/components/schemas/\(OpenAPIDocuments.objectMetaName)"))
        #expect(document["paths"]?["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]?["patch"] != nil)
    }

    @Test("/openapi/v2 is answered with 404")
    func v2() {
        #expect(OpenAPIDocuments.v2NotFound.code == 404)
        #expect(OpenAPIDocuments.v2NotFound.status["reason"] == "NotFound")
    }
}
