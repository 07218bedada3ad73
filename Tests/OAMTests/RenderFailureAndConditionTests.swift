import OrderedCollections
import OAM
import Resources
import Testing

/// Entries that cannot render (kinds the server does not serve, outputs that do not exist) and
/// data-passing conditions on outputs that are empty or missing (spec §6.2, §6.3).
@Suite("Render failures and empty outputs")
struct RenderFailureAndConditionTests {
    static let canary = GroupVersionKind(group: "rollout.example.com", version: "v1", kind: "CanaryTrait")

    static let canaryApp = """
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
              traits:
                - trait: {apiVersion: example.com/v1, kind: Route, metadata: {name: web-route}}
                - trait: {apiVersion: rollout.example.com/v1, kind: CanaryTrait, metadata: {name: web-canary}}
            - componentName: db
        """

    static func renderServing(_ yaml: String, unserved: Set<GroupVersionKind>) throws -> RenderedApplication {
        let set = try manifestSet(yaml)
        let manifest = try #require(set.applicationConfigurations.first)
        return Renderer(catalog: set.catalog, unservedKinds: unserved).render(try ApplicationConfiguration(manifest.resource))
    }

    @Test("a trait of a kind the server does not serve fails its entry, naming apiVersion, kind and name")
    func unservedTrait() throws {
        let rendered = try Self.renderServing(Self.canaryApp, unserved: [Self.canary])
        #expect(rendered.components.map(\.componentName) == ["db"])
        #expect(rendered.failedEntries == [0])
        let error = try #require(rendered.errors.first)
        #expect(error.path?.description == "spec.components[0].traits[1].trait")
        #expect(error.message.contains("trait rollout.example.com/v1 CanaryTrait \"web-canary\" cannot be applied"))
        #expect(error.message.contains("does not serve kind CanaryTrait in rollout.example.com/v1"))
        // Nothing of the entry is rendered, so nothing of it can be applied.
        #expect(!rendered.objects.contains { $0.object.name == "web" || $0.object.name == "web-route" })
    }

    @Test("a served kind without a TraitDefinition still renders, with the default definition")
    func servedWithoutDefinition() throws {
        let rendered = try Self.renderServing(Self.canaryApp, unserved: [])
        #expect(rendered.errors.isEmpty)
        #expect(rendered.failedEntries.isEmpty)
        #expect(rendered.components[0].traits[1].definitionName == "dummy")
    }

    @Test("a workload of a kind the server does not serve fails its entry")
    func unservedWorkload() throws {
        let rendered = try Self.renderServing(Self.canaryApp, unserved: [GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")])
        #expect(rendered.components.isEmpty)
        #expect(rendered.failedEntries == [0, 1])
        #expect(rendered.errors.first?.path?.description == "spec.components[0]")
        #expect(rendered.errors.first?.message.hasPrefix("workload apps/v1 Deployment \"web\" cannot be applied") == true)
    }

    @Test("an entry whose input names an output that does not exist is listed as failed")
    func unknownOutputFails() throws {
        let rendered = try render(DependencyTests.input(output: DependencyTests.hostOutput, input: """
                  dataInputs:
                    - valueFrom: {dataOutputName: nope}
            """))
        #expect(rendered.failedEntries == [0])
        #expect(rendered.components.map(\.entryIndex) == [1])
    }

    /// The data-passing AppConfig with `db`'s output guarded by `conditions`.
    static func guarded(_ conditions: String, fieldPath: String = "status.host") -> String {
        DependencyTests.input(output: """
                    - name: db-host
                      fieldPath: \(fieldPath)
                      conditions: \(conditions)
            """)
    }

    @Test("notEmpty without fieldPath holds the edge while the output is an empty string",
          arguments: ["[{op: notEmpty}]", "[{op: notEq, value: \"\"}]", "[{op: notEq}]"])
    func emptyOutputWaits(conditions: String) throws {
        let empty = try render(Self.guarded(conditions), observed: [DependencyTests.db("{host: \"\"}")])
        let edge = try #require(empty.dataEdges.first)
        #expect(!edge.isSatisfied)
        #expect(empty.unsatisfiedDependencies.first?.reason.isEmpty == false)
        #expect(empty.components.first?.workload.isReady == false)
        #expect(empty.components.first?.workload.object.valueIfPresent(at: "spec.template.spec.containers[0].env") == nil)

        let filled = try render(Self.guarded(conditions), observed: [DependencyTests.db("{host: db.svc}")])
        #expect(filled.dataEdges.first?.state == .satisfied("db.svc"))
    }

    @Test("notEmpty says why it waits")
    func notEmptyReason() throws {
        let empty = try render(Self.guarded("[{op: notEmpty}]"), observed: [DependencyTests.db("{host: \"\"}")])
        #expect(empty.dataEdges.first?.state == .waiting("value should not be empty"))
        let notEq = try render(Self.guarded("[{op: notEq, value: \"\"}]"), observed: [DependencyTests.db("{host: \"\"}")])
        #expect(notEq.dataEdges.first?.state == .waiting("got() expected not to be "))
    }

    @Test("eq with an empty value holds only while the output is empty (spec §6.3)")
    func eqEmpty() throws {
        let filled = try render(Self.guarded("[{op: eq, value: \"\"}]"), observed: [DependencyTests.db("{host: db.svc}")])
        #expect(filled.dataEdges.first?.state == .waiting("got(db.svc) expected to be "))
        let empty = try render(Self.guarded("[{op: eq, value: \"\"}]"), observed: [DependencyTests.db("{host: \"\"}")])
        #expect(empty.dataEdges.first?.state == .satisfied(""))
    }

    @Test("a condition on a field that is missing or null keeps the edge waiting",
          arguments: ["{host: db.svc}", "{host: db.svc, phase: null}"])
    func conditionFieldMissing(status: String) throws {
        let rendered = try render(
            Self.guarded("[{op: notEmpty, fieldPath: status.phase}]"), observed: [DependencyTests.db(status)])
        guard case .waiting(let reason) = rendered.dataEdges.first?.state else {
            Issue.record("the edge should wait: \(String(describing: rendered.dataEdges.first))")
            return
        }
        #expect(reason.contains("status.phase"))
        #expect(rendered.components.first?.workload.isReady == false)
    }

    @Test("an output that is missing or null keeps the edge waiting, with or without conditions",
          arguments: ["[]", "[{op: notEmpty}]", "[{op: eq, value: \"\"}]"])
    func outputMissing(conditions: String) throws {
        for status in ["{}", "{host: null}"] {
            let rendered = try render(Self.guarded(conditions), observed: [DependencyTests.db(status)])
            #expect(rendered.dataEdges.first?.state == .waiting("status.host not found in Deployment/db"), "\(status)")
            #expect(rendered.components.first?.workload.isReady == false)
        }
    }

    @Test("an input condition on the consumer waits while the consumer's field is missing")
    func inputConditionOnMissingField() throws {
        let input = DependencyTests.input(output: DependencyTests.hostOutput, input: """
                  dataInputs:
                    - valueFrom: {dataOutputName: db-host}
                      toFieldPaths: ["spec.host"]
                      conditions: [{op: notEmpty, fieldPath: spec.mode}]
            """)
        let consumer = try object("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec: {}
            """)
        let rendered = try render(input, observed: [DependencyTests.db("{host: db.svc}"), consumer])
        guard case .waiting(let reason) = rendered.dataEdges.first?.state else {
            Issue.record("the edge should wait")
            return
        }
        #expect(reason.hasPrefix("DataInputs Conditions: "))
        #expect(reason.contains("spec.mode"))
    }
}
