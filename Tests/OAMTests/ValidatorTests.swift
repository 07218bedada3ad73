import Foundation
import OrderedCollections
import OAM
import Resources
import Testing

@Suite("Validation")
struct ValidatorTests {
    static func appConfig(_ components: String, extra: String = "") -> String {
        """
        \(webComponent)
        ---
        \(extra)
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata:
          name: shop
        spec:
          components:
        \(components)
        """
    }

    @Test("the examples of the repository are valid")
    func validInput() throws {
        let diagnostics = try validate(Self.appConfig("""
                - componentName: web
                  parameterValues: [{name: image, value: "nginx:1.27"}]
                  traits:
                    - trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 2}}
            """))
        #expect(errors(diagnostics) == [])
    }

    @Test("a wrong type names the field and its line")
    func wrongType() throws {
        let diagnostics = try validate("""
            apiVersion: core.oam.dev/v1alpha2
            kind: ManualScalerTrait
            metadata: {name: scaler}
            spec:
              replicaCount: three
              workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
            """)
        #expect(errors(diagnostics) == [
            "test.yaml:5:17: error: ManualScalerTrait/default/scaler: spec.replicaCount: expected an integer, found a string"
        ])
    }

    @Test("componentName and revisionName together are refused", arguments: [
        ("    - {componentName: web, revisionName: web-v1}",
         "componentName \"web\" and revisionName \"web-v1\" are mutually exclusive, you can only specify one of them"),
        ("    - {parameterValues: []}", "either componentName or revisionName is required"),
        ("    - {componentName: nope}", "component \"nope\" not found in namespace default (components there: web)"),
        ("    - {revisionName: web-v7}",
         "component revision \"web-v7\" not found in namespace default (give the ControllerRevision, or use componentName to follow the latest revision)"),
    ])
    func componentReference(entry: String, message: String) throws {
        let diagnostics = try validate(Self.appConfig(entry))
        #expect(diagnostics.filter { $0.severity == .error }.map(\.message) == [message])
    }

    @Test("unknown and missing parameters are reported, all of them")
    func parameters() throws {
        let input = """
            apiVersion: core.oam.dev/v1alpha2
            kind: Component
            metadata: {name: api}
            spec:
              workload: {apiVersion: apps/v1, kind: Deployment, spec: {replicas: 1}}
              parameters:
                - {name: replicas, required: true, fieldPaths: [spec.replicas]}
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: api
                  parameterValues:
                    - {name: colour, value: blue}
                    - {name: size, value: 3}
            """
        let messages = try validate(input).filter { $0.severity == .error }.map(\.summary)
        #expect(messages == [
            "ApplicationConfiguration/default/shop: spec.components[0].parameterValues[0].name: unknown parameter \"colour\" (Component/api declares: replicas)",
            "ApplicationConfiguration/default/shop: spec.components[0].parameterValues[1].name: unknown parameter \"size\" (Component/api declares: replicas)",
            "ApplicationConfiguration/default/shop: spec.components[0].parameterValues: required parameter \"replicas\" of Component/api is not set",
        ])
    }

    @Test("a parameter's fieldPaths must point at fields of one type, never an object")
    func parameterFieldTypes() throws {
        let diagnostics = try validate("""
            apiVersion: core.oam.dev/v1alpha2
            kind: Component
            metadata: {name: api}
            spec:
              workload:
                apiVersion: apps/v1
                kind: Deployment
                spec: {replicas: 1, template: {metadata: {labels: {app: api}}}}
              parameters:
                - {name: mixed, fieldPaths: [spec.replicas, "spec.template.metadata.labels.app"]}
                - {name: whole, fieldPaths: [spec.template]}
                - {name: broken, fieldPaths: ["spec..x"]}
            """)
        let messages = errors(diagnostics)
        #expect(messages.count == 3)
        #expect(messages[0].contains("spec.parameters[0].fieldPaths[1]: parameter \"mixed\" points at fields of different types: spec.replicas is integer, spec.template.metadata.labels.app is string"))
        #expect(messages[1].contains("spec.parameters[1].fieldPaths[0]: parameter \"whole\" points at spec.template, which is an object"))
        #expect(messages[2].contains("spec.parameters[2].fieldPaths[0]: invalid field path \"spec..x\""))
    }

    @Test("trait objects must be mutated to apiVersion and kind")
    func traitShape() throws {
        let messages = try validate(Self.appConfig("""
                - componentName: web
                  traits:
                    - trait: {name: scaler, properties: {replicas: 2}}
            """)).filter { $0.severity == .error }.map { $0.path?.description ?? "" }
        #expect(messages == [
            "spec.components[0].traits[0].trait.name", "spec.components[0].traits[0].trait.properties",
            "spec.components[0].traits[0].trait.apiVersion", "spec.components[0].traits[0].trait.kind",
        ])
    }

    @Test("a trait without a definition is a warning, two of one type an error")
    func traitDefinitions() throws {
        let diagnostics = try validate(Self.appConfig("""
                - componentName: web
                  traits:
                    - trait: {apiVersion: example.com/v1, kind: Monitor}
                    - trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 1}}
                    - trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 2}}
            """))
        #expect(diagnostics.contains { $0.severity == .warning && $0.message.contains("no TraitDefinition \"monitors.example.com\"") })
        #expect(errors(diagnostics).count == 1)
        #expect(errors(diagnostics).first?.contains(
            "already has a trait of type \"manualscalertraits.core.oam.dev\" (traits[1]); at most one of each type is allowed") == true)
    }

    @Test("appliesToWorkloads accepts the forms of §10.4 and kind.group/version, and refuses others")
    func appliesToWorkloads() throws {
        func check(_ allowed: String) throws -> [String] {
            try errors(validate(Self.appConfig("""
                    - componentName: web
                      traits: [{trait: {apiVersion: example.com/v1, kind: Canary}}]
                """, extra: """
                apiVersion: core.oam.dev/v1alpha2
                kind: TraitDefinition
                metadata: {name: canaries.example.com}
                spec:
                  definitionRef: {name: canaries.example.com}
                  appliesToWorkloads: \(allowed)
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: WorkloadDefinition
                metadata: {name: deployments.apps}
                spec: {definitionRef: {name: deployments.apps}}
                ---
                """)))
        }
        for allowed in ["[]", "['*']", "['*.apps']", "[deployments.apps]", "[Deployment.apps/v1]"] {
            #expect(try check(allowed) == [], "\(allowed)")
        }
        let refused = try check("[containerizedworkloads.core.oam.dev]")
        #expect(refused.count == 1)
        #expect(refused.first?.hasSuffix(
            "the trait \"canaries.example.com\" cannot apply to workload \"deployments.apps\" of component \"web\" (appliable: [\"containerizedworkloads.core.oam.dev\"])") == true)
    }

    @Test("a revisionEnabled trait forbids naming the workload")
    func revisionEnabledNaming() throws {
        let diagnostics = try validate(Self.appConfig("""
                - componentName: web
                  parameterValues: [{name: name, value: fixed}]
                  traits: [{trait: {apiVersion: example.com/v1, kind: Canary}}]
            """, extra: """
            apiVersion: core.oam.dev/v1alpha2
            kind: TraitDefinition
            metadata: {name: canaries.example.com}
            spec: {definitionRef: {name: canaries.example.com}, revisionEnabled: true}
            ---
            """).replacingOccurrences(of: "    - name: replicas\n", with: "    - name: name\n      fieldPaths: [metadata.name]\n    - name: replicas\n"))
        #expect(errors(diagnostics).contains {
            $0.contains("versioning-enabled component's workload name MUST NOT be assigned, expect workload name \"fixed\" to be empty.")
        })
    }

    @Test("a component in two scopes of a type that forbids overlap is an error")
    func scopeOverlap() throws {
        let scopes = """
            apiVersion: core.oam.dev/v1alpha2
            kind: ScopeDefinition
            metadata: {name: networks.example.com}
            spec: {definitionRef: {name: networks.example.com}, allowComponentOverlap: false, workloadRefsPath: spec.refs}
            ---
            apiVersion: example.com/v1
            kind: Network
            metadata: {name: blue}
            ---
            apiVersion: example.com/v1
            kind: Network
            metadata: {name: green}
            ---
            """
        let diagnostics = try validate(Self.appConfig("""
                - componentName: web
                  scopes:
                    - scopeRef: {apiVersion: example.com/v1, kind: Network, name: blue}
                    - scopeRef: {apiVersion: example.com/v1, kind: Network, name: green}
                    - scopeRef: {apiVersion: example.com/v1, kind: Network, name: red}
            """, extra: scopes))
        #expect(errors(diagnostics).count == 3)
        #expect(errors(diagnostics).contains {
            $0.contains("component \"web\" is in two scopes of type \"networks.example.com\" (blue and green), which does not allow component overlap")
        })
        #expect(errors(diagnostics).contains { $0.contains("scope Network/red not found in namespace default") })
    }

    @Test("data inputs must name existing outputs; output names are unique")
    func dataFlow() throws {
        let diagnostics = try validate(Self.appConfig("""
                - componentName: web
                  dataOutputs: [{name: a, fieldPath: status.a}, {name: a, fieldPath: status.b}]
                  dataInputs: [{valueFrom: {dataOutputName: b}}]
            """))
        #expect(errors(diagnostics).count == 2)
        #expect(errors(diagnostics).contains { $0.contains("spec.components[0].dataOutputs[1].name: dataOutput \"a\" is declared twice (also at spec.components[0].dataOutputs[0])") })
        #expect(errors(diagnostics).contains { $0.contains("spec.components[0].dataInputs[0].valueFrom.dataOutputName: dataOutput \"b\" does not exist (declared: a)") })
    }

    @Test("a dependency cycle is named")
    func cycle() throws {
        let input = """
            \(webComponent)
            ---
            \(deploymentComponent("db"))
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: web
                  dataOutputs: [{name: web-url, fieldPath: status.url}]
                  dataInputs: [{valueFrom: {dataOutputName: db-host}}]
                - componentName: db
                  dataOutputs: [{name: db-host, fieldPath: status.host}]
                  dataInputs: [{valueFrom: {dataOutputName: web-url}}]
            """
        let found = errors(try validate(input))
        #expect(found.count == 1)
        #expect(found.first?.contains(
            "dependency cycle: component \"web\" →[web-url]→ component \"db\" →[db-host]→ component \"web\"") == true)
    }

    @Test("names, label keys and label values follow Kubernetes rules")
    func names() throws {
        let diagnostics = try validate("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: Not_Valid
              labels:
                "bad key!": x
                good: "value with spaces"
            """)
        let paths = errors(diagnostics)
        #expect(paths.count == 3)
        #expect(paths[0].hasPrefix("test.yaml:4:9: error: ConfigMap/default/Not_Valid: metadata.name: invalid name \"Not_Valid\""))
        #expect(paths[1].contains("test.yaml:6:17: error: ConfigMap/default/Not_Valid: metadata.labels[bad key!]: invalid label key \"bad key!\""))
        #expect(paths[2].contains("invalid label value \"value with spaces\""))
    }

    @Test("an unknown OAM kind and a missing kind are errors")
    func unknownKinds() throws {
        let diagnostics = try validate("""
            apiVersion: core.oam.dev/v1alpha2
            kind: Applikation
            metadata: {name: x}
            ---
            apiVersion: v1
            metadata: {name: y}
            """)
        let found = errors(diagnostics)
        #expect(found.count == 3)
        #expect(found[0].contains("unknown kind \"Applikation\" in core.oam.dev"))
        #expect(found[1] == "test.yaml:5:1: error: <no kind>/<unnamed>: kind: kind is required")
        // YAML 1.1, as Kubernetes reads it, takes a bare y for true.
        #expect(found[2].hasSuffix("metadata.name: expected a string, found boolean (YAML reads unquoted y, yes, on, true… as booleans: quote the value)"))
    }

    @Test("every diagnostic of an object from a file carries file:line:column")
    func positions() throws {
        let diagnostics = try validate(Self.appConfig("""
                - componentName: web
                  parameterValues:
                    - {name: colour, value: blue}
            """))
        let error = try #require(diagnostics.first { $0.severity == .error })
        let location = try #require(error.location)
        #expect(location.file == "test.yaml")
        #expect(location.line == 31)
        #expect(location.column == 18)
    }
}
