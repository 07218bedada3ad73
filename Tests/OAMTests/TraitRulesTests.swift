import OAM
import Resources
import Testing

/// `appliesToWorkloads` and `conflictsWith`, refused by validation (with file:line) and by the
/// renderer the AppConfig controller runs.
@Suite("Trait rules")
struct TraitRulesTests {
    static let podSpecComponent = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: standard.oam.dev/v1alpha1
            kind: PodSpecWorkload
            spec: {podSpec: {containers: [{name: web, image: nginx}]}}
        ---

        """

    static let definitions = """
        apiVersion: core.oam.dev/v1alpha2
        kind: TraitDefinition
        metadata: {name: canaries.example.com}
        spec:
          definitionRef: {name: canaries.example.com}
          appliesToWorkloads: [deployments.apps]
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: TraitDefinition
        metadata: {name: blues.example.com}
        spec:
          definitionRef: {name: blues.example.com}
          conflictsWith: ["*.other.example"]
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: TraitDefinition
        metadata: {name: greens.other.example}
        spec: {definitionRef: {name: greens.other.example}}
        ---

        """

    static func appConfig(traits: String) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            traits:
        \(traits)
        """
    }

    static let scalerAndAutoscaler = """
            - trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 2}}
            - trait:
                apiVersion: standard.oam.dev/v1alpha1
                kind: HorizontalPodAutoscalerTrait
                spec: {maxReplicas: 5}
        """

    @Test("a ManualScalerTrait and an autoscaler on one component are refused at the second, with file:line")
    func conflictingTraits() throws {
        let yaml = Self.podSpecComponent + Self.appConfig(traits: Self.scalerAndAutoscaler)
        let found = errors(try validate(yaml))
        #expect(found == [
            "test.yaml:19:9: error: ApplicationConfiguration/default/shop: spec.components[0].traits[1].trait: the trait \"horizontalpodautoscalertraits.standard.oam.dev\" conflicts with \"manualscalertraits.core.oam.dev\" (traits[0]) on component \"web\": TraitDefinition manualscalertraits.core.oam.dev lists \"horizontalpodautoscalertraits.standard.oam.dev\" in conflictsWith; keep one of them",
        ])
    }

    @Test("conflictsWith matches *.<group>, in either trait's definition")
    func groupWildcard() throws {
        for order in [["Blue", "Green"], ["Green", "Blue"]] {
            let traits = order.map { kind in
                let group = kind == "Blue" ? "example.com" : "other.example"
                return "    - trait: {apiVersion: \(group)/v1, kind: \(kind)}"
            }.joined(separator: "\n")
            let found = errors(try validate(Self.podSpecComponent + Self.definitions + Self.appConfig(traits: traits)))
            #expect(found.count == 1, "\(order)")
            #expect(found.first?.contains("spec.components[0].traits[1].trait: the trait") == true)
            #expect(found.first?.contains("TraitDefinition blues.example.com lists") == true)
        }
    }

    @Test("a trait whose appliesToWorkloads leaves out podspecworkloads.standard.oam.dev is refused on a PodSpecWorkload")
    func appliesToPodSpecWorkload() throws {
        let yaml = Self.podSpecComponent + Self.definitions
            + Self.appConfig(traits: "    - trait: {apiVersion: example.com/v1, kind: Canary}")
        #expect(errors(try validate(yaml)).map { $0.split(separator: ": ", maxSplits: 4).last.map(String.init) ?? "" } == [
            "the trait \"canaries.example.com\" cannot apply to workload \"podspecworkloads.standard.oam.dev\" of component \"web\" (appliable: [\"deployments.apps\"])",
        ])
        // The catalog's ServiceExposeTrait applies to it.
        let exposed = Self.podSpecComponent + Self.appConfig(traits: """
                - trait: {apiVersion: standard.oam.dev/v1alpha1, kind: ServiceExposeTrait, spec: {ports: [{port: 80}]}}
            """)
        #expect(errors(try validate(exposed)) == [])
    }

    @Test("the renderer refuses the entry, naming the trait, so the AppConfig controller reports it instead of running it")
    func rendererRefuses() throws {
        let rendered = try render(Self.podSpecComponent + Self.appConfig(traits: Self.scalerAndAutoscaler))
        #expect(rendered.components.isEmpty)
        #expect(rendered.errors.map(\.path?.description) == ["spec.components[0].traits[1].trait"])
        #expect(rendered.errors.first?.message.contains("conflicts with \"manualscalertraits.core.oam.dev\"") == true)

        let misapplied = try render(Self.podSpecComponent + Self.definitions
            + Self.appConfig(traits: "    - trait: {apiVersion: example.com/v1, kind: Canary}"))
        #expect(misapplied.components.isEmpty)
        #expect(misapplied.errors.first?.message.contains("cannot apply to workload \"podspecworkloads.standard.oam.dev\"") == true)
    }
}
