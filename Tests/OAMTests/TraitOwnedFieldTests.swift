import Foundation
import OAM
import Resources
import Testing

/// `ownsWorkloadFields`: the renderer notes the workload fields a trait sets itself, and the
/// object to apply leaves them out unless the live workload still holds the Component's value.
@Suite("Workload fields owned by a trait")
struct TraitOwnedFieldTests {
    static let component = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: apps/v1
            kind: Deployment
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: nginx}]}
        ---

        """

    static func app(traits: String) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            traits: \(traits)
        """
    }

    /// The rendered workload of `web` with `traits`.
    static func workload(traits: String, extra: String = "") throws -> RenderedObject {
        let rendered = try render(component + extra + app(traits: traits))
        #expect(rendered.errors.isEmpty, "\(rendered.errors)")
        return try #require(rendered.components.first?.workload)
    }

    @Test("the scaling traits declare spec.replicas as theirs, and only they", arguments: BuiltinDefinitions.all)
    func scalersDeclareReplicas(definition: Resource) {
        let scalers: Set = [
            "manualscalertraits.core.oam.dev", "horizontalpodautoscalertraits.standard.oam.dev",
            "rollouttraits.standard.oam.dev",
        ]
        #expect(definition.spec?["ownsWorkloadFields"] == (scalers.contains(definition.name) ? ["spec.replicas"] : nil))
    }

    @Test("no trait that owns a field: the workload is applied as rendered")
    func withoutOwner() throws {
        let workload = try Self.workload(traits: "[]")
        #expect(workload.traitOwnedFields.isEmpty)
        #expect(workload.objectToApply(live: nil).spec?["replicas"] == 2)
    }

    @Test("a ManualScalerTrait's replicas are left out of a new workload and of one it has scaled")
    func manualScaler() throws {
        let workload = try Self.workload(traits: "[{trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 4}}}]")
        #expect(workload.traitOwnedFields == [TraitOwnedField(
            path: "spec.replicas", componentValue: 2, definitionName: "manualscalertraits.core.oam.dev")])
        // What is rendered (mizzen render) keeps the Component's value…
        #expect(workload.object.spec?["replicas"] == 2)
        // …what is applied does not: a new workload is sized by the trait,
        #expect(workload.objectToApply(live: nil).spec?["replicas"] == nil)
        #expect(workload.objectToApply(live: nil).valueIfPresent(at: "spec.template.spec.containers[0].image") == "nginx")
        // and so is one the trait has scaled.
        var scaled = workload.object
        try scaled.setValue(4, at: "spec.replicas")
        #expect(workload.objectToApply(live: scaled).spec?["replicas"] == nil)
    }

    @Test("a running workload that still holds the Component's value keeps it until the trait sets its own")
    func handOver() throws {
        let workload = try Self.workload(traits: "[{trait: {apiVersion: standard.oam.dev/v1alpha1, kind: HorizontalPodAutoscalerTrait, spec: {maxReplicas: 5}}}]")
        #expect(workload.objectToApply(live: workload.object).spec?["replicas"] == 2)
    }

    @Test("a TraitDefinition of one's own may declare the fields its trait sets; a path that does not parse is an error on it")
    func customDefinition() throws {
        let definition = """
            apiVersion: core.oam.dev/v1alpha2
            kind: TraitDefinition
            metadata: {name: pausers.example.com}
            spec:
              definitionRef: {name: pausers.example.com}
              ownsWorkloadFields: [spec.paused, spec.replicas]
            ---

            """
        let workload = try Self.workload(traits: "[{trait: {apiVersion: example.com/v1, kind: Pauser}}]", extra: definition)
        // spec.paused is not set by the Component: nothing to leave out there.
        #expect(workload.traitOwnedFields.map(\.path) == ["spec.replicas"])
        #expect(workload.traitOwnedFields.first?.definitionName == "pausers.example.com")

        let broken = try render(Self.component + definition.replacingOccurrences(of: "spec.paused", with: "\"spec[\"")
            + Self.app(traits: "[{trait: {apiVersion: example.com/v1, kind: Pauser}}]"))
        #expect(broken.components.isEmpty)
        #expect(broken.errors.first?.path?.description == "spec.ownsWorkloadFields")
        #expect(broken.errors.first?.object?.name == "pausers.example.com")
    }
}
