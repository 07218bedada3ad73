import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The ApplicationConfiguration and Component controllers end to end: objects created through
/// the client on an embedded plane, the controllers running in a manager, outcomes read back
/// through the API.
@Suite(.serialized) struct AppConfigControllerTests {
    static let webComponent = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: apps/v1
            kind: Deployment
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: nginx:1.0}]
          parameters:
          - {name: image, fieldPaths: ["spec.template.spec.containers[0].image"]}
        """

    static let webApp = """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            parameterValues: [{name: image, value: "nginx:1.25"}]
        """

    @Test(arguments: Substrate.available) func appConfigCreatedWithItsComponentConvergesWithoutErrors(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            // Both at once: the AppConfig must not render the component before its first revision.
            try await runtime.create(Self.webComponent + "\n---\n" + Self.webApp)
            let deployment = try await runtime.waitFor(Kinds.deployment, "web")
            #expect(deployment.valueIfPresent(at: "spec.template.spec.containers[0].image") == "nginx:1.25")
            #expect(deployment.labels[OAM.Label.appName] == "shop")
            #expect(deployment.labels[OAM.Label.revision] == "web-v1")
            #expect(deployment.labels[OAM.Label.resourceType] == "WORKLOAD")
            #expect(deployment.controllerReference?.kind == "ApplicationConfiguration")

            let app = try await runtime.waitFor(Kinds.appConfig, "shop") { Self.isSynced($0) }
            #expect(app.valueIfPresent(at: "status.workloads[0].componentRevisionName") == "web-v1")
            #expect(app.valueIfPresent(at: "status.workloads[0].workloadRef.name") == "web")
            #expect(app.valueIfPresent(at: "status.observedGeneration") == 1)
            let component = try await runtime.waitFor(Kinds.component, "web")
            #expect(component.valueIfPresent(at: "status.latestRevision.name") == "web-v1")
            // Never an error on the way: the condition never left ReconcileSuccess.
            #expect(app.valueIfPresent(at: "status.conditions[0].reason") == "ReconcileSuccess")
        }
    }

    @Test(arguments: Substrate.available) func everyComponentSpecChangeIsARevisionAndMetadataChangesAreNot(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.webComponent + "\n---\n" + Self.webApp)
            try await runtime.waitFor(Kinds.appConfig, "shop") { Self.isSynced($0) }

            // A spec change: a new revision, and the workload follows it in place.
            try await runtime.edit(Kinds.component, "web") { object in
                try object.setValue("busybox", at: "spec.workload.spec.template.spec.containers[0].name")
            }
            try await runtime.waitFor(Kinds.revision, "web-v2")
            let updated = try await runtime.waitFor(Kinds.deployment, "web") { $0.labels[OAM.Label.revision] == "web-v2" }
            #expect(updated.valueIfPresent(at: "spec.template.spec.containers[0].name") == "busybox")

            // A label change: no revision.
            try await runtime.edit(Kinds.component, "web") { object in
                object.setLabel("team", "checkout")
            }
            try await runtime.waitFor(Kinds.component, "web") { $0.labels["team"] == "checkout" }
            let revisions = try await runtime.client.list(
                Kinds.revision, namespace: runtime.namespace,
                options: ListOptions(labelSelector: try LabelSelector(parsing: "controller.oam.dev/component=web")))
            #expect(revisions.items.map(\.name).sorted() == ["web-v1", "web-v2"])
        }
    }

    @Test(arguments: Substrate.available) func aConvergedAppGetsNoWrites(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.webComponent + "\n---\n" + Self.webApp)
            try await runtime.waitFor(Kinds.appConfig, "shop") { Self.isSynced($0) }
            let deployment = try await runtime.waitFor(Kinds.deployment, "web")

            // An unrelated label on the AppConfig triggers a reconcile that passes it down once…
            try await runtime.edit(Kinds.appConfig, "shop") { object in object.setLabel("tier", "frontend") }
            let relabelled = try await runtime.waitFor(Kinds.deployment, "web") { $0.labels["tier"] == "frontend" }
            #expect(relabelled.resourceVersion != deployment.resourceVersion)

            // …and a full resync with nothing new writes nothing at all.
            try await runtime.expectResyncWritesNothing([(Kinds.deployment, "web"), (Kinds.appConfig, "shop")])
            let revision = try #require(try await runtime.get(Kinds.revision, "web-v1"))
            #expect(revision.resourceVersion != nil)
        }
    }

    @Test(arguments: Substrate.available) func anOutOfBandEditOfARenderedFieldIsPutBack(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.webComponent + "\n---\n" + Self.webApp)
            try await runtime.waitFor(Kinds.deployment, "web")
            _ = try await runtime.client.patch(
                Kinds.deployment, name: "web", namespace: runtime.namespace,
                patch: [["op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "evil:1"]],
                type: .json)
            try await runtime.waitFor(Kinds.deployment, "web") {
                $0.valueIfPresent(at: "spec.template.spec.containers[0].image") == "nginx:1.25"
            }
        }
    }

    @Test(arguments: Substrate.available) func revisionNamePinsTheSnapshot(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.webComponent)
            try await runtime.waitFor(Kinds.revision, "web-v1")
            try await runtime.edit(Kinds.component, "web") { object in
                try object.setValue("nginx:2.0", at: "spec.workload.spec.template.spec.containers[0].image")
            }
            try await runtime.waitFor(Kinds.revision, "web-v2")
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: pinned}
                spec:
                  components:
                  - revisionName: web-v1
                """)
            let deployment = try await runtime.waitFor(Kinds.deployment, "web")
            #expect(deployment.valueIfPresent(at: "spec.template.spec.containers[0].image") == "nginx:1.0")
            #expect(deployment.labels[OAM.Label.revision] == "web-v1")
        }
    }

    @Test(arguments: Substrate.available) func removedTraitsAndComponentsAreCollected(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: config}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {mode: "on"}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: settings}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {level: high}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: cleanup}
                spec:
                  components:
                  - componentName: config
                    traits:
                    - trait: {apiVersion: v1, kind: Secret, metadata: {name: config-secret}, stringData: {a: b}}
                  - componentName: settings
                """)
            try await runtime.waitFor(Kinds.configMap, "settings")
            try await runtime.waitFor(GroupVersionKind(group: "", version: "v1", kind: "Secret"), "config-secret")

            try await runtime.edit(Kinds.appConfig, "cleanup") { object in
                try object.setValue([["componentName": "config"]], at: "spec.components")
            }
            try await runtime.waitForAbsence(Kinds.configMap, "settings")
            try await runtime.waitForAbsence(GroupVersionKind(group: "", version: "v1", kind: "Secret"), "config-secret")
            #expect(try await runtime.get(Kinds.configMap, "config") != nil)
        }
    }

    @Test(arguments: Substrate.available) func dataPassesFromOneComponentToAnotherAndFollowsChanges(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Fixtures.databaseAndAPIComponents + """
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: linked}
                spec:
                  components:
                  - componentName: api
                    dataInputs:
                    - valueFrom: {dataOutputName: db-url}
                      toFieldPaths: ["data.database"]
                  - componentName: db
                    dataOutputs:
                    - {name: db-url, fieldPath: "data.url"}
                """)
            let api = try await runtime.waitFor(Kinds.configMap, "api")
            #expect(api.valueIfPresent(at: "data.database") == "postgres://db:5432")
            let app = try await runtime.waitFor(Kinds.appConfig, "linked") {
                $0.valueIfPresent(at: "status.dataEdges[0].ready") == true
            }
            #expect(app.valueIfPresent(at: "status.dataEdges[0].value") == "postgres://db:5432")

            // The producer's output changes after the consumer exists: the new value is passed on.
            try await runtime.edit(Kinds.component, "db") { object in
                try object.setValue("postgres://db2:5432", at: "spec.workload.data.url")
            }
            try await runtime.waitFor(Kinds.configMap, "api") {
                $0.valueIfPresent(at: "data.database") == "postgres://db2:5432"
            }
        }
    }

    @Test(arguments: Substrate.available) func aConsumerWaitsForItsConditionAndTheStatusSaysWhy(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: source}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {phase: starting, endpoint: "10.0.0.1"}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: sink}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: gated}
                spec:
                  components:
                  - componentName: source
                    dataOutputs:
                    - name: endpoint
                      fieldPath: data.endpoint
                      conditions: [{op: eq, value: ready, fieldPath: data.phase}]
                  - componentName: sink
                    dataInputs:
                    - valueFrom: {dataOutputName: endpoint}
                      toFieldPaths: ["data.endpoint"]
                """)
            // First the source does not exist, then its condition fails: the reason says which.
            let waiting = try await runtime.waitFor(Kinds.appConfig, "gated") {
                $0.valueIfPresent(at: "status.dependency.unsatisfied[0].reason")?.stringValue?
                    .contains("expected to be ready") == true
            }
            #expect(waiting.valueIfPresent(at: "status.dataEdges[0].ready") == false)
            #expect(try await runtime.get(Kinds.configMap, "sink") == nil)

            // The source becomes ready (its live object changes): the sink is created with the value.
            _ = try await runtime.client.patch(
                Kinds.configMap, name: "source", namespace: runtime.namespace, patch: ["data": ["phase": "ready"]], type: .merge)
            let sink = try await runtime.waitFor(Kinds.configMap, "sink")
            #expect(sink.valueIfPresent(at: "data.endpoint") == "10.0.0.1")
        }
    }

    @Test(arguments: Substrate.available) func twoAppConfigsClaimingOneObjectGetAClearError(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.webComponent + "\n---\n" + Self.webApp)
            try await runtime.waitFor(Kinds.deployment, "web") { $0.controllerReference != nil }
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: intruder}
                spec:
                  components:
                  - componentName: web
                    traits:
                    - trait: {apiVersion: v1, kind: ConfigMap, metadata: {name: intruder-settings}, data: {size: "3"}}
                """)
            let intruder = try await runtime.waitFor(Kinds.appConfig, "intruder") {
                $0.valueIfPresent(at: "status.conditions[0].reason") == "ReconcileError"
            }
            let message = intruder.valueIfPresent(at: "status.conditions[0].message")?.stringValue ?? ""
            #expect(message.contains("Deployment/web is controlled by ApplicationConfiguration/shop"))
            // It does not run that workload, so its status does not list it (the conflict is in errors).
            #expect(intruder.valueIfPresent(at: "status.workloads") == [])
            let deployment = try #require(try await runtime.get(Kinds.deployment, "web"))
            #expect(deployment.controllerReference?.name == "shop")
            // The intruder's traits would act on a workload it does not run: none is applied.
            #expect(try await runtime.get(Kinds.configMap, "intruder-settings") == nil)
        }
    }

    @Test(arguments: Substrate.available) func anEntryThatCannotRenderIsReportedAndTheOthersStillRun(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.webComponent + """

                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: cache}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {size: "1Gi"}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: partial}
                spec:
                  components:
                  - componentName: web
                    parameterValues: [{name: colour, value: blue}]
                  - componentName: cache
                """)
            try await runtime.waitFor(Kinds.configMap, "cache")
            let app = try await runtime.waitFor(Kinds.appConfig, "partial") {
                $0.valueIfPresent(at: "status.errors[0].message") != nil
            }
            #expect(app.valueIfPresent(at: "status.errors[0].object") == "ApplicationConfiguration/partial")
            #expect(app.valueIfPresent(at: "status.errors[0].fieldPath") == "spec.components[0].parameterValues[0].name")
            #expect(app.valueIfPresent(at: "status.errors[0].message")?.stringValue?.contains("unknown parameter \"colour\"") == true)
            #expect(app.valueIfPresent(at: "status.conditions[0].reason") == "ReconcileError")
            #expect(try await runtime.get(Kinds.deployment, "web") == nil)
        }
    }

    @Test(arguments: Substrate.available) func anAppConfigWithoutComponentsIsACleanNoOp(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: empty}
                spec: {components: []}
                """)
            let app = try await runtime.waitFor(Kinds.appConfig, "empty") { Self.isSynced($0) }
            #expect(app.valueIfPresent(at: "status.conditions[0].reason") == "ReconcileSuccess")
            #expect(app.valueIfPresent(at: "status.workloads") == [])
            #expect(app.valueIfPresent(at: "status.errors") == nil)
        }
    }

    static func isSynced(_ app: Resource) -> Bool {
        app.valueIfPresent(at: "status.conditions[0].status") == "True"
            && app.valueIfPresent(at: "status.observedGeneration") == app.generation.map { .int($0) }
    }
}
