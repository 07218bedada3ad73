import OrderedCollections
import OAM
import Resources
import Testing

@Suite("Rendering components")
struct RendererTests {
    static func appConfig(_ components: String, metadata: String = "") -> String {
        """
        \(webComponent)
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata:
          name: shop
          namespace: default
        \(metadata)
        spec:
          components:
        \(components)
        """
    }

    @Test("an integer parameter stays an integer and a string stays a string")
    func parameterTypes() throws {
        let rendered = try render(Self.appConfig("""
                - componentName: web
                  parameterValues:
                    - {name: replicas, value: 3}
                    - {name: image, value: "nginx:1.27"}
            """))
        let workload = try #require(rendered.components.first).workload.object
        #expect(try workload.value(at: "spec.replicas") == .int(3))
        #expect(try workload.value(at: "spec.template.spec.containers[0].image") == "nginx:1.27")
    }

    @Test("an unknown parameter is an error naming the field and the declared parameters")
    func unknownParameter() throws {
        let rendered = try render(Self.appConfig("""
                - componentName: web
                  parameterValues:
                    - {name: colour, value: blue}
            """))
        #expect(rendered.components.isEmpty)
        let error = try #require(rendered.errors.first)
        #expect(error.path?.description == "spec.components[0].parameterValues[0].name")
        #expect(error.message == "unknown parameter \"colour\" (Component/web declares: image, replicas)")
    }

    @Test("a workload without a name is named after the component")
    func defaultName() throws {
        let rendered = try render(Self.appConfig("    - componentName: web"))
        #expect(rendered.components.first?.workload.object.name == "web")
        #expect(rendered.components.first?.revisionName == "web-v1")
    }

    @Test("labels of the AppConfig pass down unless the template sets them; last-applied does not")
    func passThrough() throws {
        let rendered = try render(Self.appConfig("    - componentName: web", metadata: """
              labels: {team: payments, app.oam.dev/name: ignored}
              annotations:
                owner: alice
                kubectl.kubernetes.io/last-applied-configuration: "{}"
            """))
        let workload = try #require(rendered.components.first).workload.object
        #expect(workload.labels["team"] == "payments")
        #expect(workload.labels["app.oam.dev/name"] == "shop")
        #expect(workload.annotations["owner"] == "alice")
        #expect(workload.annotations["kubectl.kubernetes.io/last-applied-configuration"] == nil)
    }

    @Test("an unnamed trait is named <component>-<type>-<hash>, stably")
    func traitNames() throws {
        let input = Self.appConfig("""
                - componentName: web
                  traits:
                    - trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 2}}
                    - trait: {apiVersion: example.com/v1, kind: Monitor, spec: {interval: 30s}}
            """)
        let first = try render(input)
        let second = try render(input)
        let names = try #require(first.components.first).traits.map(\.object.name)
        #expect(names == second.components.first?.traits.map(\.object.name))
        #expect(names[0].hasPrefix("web-manualscalertraits-"))
        #expect(names[1].hasPrefix("web-dummy-"))
        let hash = String(names[0].dropFirst("web-manualscalertraits-".count))
        #expect(!hash.isEmpty && hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        #expect(first.components.first?.traits[1].message
            == "No valid TraitDefinition found, all framework capabilities will work as default or disabled")
    }

    @Test("a changed trait keeps the name recorded in status; two unnamed traits of a kind stay apart")
    func traitNameReuse() throws {
        let input = Self.appConfig("""
                - componentName: web
                  traits:
                    - trait: {apiVersion: example.com/v1, kind: Monitor, spec: {interval: 10s}}
                    - trait: {apiVersion: example.com/v1, kind: Monitor, spec: {interval: 60s}}
            """) + """

            status:
              workloads:
                - componentName: web
                  traits:
                    - traitRef: {apiVersion: example.com/v1, kind: Monitor, name: web-monitor-a}
                    - traitRef: {apiVersion: example.com/v1, kind: Monitor, name: web-monitor-b}
            """
        let rendered = try render(input)
        #expect(rendered.components.first?.traits.map(\.object.name) == ["web-monitor-a", "web-monitor-b"])
    }

    @Test("a revisionEnabled trait names the workload after the latest revision")
    func revisionEnabled() throws {
        let input = """
            apiVersion: core.oam.dev/v1alpha2
            kind: TraitDefinition
            metadata: {name: canaries.example.com}
            spec:
              definitionRef: {name: canaries.example.com}
              revisionEnabled: true
              workloadRefPath: spec.target
            ---
            \(webComponent)
            status:
              latestRevision: {name: web-v4, revision: 4}
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: web
                  traits:
                    - trait: {apiVersion: example.com/v1, kind: Canary, spec: {weight: 10}}
            """
        let rendered = try render(input)
        let component = try #require(rendered.components.first)
        #expect(component.isRevisionEnabled)
        #expect(component.workload.object.name == "web-v4")
        #expect(try component.traits[0].object.value(at: "spec.target.name") == "web-v4")
    }

    @Test("attaching a revisionEnabled trait keeps a workload that already runs the latest revision")
    func revisionEnabledKeepsExisting() throws {
        let input = """
            apiVersion: core.oam.dev/v1alpha2
            kind: TraitDefinition
            metadata: {name: canaries.example.com}
            spec:
              definitionRef: {name: canaries.example.com}
              revisionEnabled: true
            ---
            \(webComponent)
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: web
                  traits:
                    - trait: {apiVersion: example.com/v1, kind: Canary}
            status:
              workloads:
                - componentName: web
                  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
            """
        let live = try object("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default, labels: {app.oam.dev/revision: web-v1}}
            """)
        #expect(try render(input, observed: [live]).components.first?.workload.object.name == "web")
        #expect(try render(input).components.first?.workload.object.name == "web-v1")
    }

    @Test("revisionName renders the snapshot; the workload keeps the component name")
    func pinnedRevision() throws {
        let input = """
            \(webComponent)
            ---
            apiVersion: apps/v1
            kind: ControllerRevision
            metadata: {name: web-v1, labels: {controller.oam.dev/component: web}}
            revision: 1
            data:
              apiVersion: core.oam.dev/v1alpha2
              kind: Component
              metadata: {name: web}
              spec:
                workload:
                  apiVersion: apps/v1
                  kind: Deployment
                  spec: {replicas: 5}
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - revisionName: web-v1
            """
        let component = try #require(try render(input).components.first)
        #expect(component.workload.object.name == "web")
        #expect(component.revisionName == "web-v1")
        #expect(component.workload.object.labels["app.oam.dev/revision"] == "web-v1")
        #expect(try component.workload.object.value(at: "spec.replicas") == 5)
    }

    @Test("a component that cannot render does not stop the others")
    func perComponentErrors() throws {
        let rendered = try render(Self.appConfig("""
                - componentName: missing
                - componentName: web
            """))
        #expect(rendered.components.map(\.componentName) == ["web"])
        #expect(rendered.errors.map(\.message) == ["component \"missing\" does not exist in namespace default"])
        #expect(rendered.errors.first?.path?.description == "spec.components[0].componentName")
    }

    @Test("rendering is deterministic and follows spec order")
    func deterministic() throws {
        let input = """
            \(webComponent)
            ---
            \(deploymentComponent("api"))
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: web
                - componentName: api
            """
        let first = try render(input)
        let second = try render(input)
        #expect(first.objects.map(\.object) == second.objects.map(\.object))
        #expect(first.objects.map(\.object.name) == ["web", "api"])
        #expect(first.objects.map { $0.object.value.jsonString() } == second.objects.map { $0.object.value.jsonString() })
    }
}
