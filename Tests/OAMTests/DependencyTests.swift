import OrderedCollections
import OAM
import Resources
import Testing

@Suite("Dependencies and data passing")
struct DependencyTests {
    static func input(output: String, input: String = """
              dataInputs:
                - valueFrom: {dataOutputName: db-host}
                  toFieldPaths: ["spec.template.spec.containers[0].env[0].value"]
        """, metadata: String = "") -> String {
        """
        \(webComponent)
        ---
        \(deploymentComponent("db"))
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata:
          name: shop
        \(metadata)
        spec:
          components:
            - componentName: web
        \(input)
            - componentName: db
              dataOutputs:
        \(output)
        """
    }

    static func db(_ status: String) throws -> Resource {
        try object("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: db, namespace: default}
            status: \(status)
            """)
    }

    static let hostOutput = """
                - name: db-host
                  fieldPath: status.host
        """

    @Test("an input waits while its producer does not exist, and says so")
    func waitsForProducer() throws {
        let rendered = try render(Self.input(output: Self.hostOutput))
        let web = try #require(rendered.components.first).workload
        #expect(!web.isReady)
        #expect(rendered.unsatisfiedDependencies == [.init(
            reason: "Deployment/db does not exist yet",
            from: .init(apiVersion: "apps/v1", kind: "Deployment", name: "db", fieldPath: "status.host"),
            to: .init(apiVersion: "apps/v1", kind: "Deployment", name: "web",
                      fieldPaths: ["spec.template.spec.containers[0].env[0].value"]))])
        // The consumer's field is not filled while it waits.
        #expect(web.object.valueIfPresent(at: "spec.template.spec.containers[0].env") == nil)
    }

    @Test("a missing field and an empty string keep the input waiting")
    func missingAndEmpty() throws {
        let missing = try render(Self.input(output: Self.hostOutput), observed: [Self.db("{}")])
        #expect(missing.dataEdges.first?.state == .waiting("status.host not found in Deployment/db"))
        let empty = try render(Self.input(output: Self.hostOutput), observed: [Self.db("{host: \"\"}")])
        #expect(empty.dataEdges.first?.state == .waiting("status.host of Deployment/db is empty"))
    }

    @Test("a ready output is passed into every toFieldPath")
    func passesValue() throws {
        let rendered = try render(Self.input(output: Self.hostOutput), observed: [Self.db("{host: db.svc}")])
        let web = try #require(rendered.components.first).workload
        #expect(web.isReady)
        #expect(rendered.dataEdges.first?.state == .satisfied("db.svc"))
        #expect(try web.object.value(at: "spec.template.spec.containers[0].env[0].value") == "db.svc")
    }

    @Test("a list output is appended to the list at the target")
    func appendsLists() throws {
        let input = Self.input(output: """
                    - name: db-host
                      fieldPath: status.hosts
            """, input: """
                  dataInputs:
                    - valueFrom: {dataOutputName: db-host}
                      toFieldPaths: ["spec.template.spec.containers[0].args"]
            """)
        let rendered = try render(input, observed: [Self.db("{hosts: [a, b]}")])
        #expect(try rendered.components[0].workload.object.value(at: "spec.template.spec.containers[0].args")
            == ["a", "b"])
    }

    @Test("conditions compare with eq, notEq, notEmpty and values taken from the AppConfig")
    func conditions() throws {
        let output = """
                    - name: db-host
                      fieldPath: status.host
                      conditions:
                        - {op: eq, fieldPath: status.phase, valueFrom: {fieldPath: "metadata.labels[expected-phase]"}}
                        - {op: notEq, fieldPath: status.host, value: pending}
                        - {op: notEmpty, fieldPath: status.version}
            """
        let input = Self.input(output: output, metadata: "  labels: {expected-phase: Ready}")
        let notReady = try render(input, observed: [Self.db("{host: db.svc, phase: Creating, version: '16'}")])
        #expect(notReady.dataEdges.first?.state == .waiting("got(Creating) expected to be Ready"))
        let pending = try render(input, observed: [Self.db("{host: pending, phase: Ready, version: '16'}")])
        #expect(pending.dataEdges.first?.state == .waiting("got(pending) expected not to be pending"))
        let noVersion = try render(input, observed: [Self.db("{host: db.svc, phase: Ready, version: ''}")])
        #expect(noVersion.dataEdges.first?.state == .waiting("value should not be empty"))
        let ready = try render(input, observed: [Self.db("{host: db.svc, phase: Ready, version: '16'}")])
        #expect(ready.dataEdges.first?.state == .satisfied("db.svc"))
    }

    @Test("a condition may compare a number, such as readyReplicas")
    func numericCondition() throws {
        let output = """
                    - name: db-host
                      fieldPath: status.host
                      conditions: [{op: eq, fieldPath: status.readyReplicas, value: "1"}]
            """
        let waiting = try render(Self.input(output: output), observed: [Self.db("{host: h, readyReplicas: 0}")])
        #expect(waiting.dataEdges.first?.state == .waiting("got(0) expected to be 1"))
        let ready = try render(Self.input(output: output), observed: [Self.db("{host: h, readyReplicas: 1}")])
        #expect(ready.dataEdges.first?.isSatisfied == true)
    }

    @Test("an output without fieldPath and conditions only orders creation")
    func orderingOnly() throws {
        let rendered = try render(Self.input(output: "            - name: db-host"))
        #expect(rendered.dataEdges.first?.state == .satisfied(.null))
        #expect(rendered.components.first?.workload.isReady == true)
    }

    @Test("input conditions on the consumer fill a field only while it is empty")
    func inputConditions() throws {
        let input = Self.input(output: Self.hostOutput, input: """
                  dataInputs:
                    - valueFrom: {dataOutputName: db-host}
                      toFieldPaths: ["spec.host"]
                      conditions: [{op: eq, fieldPath: spec.host, value: ""}]
            """)
        let filled = try object("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec: {host: old.svc}
            """)
        let rendered = try render(input, observed: [Self.db("{host: new.svc}"), filled])
        #expect(rendered.dataEdges.first?.state == .waiting("DataInputs Conditions: got(old.svc) expected to be "))
        let fresh = try render(input, observed: [Self.db("{host: new.svc}")])
        #expect(fresh.dataEdges.first?.state == .satisfied("new.svc"))
    }

    @Test("a trait can feed a component")
    func traitToComponent() throws {
        let input = """
            \(webComponent)
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: web
                  traits:
                    - trait: {apiVersion: example.com/v1, kind: Route, metadata: {name: web-route}}
                      dataOutputs: [{name: url, fieldPath: status.url}]
                  dataInputs:
                    - valueFrom: {dataOutputName: url}
                      toFieldPaths: ["metadata.annotations[public-url]"]
            """
        let route = try object("""
            apiVersion: example.com/v1
            kind: Route
            metadata: {name: web-route, namespace: default}
            status: {url: "https://shop.example.com"}
            """)
        let rendered = try render(input, observed: [route])
        #expect(rendered.components.first?.workload.object.annotations["public-url"] == "https://shop.example.com")
    }

    @Test("an input naming an output that does not exist is an error for that component")
    func unknownOutput() throws {
        let rendered = try render(Self.input(output: Self.hostOutput, input: """
                  dataInputs:
                    - valueFrom: {dataOutputName: nope}
            """))
        #expect(rendered.errors.first?.message == "dataOutput \"nope\" does not exist (declared: db-host)")
        #expect(rendered.errors.first?.path?.description == "spec.components[0].dataInputs[0].valueFrom.dataOutputName")
        #expect(rendered.components.map(\.componentName) == ["db"])
    }

    @Test("a scope lists only the workloads that are ready")
    func scopesSkipWaiting() throws {
        let input = """
            \(webComponent)
            ---
            \(deploymentComponent("db"))
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: HealthScope
            metadata: {name: health}
            spec: {workloadRefs: []}
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
                - componentName: web
                  dataInputs: [{valueFrom: {dataOutputName: db-host}}]
                  scopes: [{scopeRef: {apiVersion: core.oam.dev/v1alpha2, kind: HealthScope, name: health}}]
                - componentName: db
                  dataOutputs: [{name: db-host, fieldPath: status.host}]
                  scopes: [{scopeRef: {apiVersion: core.oam.dev/v1alpha2, kind: HealthScope, name: health}}]
            """
        let scope = try #require(try render(input).scopes.first)
        #expect(scope.members.map(\.name) == ["db"])
    }
}
