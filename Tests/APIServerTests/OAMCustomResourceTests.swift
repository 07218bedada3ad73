import APIMachinery
import APIServer
import Foundation
import OAM
import Resources
import TestSupport
import Testing

/// The OAM CustomResourceDefinitions: structural, and on the embedded plane from its start.
@Suite("OAM CustomResourceDefinitions")
struct OAMCustomResourceTests {
    /// `GET path` on the plane's handler, in-process.
    static func get(_ plane: EmbeddedPlane, _ path: String) async -> (status: Int, body: JSONValue) {
        guard case .json(let status, let body, _) = await plane.server.handler.handle(APIRequest(method: "GET", path: path))
        else { return (0, nil) }
        return (status, body)
    }

    static func crdPath(_ name: String) -> String { "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/\(name)" }

    /// Every OAM object a plane is seeded with, by path.
    static var seededPaths: [String] {
        OAMCustomResourceDefinitions.all.map { crdPath($0.name) }
            + BuiltinDefinitions.all.map { "/apis/core.oam.dev/v1alpha2/\($0.kind.lowercased())s/\($0.name)" }
    }

    @Test("each OAM CRD is valid apiextensions.k8s.io/v1 with a structural schema",
          arguments: OAMCustomResourceDefinitions.all.map(\.name))
    func structural(name: String) throws {
        let crd = try #require(OAMCustomResourceDefinitions.all.first { $0.name == name })
        #expect(CRDTypes.validationCauses(crd).map { "\($0.field): \($0.message)" } == [])
        let version = try #require(crd.spec?["versions"]?[0])
        let schema = try #require(version["schema"]?["openAPIV3Schema"])
        #expect(StructuralityCheck.causes(schema, at: "openAPIV3Schema").map { "\($0.field): \($0.message)" } == [])
        let served = try CRDTypes.servedResources(from: crd)
        // The core kinds in core.oam.dev; the catalog's in standard.oam.dev.
        #expect(served.map(\.type.group) == [name.hasSuffix(".\(StandardCatalog.group)") ? StandardCatalog.group : "core.oam.dev"])
        #expect(served.first?.type.categories == ["oam"])
        // What kubectl get prints must resolve against the schema's paths.
        for column in version["additionalPrinterColumns"]?.arrayValue ?? [] {
            #expect(throws: Never.self) { try SimpleJSONPath(column["jsonPath"]?.stringValue ?? "") }
        }
    }

    @Test("definitions are cluster-scoped; the others namespaced, with a status subresource")
    func scopes() throws {
        let types = try OAMCustomResourceDefinitions.all.flatMap { try CRDTypes.resourceTypes(from: $0) }
        let byKind = Dictionary(uniqueKeysWithValues: types.map { ($0.kind, $0) })
        for kind in ["WorkloadDefinition", "TraitDefinition", "ScopeDefinition"] {
            #expect(byKind[kind]?.namespaced == false)
            #expect(byKind[kind]?.hasStatus == false)
        }
        for kind in ["Component", "ApplicationConfiguration", "ContainerizedWorkload", "ManualScalerTrait", "HealthScope"] {
            #expect(byKind[kind]?.namespaced == true)
            #expect(byKind[kind]?.hasStatus == true)
        }
        #expect(byKind["ApplicationConfiguration"]?.shortNames == ["appconfig"])
        // The catalog's kinds are namespaced, with a status subresource, too.
        let catalogKinds = StandardCatalog.entries.compactMap { $0.customResourceDefinition?.spec?["names"]?["kind"]?.stringValue }
        for kind in catalogKinds {
            #expect(byKind[kind]?.namespaced == true, "\(kind)")
            #expect(byKind[kind]?.hasStatus == true, "\(kind)")
        }
        #expect(types.count == 8 + catalogKinds.count)
    }

    @Test("the embedded plane serves the OAM kinds, established, and the built-in definitions at start")
    func seededAtStart() async throws {
        let plane = try await EmbeddedPlane.start()
        for crd in OAMCustomResourceDefinitions.all {
            let (status, body) = await Self.get(plane, Self.crdPath(crd.name))
            #expect(status == 200, "\(crd.name)")
            let conditions = body["status"]?["conditions"]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" }, "\(crd.name)")
        }
        let (status, list) = await Self.get(plane, "/apis/core.oam.dev/v1alpha2")
        #expect(status == 200)
        let resources = Set((list["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        #expect(resources.isSuperset(of: ["applicationconfigurations", "components", "workloaddefinitions",
                                           "traitdefinitions", "scopedefinitions", "containerizedworkloads",
                                           "manualscalertraits", "healthscopes"]))
        for definition in BuiltinDefinitions.all {
            let (status, body) = await Self.get(
                plane, "/apis/core.oam.dev/v1alpha2/\(definition.kind.lowercased())s/\(definition.name)")
            #expect(status == 200, "\(definition.name)")
            #expect(body["spec"] == definition.spec)
        }
        await plane.stop()
    }

    @Test("a plane started without oam has no OAM kinds")
    func withoutOAM() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        let (status, _) = await Self.get(plane, Self.crdPath("applicationconfigurations.core.oam.dev"))
        #expect(status == 404)
        await plane.stop()
    }

    @Test("a restart writes nothing when the seeded objects are unchanged, and restores an edited definition")
    func idempotentAcrossRestarts() async throws {
        let plane = try await EmbeddedPlane.start()
        var versions: [String: String] = [:]
        for path in Self.seededPaths {
            versions[path] = await Self.get(plane, path).body["metadata"]?["resourceVersion"]?.stringValue
        }
        #expect(versions.count == Self.seededPaths.count)
        await plane.stop(removingData: false)

        let restarted = try await EmbeddedPlane.start(directory: plane.directory)
        for path in Self.seededPaths {
            let version = await Self.get(restarted, path).body["metadata"]?["resourceVersion"]?.stringValue
            #expect(version == versions[path], "\(path) was written again")
        }
        // Someone breaks a built-in definition; the next start sets it back.
        let definition = "/apis/core.oam.dev/v1alpha2/traitdefinitions/manualscalertraits.core.oam.dev"
        let patch = APIRequest(
            method: "PATCH", path: definition, contentType: "application/merge-patch+json",
            body: Array(#"{"spec": {"workloadRefPath": "spec.elsewhere"}}"#.utf8))
        guard case .json(let patched, _, _) = await restarted.server.handler.handle(patch) else {
            Issue.record("the patch was not answered with JSON")
            return
        }
        #expect(patched == 200)
        await restarted.stop(removingData: false)

        let again = try await EmbeddedPlane.start(directory: plane.directory)
        #expect(await Self.get(again, definition).body["spec"]?["workloadRefPath"] == "spec.workloadRef")
        await again.stop()
    }

    @Test("the API server refuses an AppConfig trait without apiVersion and kind (embedded resource)")
    func embeddedResourceChecked() async throws {
        let plane = try await EmbeddedPlane.start()
        let body: JSONValue = [
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ApplicationConfiguration",
            "metadata": ["name": "web"],
            "spec": ["components": [["componentName": "web", "traits": [["trait": ["spec": ["replicaCount": 2]]]]]]],
        ]
        let request = APIRequest(
            method: "POST", path: "/apis/core.oam.dev/v1alpha2/namespaces/default/applicationconfigurations",
            body: body.jsonBytes())
        guard case .json(let status, let answer, _) = await plane.server.handler.handle(request) else {
            Issue.record("the create was not answered with JSON")
            return
        }
        #expect(status == 422)
        let message = answer["message"]?.stringValue ?? ""
        #expect(message.contains("spec.components[0].traits[0].trait.apiVersion"), "\(message)")
        await plane.stop()
    }
}

@Suite("kubectl sees the OAM kinds", .enabled(if: Kubectl.isInstalled))
struct OAMKubectlTests {
    @Test("api-resources lists the OAM kinds with their short names; get appconfig prints the OAM columns")
    func apiResourcesAndShortNames() async throws {
        let plane = try await EmbeddedPlane.start()
        let resources = try await plane.kubectlOK(["api-resources", "--api-group", "core.oam.dev"])
        for line in ["applicationconfigurations", "appconfig", "components", "workloaddefinitions",
                     "manualscalertraits", "healthscopes", "containerizedworkloads"] {
            #expect(resources.contains(line), "\(line) missing in:\n\(resources)")
        }
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
            apiVersion: core.oam.dev/v1alpha2
            kind: Component
            metadata: {name: web}
            spec:
              workload:
                apiVersion: core.oam.dev/v1alpha2
                kind: ContainerizedWorkload
                spec:
                  containers: [{name: web, image: nginx:1.27}]
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: web
                  traits:
                    - trait:
                        apiVersion: core.oam.dev/v1alpha2
                        kind: ManualScalerTrait
                        spec: {replicaCount: 2}
            """)
        let appConfigs = try await plane.kubectlOK(["get", "appconfig"])
        #expect(appConfigs.contains("SYNCED"), "\(appConfigs)")
        #expect(appConfigs.contains("shop"), "\(appConfigs)")
        let components = try await plane.kubectlOK(["get", "components"])
        #expect(components.contains("WORKLOAD-KIND"), "\(components)")
        #expect(components.contains("ContainerizedWorkload"), "\(components)")
        let definitions = try await plane.kubectlOK(["get", "workloaddefinitions"])
        #expect(definitions.contains("containerizedworkloads.core.oam.dev"), "\(definitions)")
        let everything = try await plane.kubectlOK(["get", "oam"])
        #expect(everything.contains("applicationconfiguration.core.oam.dev/shop"), "\(everything)")
        await plane.stop()
    }
}
