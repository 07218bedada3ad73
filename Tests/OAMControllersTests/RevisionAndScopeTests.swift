import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// revisionEnabled traits, trait/component data passing, scopes with their finalizer, and
/// apply-once-only, end to end on an embedded plane.
@Suite(.serialized) struct RevisionAndScopeTests {
    static let rollout = GroupVersionKind(group: "example.dev", version: "v1", kind: "Rollout")

    /// A `Rollout` kind and its revisionEnabled TraitDefinition.
    static func installRollout(_ runtime: Runtime) async throws {
        try await runtime.create("""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: rollouts.example.dev}
            spec:
              group: example.dev
              scope: Namespaced
              names: {kind: Rollout, plural: rollouts, singular: rollout}
              versions:
              - name: v1
                served: true
                storage: true
                subresources: {status: {}}
                schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: TraitDefinition
            metadata: {name: rollouts.example.dev}
            spec:
              revisionEnabled: true
              workloadRefPath: spec.workloadRef
              definitionRef: {name: rollouts.example.dev}
            """)
        _ = try await eventually { (try? await runtime.client.list(rollout, namespace: runtime.namespace)) != nil }
    }

    static let worker = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: worker}
        spec:
          workload: {apiVersion: v1, kind: ConfigMap, data: {version: "1"}}
        """

    @Test(arguments: Substrate.available) func aRevisionEnabledTraitGetsAWorkloadPerRevision(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await Self.installRollout(runtime)
            try await runtime.create(Self.worker + """

                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: canary}
                spec:
                  components:
                  - componentName: worker
                    traits:
                    - trait: {apiVersion: example.dev/v1, kind: Rollout, spec: {steps: 2}}
                """)
            try await runtime.waitFor(Kinds.configMap, "worker-v1")
            let app = try await runtime.waitFor(Kinds.appConfig, "canary") {
                $0.valueIfPresent(at: "status.workloads[0].traits[0].traitRef.name") != nil
            }
            let traitName = try #require(app.valueIfPresent(at: "status.workloads[0].traits[0].traitRef.name")?.stringValue)
            try await runtime.waitFor(Self.rollout, traitName) {
                $0.valueIfPresent(at: "spec.workloadRef.name") == "worker-v1"
            }

            // A new revision: a new workload, the old one kept and listed, the trait keeps its name
            // and points at the new workload.
            try await runtime.edit(Kinds.component, "worker") { object in
                try object.setValue("2", at: "spec.workload.data.version")
            }
            let second = try await runtime.waitFor(Kinds.configMap, "worker-v2")
            #expect(second.valueIfPresent(at: "data.version") == "2")
            try await runtime.waitFor(Self.rollout, traitName) {
                $0.valueIfPresent(at: "spec.workloadRef.name") == "worker-v2"
            }
            let moved = try await runtime.waitFor(Kinds.appConfig, "canary") {
                $0.valueIfPresent(at: "status.historyWorkloads[0].workloadRef.name") == "worker-v1"
            }
            #expect(moved.valueIfPresent(at: "status.workloads[0].componentRevisionName") == "worker-v2")
            #expect(moved.valueIfPresent(at: "status.workloads[0].traits[0].traitRef.name")?.stringValue == traitName)
            let old = try #require(try await runtime.get(Kinds.configMap, "worker-v1"))
            #expect(old.valueIfPresent(at: "data.version") == "1")
        }
    }

    @Test(arguments: Substrate.available) func attachingARevisionEnabledTraitKeepsTheRunningWorkload(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await Self.installRollout(runtime)
            try await runtime.create(Self.worker + """

                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: later}
                spec:
                  components:
                  - componentName: worker
                """)
            let running = try await runtime.waitFor(Kinds.configMap, "worker") { $0.labels[OAM.Label.revision] == "worker-v1" }
            try await runtime.waitFor(Kinds.appConfig, "later") { AppConfigControllerTests.isSynced($0) }

            try await runtime.edit(Kinds.appConfig, "later") { object in
                try object.setValue([["componentName": "worker",
                                   "traits": [["trait": ["apiVersion": "example.dev/v1", "kind": "Rollout"]]]]],
                                 at: "spec.components")
            }
            let attached = try await runtime.waitFor(Kinds.appConfig, "later") {
                $0.valueIfPresent(at: "status.workloads[0].traits[0].traitRef.name") != nil
                    && AppConfigControllerTests.isSynced($0)
            }
            let traitName = try #require(attached.valueIfPresent(at: "status.workloads[0].traits[0].traitRef.name")?.stringValue)
            try await runtime.waitFor(Self.rollout, traitName) { $0.valueIfPresent(at: "spec.workloadRef.name") == "worker" }
            let still = try #require(try await runtime.get(Kinds.configMap, "worker"))
            #expect(still.uid == running.uid)
            #expect(try await runtime.get(Kinds.configMap, "worker-v1") == nil)
        }
    }

    @Test(arguments: Substrate.available) func dataPassesBetweenTraitsAndComponents(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: front}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {host: "front.example"}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: back}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: relay}
                spec:
                  components:
                  - componentName: front
                    dataOutputs: [{name: host, fieldPath: data.host}]
                    traits:
                    # component → trait: the trait waits for the front's host
                    - trait: {apiVersion: v1, kind: ConfigMap, metadata: {name: front-route}, data: {}}
                      dataInputs: [{valueFrom: {dataOutputName: host}, toFieldPaths: ["data.host"]}]
                      dataOutputs: [{name: cert, fieldPath: data.host}]
                  - componentName: back
                    # trait → component: the back waits for the trait's output
                    dataInputs: [{valueFrom: {dataOutputName: cert}, toFieldPaths: ["data.upstream"]}]
                """)
            let route = try await runtime.waitFor(Kinds.configMap, "front-route")
            #expect(route.valueIfPresent(at: "data.host") == "front.example")
            let back = try await runtime.waitFor(Kinds.configMap, "back") { $0.valueIfPresent(at: "data.upstream") != nil }
            #expect(back.valueIfPresent(at: "data.upstream") == "front.example")
        }
    }

    @Test(arguments: Substrate.available) func workloadsJoinTheirScopeAndLeaveItWhenTheAppIsDeleted(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: HealthScope
                metadata: {name: health}
                spec: {workloadRefs: []}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: web}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {a: b}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: scoped}
                spec:
                  components:
                  - componentName: web
                    scopes:
                    - scopeRef: {apiVersion: core.oam.dev/v1alpha2, kind: HealthScope, name: health}
                """)
            try await runtime.waitFor(Kinds.healthScope, "health") {
                $0.valueIfPresent(at: "spec.workloadRefs[0].name") == "web"
            }
            // The status lists the scope at the end of the reconcile that adds it.
            let app = try await runtime.waitFor(Kinds.appConfig, "scoped") {
                $0.finalizers.contains(OAM.scopeFinalizer)
                    && $0.valueIfPresent(at: "status.workloads[0].scopes[0].scopeRef.name") != nil
            }
            #expect(app.valueIfPresent(at: "status.workloads[0].scopes[0].scopeRef.name") == "health")

            try await runtime.client.delete(Kinds.appConfig, name: "scoped", namespace: runtime.namespace)
            try await runtime.waitForAbsence(Kinds.appConfig, "scoped")
            let scope = try #require(try await runtime.get(Kinds.healthScope, "health"))
            #expect(scope.valueIfPresent(at: "spec.workloadRefs") == [])
            try await runtime.waitForAbsence(Kinds.configMap, "web")
        }
    }

    @Test(arguments: Substrate.available) func applyOnceOnlyKeepsEditsUntilTheAppChanges(on substrate: Substrate) async throws {
        var options = OAMControllers.Options()
        options.appConfig.applyOnceOnly = true
        try await Runtime.with(on: substrate, options: options) { runtime in
            try await runtime.create(AppConfigControllerTests.webComponent + "\n---\n" + AppConfigControllerTests.webApp)
            try await runtime.waitFor(Kinds.deployment, "web")
            await runtime.manager.waitUntilIdle()
            _ = try await runtime.client.patch(
                Kinds.deployment, name: "web", namespace: runtime.namespace,
                patch: [["op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "hotfix:1"]],
                type: .json)
            await runtime.manager.resync()
            await runtime.manager.waitUntilIdle()
            let kept = try #require(try await runtime.get(Kinds.deployment, "web"))
            #expect(kept.valueIfPresent(at: "spec.template.spec.containers[0].image") == "hotfix:1")

            // A change of the AppConfig spec (a new generation) applies again.
            try await runtime.edit(Kinds.appConfig, "shop") { object in
                try object.setValue([["componentName": "web", "parameterValues": [["name": "image", "value": "nginx:1.26"]]]],
                                 at: "spec.components")
            }
            try await runtime.waitFor(Kinds.deployment, "web") {
                $0.valueIfPresent(at: "spec.template.spec.containers[0].image") == "nginx:1.26"
            }

            // A deleted workload comes back.
            try await runtime.client.delete(Kinds.deployment, name: "web", namespace: runtime.namespace)
            try await runtime.waitFor(Kinds.deployment, "web")
        }
    }
}
