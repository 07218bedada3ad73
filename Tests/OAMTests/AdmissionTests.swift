import OAM
import OrderedCollections
import Resources
import Testing

/// Admission of Components and ApplicationConfigurations (spec §10, with §12.14/§12.15): the
/// pure mutation and validation, no server.
@Suite("Admission")
struct AdmissionTests {
    // MARK: Fixtures

    /// A catalog with the built-in definitions plus `yaml`'s definitions and components.
    static func admission(_ yaml: String = "", crds: [Resource] = []) throws -> Admission {
        var catalog = Catalog()
        if !yaml.isEmpty {
            for document in try DocumentDecoder.decode(yaml, file: nil) {
                let resource = try Resource(document.value)
                switch resource.kind {
                case Component.kind: catalog.add(component: try Component(resource))
                case "ControllerRevision": catalog.add(revision: resource)
                case "CustomResourceDefinition": catalog.add(object: resource)
                case WorkloadDefinition.kind, TraitDefinition.kind, ScopeDefinition.kind:
                    try catalog.add(definition: resource)
                default: catalog.add(object: resource)
                }
            }
        }
        return Admission(catalog: catalog, kinds: DefinedKinds(crds: crds))
    }

    static let definitions = """
        apiVersion: core.oam.dev/v1alpha2
        kind: WorkloadDefinition
        metadata: {name: webservice}
        spec: {definitionRef: {name: deployments.apps}}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: WorkloadDefinition
        metadata: {name: deployments.apps}
        spec: {definitionRef: {name: deployments.apps}}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: WorkloadDefinition
        metadata: {name: mystery}
        spec: {definitionRef: {name: mysteries.example.com}}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: TraitDefinition
        metadata: {name: scaler}
        spec: {definitionRef: {name: manualscalertraits.core.oam.dev}, workloadRefPath: spec.workloadRef}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: TraitDefinition
        metadata: {name: route}
        spec: {definitionRef: {name: routes.example.com}}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: TraitDefinition
        metadata: {name: canaries.example.com}
        spec: {definitionRef: {name: canaries.example.com}, revisionEnabled: true}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: TraitDefinition
        metadata: {name: jobonlies.example.com}
        spec: {definitionRef: {name: jobonlies.example.com}, appliesToWorkloads: ["jobs.batch", "*.example.com"]}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: TraitDefinition
        metadata: {name: documenteds.example.com}
        spec: {definitionRef: {name: documenteds.example.com}, appliesToWorkloads: ["deployment.apps/v1"]}
        """

    static let routeCRD: Resource = {
        var crd = Resource(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition",
                           name: "routes.example.com")
        crd.spec = [
            "group": "example.com", "names": ["kind": "Route", "plural": "routes"], "scope": "Namespaced",
            "versions": [["name": "v1beta1", "served": true, "storage": true], ["name": "v1", "served": true]],
        ]
        return crd
    }()

    static func component(_ workload: String, name: String = "web", labels: String = "{}") throws -> Resource {
        var resource = try object("""
            apiVersion: core.oam.dev/v1alpha2
            kind: Component
            metadata: {name: \(name), namespace: shop, labels: \(labels)}
            spec:
              workload: \(workload)
            """)
        resource.namespace = "shop"
        return resource
    }

    static func appConfig(_ components: String) throws -> Resource {
        try object("""
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop-app, namespace: shop}
            spec:
              components:
            \(components)
            """)
    }

    static let webComponent = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web, namespace: shop}
        spec:
          workload:
            apiVersion: apps/v1
            kind: Deployment
            spec: {template: {spec: {containers: [{name: web, image: nginx}]}}}
          parameters:
          - {name: image, fieldPaths: ["spec.template.spec.containers[0].image"]}
          - {name: instance, fieldPaths: ["metadata.name"]}
        """

    /// The errors of a verdict as `path: message`.
    static func errorLines(_ verdict: AdmissionVerdict) -> [String] {
        verdict.errors.map { "\($0.path?.description ?? ""): \($0.message)" }
    }

    static func admitted(_ verdict: AdmissionVerdict) throws -> Resource {
        guard case .allowed(let object, _) = verdict else {
            Issue.record("expected the object to be allowed, got \(verdict.errors.map(\.description))")
            throw AdmissionTestFailure()
        }
        return object
    }

    struct AdmissionTestFailure: Error {}

    // MARK: §10.1 Component mutation

    @Test("a Component's workload type becomes the apiVersion and kind of its WorkloadDefinition")
    func componentTypeIsMutated() throws {
        let admission = try Self.admission(Self.definitions)
        var component = try Self.component(
            "{type: webservice, metadata: {labels: {tier: front}}, spec: {replicas: 2}}", labels: "{team: a}")
        component.setAnnotation("note", "kept")
        component.setAnnotation("kubectl.kubernetes.io/last-applied-configuration", "{}")
        let mutated = try Self.admitted(admission.mutate(component, old: nil))
        let workload = try #require(mutated.valueIfPresent(at: "spec.workload"))
        #expect(workload["type"] == nil)
        #expect(workload["apiVersion"] == "apps/v1")
        #expect(workload["kind"] == "Deployment")
        #expect(workload["spec"] == ["replicas": 2])
        #expect(workload["metadata"]?["namespace"] == "shop")
        #expect(workload["metadata"]?["labels"] == ["tier": "front", "team": "a", "workload.oam.dev/type": "webservice"])
        #expect(workload["metadata"]?["annotations"] == ["note": "kept"])
        // And the result passes validation.
        #expect(admission.admit(component, old: nil).errors.isEmpty)
    }

    @Test("a workload type of a CRD kind takes the CRD's group, first served version and kind")
    func componentTypeOfCustomKind() throws {
        var crd = Self.routeCRD
        crd.name = "mysteries.example.com"
        crd.spec = ["group": "example.com", "names": ["kind": "Mystery", "plural": "mysteries"],
                    "versions": [["name": "v2", "served": true]]]
        let admission = try Self.admission(Self.definitions, crds: [crd])
        let mutated = try Self.admitted(admission.mutate(try Self.component("{type: mystery}"), old: nil))
        #expect(mutated.valueIfPresent(at: "spec.workload.apiVersion") == "example.com/v2")
        #expect(mutated.valueIfPresent(at: "spec.workload.kind") == "Mystery")
    }

    @Test("a workload type that is not a string, names no WorkloadDefinition, or an unknown kind is denied")
    func componentTypeErrors() throws {
        let admission = try Self.admission(Self.definitions)
        let notString = admission.mutate(try Self.component("{type: 3}"), old: nil)
        #expect(Self.errorLines(notString) == [
            "spec.workload.type: the workload type must be the name of a WorkloadDefinition, found integer",
        ])
        let unknown = admission.mutate(try Self.component("{type: nope}"), old: nil)
        #expect(Self.errorLines(unknown).count == 1)
        #expect(Self.errorLines(unknown).first?.hasPrefix("spec.workload.type: no WorkloadDefinition \"nope\"") == true)
        let noKind = admission.mutate(try Self.component("{type: mystery}"), old: nil)
        #expect(Self.errorLines(noKind) == [
            "spec.workload.type: WorkloadDefinition \"mystery\" refers to \"mysteries.example.com\", which is no kind this server serves; install its CustomResourceDefinition first",
        ])
        #expect(noKind.errors.first?.object == ObjectName(kind: "Component", namespace: "shop", name: "web"))
    }

    @Test("a Component without a workload type is not changed")
    func componentWithoutTypeIsUnchanged() throws {
        let admission = try Self.admission()
        let component = try Self.component("{apiVersion: apps/v1, kind: Deployment}")
        #expect(admission.mutate(component, old: nil) == .allowed(component, warnings: []))
    }

    // MARK: §10.2 Component validation

    @Test("the workload must be an object with apiVersion and kind and without type")
    func componentValidation() throws {
        let admission = try Self.admission(Self.definitions)
        #expect(Self.errorLines(admission.validate(try Self.component("[1]"), old: nil)) == [
            "spec.workload: the workload must be an object, found array",
        ])
        let typed = Self.errorLines(admission.validate(try Self.component("{type: webservice}"), old: nil))
        #expect(typed.contains { $0.hasPrefix("spec.workload.type: the workload contains type info") })
        #expect(Self.errorLines(admission.validate(try Self.component("{spec: {}}"), old: nil)) == [
            "spec.workload.apiVersion: the workload needs apiVersion", "spec.workload.kind: the workload needs kind",
        ])
        let badName = try Self.component("{apiVersion: v1, kind: ConfigMap}", name: "Bad_Name")
        #expect(Self.errorLines(admission.validate(badName, old: nil)).contains {
            $0.hasPrefix("metadata.name: invalid name \"Bad_Name\"")
        })
    }

    // MARK: §10.3 AppConfig mutation

    @Test("a trait's name and properties become the apiVersion, kind and spec of its TraitDefinition's CRD")
    func traitNameIsMutated() throws {
        let admission = try Self.admission(Self.definitions + "\n---\n" + Self.webComponent, crds: [Self.routeCRD])
        let app = try Self.appConfig("""
              - componentName: web
                traits:
                - trait: {name: route, properties: {host: shop.example.com}, metadata: {labels: {tier: front}}}
                - trait: {name: scaler, properties: {replicaCount: 3}}
                - trait: {apiVersion: example.com/v1, kind: Route, spec: {host: a}}
            """)
        let mutated = try Self.admitted(admission.mutate(app, old: nil))
        let route = try #require(mutated.valueIfPresent(at: "spec.components[0].traits[0].trait"))
        #expect(route == [
            "apiVersion": "example.com/v1beta1", "kind": "Route",
            "metadata": ["labels": ["tier": "front", "trait.oam.dev/type": "route"]],
            "spec": ["host": "shop.example.com"],
        ])
        #expect(mutated.valueIfPresent(at: "spec.components[0].traits[1].trait.apiVersion") == "core.oam.dev/v1alpha2")
        #expect(mutated.valueIfPresent(at: "spec.components[0].traits[1].trait.kind") == "ManualScalerTrait")
        #expect(mutated.valueIfPresent(at: "spec.components[0].traits[1].trait.spec") == ["replicaCount": 3])
        // A trait already written with its GVK is untouched.
        #expect(mutated.valueIfPresent(at: "spec.components[0].traits[2]") == app.valueIfPresent(at: "spec.components[0].traits[2]"))
        #expect(admission.admit(app, old: nil).errors.isEmpty)
    }

    @Test("a trait name that is not a string or names no TraitDefinition is denied at that trait")
    func traitNameErrors() throws {
        let admission = try Self.admission(Self.definitions)
        let app = try Self.appConfig("""
              - componentName: web
                traits:
                - trait: {name: [x]}
                - trait: {name: nope}
                - trait: {name: route}
            """)
        let lines = Self.errorLines(admission.mutate(app, old: nil))
        #expect(lines.count == 3)
        #expect(lines[0] == "spec.components[0].traits[0].trait.name: name of trait should be the name of a TraitDefinition, found array")
        #expect(lines[1].hasPrefix("spec.components[0].traits[1].trait.name: no TraitDefinition \"nope\""))
        #expect(lines[2].hasPrefix("spec.components[0].traits[2].trait.name: TraitDefinition \"route\" refers to \"routes.example.com\""))
    }

    // MARK: §10.4 AppConfig validation

    @Test("a trait left with name or properties, or without apiVersion and kind, is denied")
    func unmutatedTraitIsDenied() throws {
        let admission = try Self.admission(Self.definitions + "\n---\n" + Self.webComponent)
        let app = try Self.appConfig("""
              - componentName: web
                traits:
                - trait: {name: route, properties: {host: a}}
            """)
        let lines = Self.errorLines(admission.validate(app, old: nil))
        #expect(lines.contains { $0.hasPrefix("spec.components[0].traits[0].trait.name: the trait contains 'name' info") })
        #expect(lines.contains { $0.hasPrefix("spec.components[0].traits[0].trait.properties: the trait contains 'properties' info") })
        #expect(lines.contains("spec.components[0].traits[0].trait.apiVersion: the trait needs apiVersion"))
        #expect(lines.contains("spec.components[0].traits[0].trait.kind: the trait needs kind"))
    }

    @Test("componentName and revisionName together are denied")
    func componentAndRevisionName() throws {
        let admission = try Self.admission(Self.webComponent)
        let app = try Self.appConfig("  - {componentName: web, revisionName: web-v1}")
        #expect(Self.errorLines(admission.validate(app, old: nil)) == [
            "spec.components[0]: componentName \"web\" and revisionName \"web-v1\" are mutually exclusive, you can only specify one of them",
        ])
    }

    @Test("with a revisionEnabled trait the workload name must not be set")
    func revisionEnabledNaming() throws {
        let admission = try Self.admission(Self.definitions + "\n---\n" + Self.webComponent)
        let app = try Self.appConfig("""
              - componentName: web
                parameterValues: [{name: instance, value: fixed}]
                traits: [{trait: {apiVersion: example.com/v1, kind: Canary}}]
            """)
        #expect(Self.errorLines(admission.validate(app, old: nil)) == [
            "spec.components[0].parameterValues[0]: versioning-enabled component's workload name MUST NOT be assigned, expect workload name \"fixed\" to be empty.",
        ])
    }

    @Test("appliesToWorkloads refuses other workloads and accepts the documented kind.group/version form")
    func appliesToWorkloads() throws {
        let admission = try Self.admission(Self.definitions + "\n---\n" + Self.webComponent)
        let refused = try Self.appConfig("""
              - componentName: web
                traits: [{trait: {apiVersion: example.com/v1, kind: JobOnly}}]
            """)
        #expect(Self.errorLines(admission.validate(refused, old: nil)) == [
            "spec.components[0].traits[0].trait: the trait \"jobonlies.example.com\" cannot apply to workload \"deployments.apps\" of component \"web\" (appliable: [\"jobs.batch\" \"*.example.com\"])",
        ])
        let documented = try Self.appConfig("""
              - componentName: web
                traits: [{trait: {apiVersion: example.com/v1, kind: Documented}}]
            """)
        #expect(admission.validate(documented, old: nil).errors.isEmpty)
    }

    @Test("unknown and missing parameters are denied")
    func parameters() throws {
        var component = Self.webComponent
        component += "\n  - {name: replicas, fieldPaths: [spec.replicas], required: true}"
        let admission = try Self.admission(component)
        let app = try Self.appConfig("  - {componentName: web, parameterValues: [{name: colour, value: red}]}")
        let lines = Self.errorLines(admission.validate(app, old: nil))
        #expect(lines.contains { $0.hasPrefix("spec.components[0].parameterValues[0].name: unknown parameter \"colour\"") })
        #expect(lines.contains("spec.components[0].parameterValues: required parameter \"replicas\" of Component/web is not set"))
    }

    // MARK: §12.14 missing references warn

    @Test("a missing TraitDefinition, WorkloadDefinition, Component or scope warns instead of denying")
    func missingReferencesWarn() throws {
        // Deployments have a built-in definition (StandardCatalog); a ReplicaSet has none.
        let admission = try Self.admission(
            Self.webComponent.split(separator: "\n").map { $0 == "    kind: Deployment" ? "    kind: ReplicaSet" : String($0) }
                .joined(separator: "\n"))
        let app = try Self.appConfig("""
              - componentName: web
                traits: [{trait: {apiVersion: example.com/v1, kind: Unknown}}]
              - componentName: later
                scopes: [{scopeRef: {apiVersion: core.oam.dev/v1alpha2, kind: HealthScope, name: health}}]
              - revisionName: later-v1
            """)
        let verdict = admission.admit(app, old: nil)
        guard case .allowed(_, let warnings) = verdict else {
            Issue.record("expected allowed, got \(verdict.errors.map(\.description))")
            return
        }
        let lines = warnings.map { "\($0.path?.description ?? ""): \($0.message)" }
        #expect(lines.contains { $0.hasPrefix("spec.components[0].traits[0].trait: no TraitDefinition \"unknowns.example.com\"") })
        #expect(lines.contains { $0.hasPrefix("spec.components[0]: no WorkloadDefinition \"replicasets.apps\"") })
        #expect(lines.contains { $0.hasPrefix("spec.components[1].componentName: component \"later\" not found") && $0.hasSuffix("until it exists") })
        #expect(lines.contains { $0.hasPrefix("spec.components[1].scopes[0].scopeRef: scope HealthScope/health not found") })
        #expect(lines.contains { $0.hasPrefix("spec.components[2].revisionName: component revision \"later-v1\" not found") })
    }

    // MARK: Which writes are checked

    @Test("an update that leaves spec alone, and an object being deleted, are not checked")
    func ratcheting() throws {
        let admission = try Self.admission()
        let broken = try Self.appConfig("  - {componentName: web, revisionName: web-v1}")
        #expect(!admission.admit(broken, old: nil).errors.isEmpty)
        var relabelled = broken
        relabelled.setLabel("team", "a")
        #expect(admission.admit(relabelled, old: broken) == .allowed(relabelled, warnings: []))
        var deleting = broken
        deleting.withMetadata { $0["deletionTimestamp"] = "2026-01-01T00:00:00Z" }
        #expect(admission.admit(deleting, old: nil) == .allowed(deleting, warnings: []))
        let configMap = Resource(apiVersion: "v1", kind: "ConfigMap", name: "x")
        #expect(admission.admit(configMap, old: nil) == .allowed(configMap, warnings: []))
    }

    // MARK: JSON patch

    @Test("the JSON patch of a mutation adds, removes and replaces members, escaping ~ and /")
    func jsonPatchDiff() {
        let before: JSONValue = ["spec": ["workload": ["type": "webservice", "spec": ["a": 1]], "list": [1, 2]]]
        let after: JSONValue = [
            "spec": ["workload": ["spec": ["a": 1], "apiVersion": "apps/v1", "metadata": ["labels": ["a/b~c": "x"]]],
                     "list": [1]],
        ]
        #expect(JSONPatchDiff.operations(from: before, to: after) == [
            ["op": "remove", "path": "/spec/workload/type"],
            ["op": "add", "path": "/spec/workload/apiVersion", "value": "apps/v1"],
            ["op": "add", "path": "/spec/workload/metadata", "value": ["labels": ["a/b~c": "x"]]],
            ["op": "replace", "path": "/spec/list", "value": [1]],
        ])
        let escaped: JSONValue = ["a/b~c": 1]
        #expect(JSONPatchDiff.operations(from: [:], to: escaped) == [["op": "add", "path": "/a~1b~0c", "value": 1]])
        #expect(JSONPatchDiff.operations(from: before, to: before).isEmpty)
    }
}
