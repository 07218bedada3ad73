import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import Synchronization
import TestSupport
import Testing

/// What the ApplicationConfiguration controller reports and keeps when things go wrong: event
/// reasons with one meaning each (spec §4.13), entries that stop rendering keep their live
/// objects, kinds the server does not serve, a workload another AppConfig owns, empty outputs,
/// and a deletion whose scopes cannot be dereferenced.
@Suite(.serialized) struct AppConfigSemanticsTests {
    /// The Events the controllers record, kept for the test to read.
    final class RecordingEventSink: EventSink {
        struct Recorded: Sendable {
            var object: String
            var type: EventSeverity
            var reason: String
            var message: String
        }

        private let recorded = Mutex<[Recorded]>([])

        func record(on object: Resource, type: EventSeverity, reason: String, message: String) async {
            recorded.withLock { $0.append(Recorded(object: "\(object.kind)/\(object.name)", type: type, reason: reason, message: message)) }
        }

        var events: [Recorded] { recorded.withLock { $0 } }

        /// The events on `object` (`ApplicationConfiguration/shop`) with `reason`.
        func events(on object: String, reason: String) -> [Recorded] {
            events.filter { $0.object == object && $0.reason == reason }
        }
    }

    /// Runs `body` with the OAM controllers recording their events into a ``RecordingEventSink``.
    static func withRecordedEvents(
        on substrate: Substrate, options: OAMControllers.Options = OAMControllers.Options(),
        _ body: (Runtime, RecordingEventSink) async throws -> Void
    ) async throws {
        let sink = RecordingEventSink()
        try await Runtime.with(on: substrate, registering: { manager, logger in
            OAMControllers.register(on: manager, options: options, events: sink, logger: logger)
        }) { runtime in
            try await body(runtime, sink)
        }
    }

    static func condition(_ app: Resource) -> (status: String?, reason: String?, message: String) {
        (app.valueIfPresent(at: "status.conditions[0].status")?.stringValue,
         app.valueIfPresent(at: "status.conditions[0].reason")?.stringValue,
         app.valueIfPresent(at: "status.conditions[0].message")?.stringValue ?? "")
    }

    static func errorMessages(_ app: Resource) -> [String] {
        (app.valueIfPresent(at: "status.errors")?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
    }

    /// A name no other test (nor an earlier run on the shared real cluster) uses.
    static func unique(_ prefix: String) -> String {
        prefix + String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
    }

    // MARK: Event reasons

    @Test("a render failure is a Warning CannotRenderComponents, an apply failure CannotApplyComponents, once each",
          arguments: Substrate.available)
    func eventReasons(on substrate: Substrate) async throws {
        try await Self.withRecordedEvents(on: substrate) { runtime, sink in
            try await runtime.create(AppConfigControllerTests.webComponent + """

                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: settings}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {level: high}}
                """)
            // The components first, so that the only problems are those the AppConfigs are made of.
            try await runtime.waitFor(Kinds.revision, "web-v1")
            try await runtime.waitFor(Kinds.revision, "settings-v1")
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: typo}
                spec:
                  components:
                  - componentName: web
                    parameterValues: [{name: colour, value: blue}]
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: refused}
                spec:
                  components:
                  - componentName: settings
                    traits:
                    - trait: {apiVersion: v1, kind: ConfigMap, metadata: {name: refused-bad}, data: {size: {nested: true}}}
                """)
            let typo = try await runtime.waitFor(Kinds.appConfig, "typo") { Self.condition($0).status == "False" }
            #expect(Self.errorMessages(typo).first?.contains("unknown parameter \"colour\"") == true)
            let refused = try await runtime.waitFor(Kinds.appConfig, "refused") { Self.condition($0).status == "False" }
            #expect(Self.errorMessages(refused).first?.contains("cannot apply ConfigMap/refused-bad") == true,
                    "\(Self.errorMessages(refused))")
            await runtime.manager.waitUntilIdle()

            let render = sink.events(on: "ApplicationConfiguration/typo", reason: "CannotRenderComponents")
            #expect(render.count == 1)
            #expect(render.first?.type == .warning)
            #expect(render.first?.message.contains("spec.components[0].parameterValues[0].name") == true)
            #expect(sink.events(on: "ApplicationConfiguration/typo", reason: "CannotApplyComponents").isEmpty)
            let apply = sink.events(on: "ApplicationConfiguration/refused", reason: "CannotApplyComponents")
            #expect(apply.count == 1)
            #expect(apply.first?.type == .warning)
            #expect(sink.events(on: "ApplicationConfiguration/refused", reason: "CannotRenderComponents").isEmpty)

            // Looking again at nothing new records nothing, neither Normal nor Warning events.
            let before = sink.events.count
            await runtime.manager.resync()
            await runtime.manager.waitUntilIdle()
            #expect(sink.events.count == before, "\(sink.events.suffix(from: before).map(\.reason))")
        }
    }

    // MARK: Entries that stop rendering

    @Test("an entry that stops rendering keeps its live workload and its status entry until it renders again",
          arguments: Substrate.available)
    func brokenEntryKeepsItsWorkload(on substrate: Substrate) async throws {
        try await Self.withRecordedEvents(on: substrate) { runtime, sink in
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
                    traits:
                    - trait: {apiVersion: v1, kind: Secret, metadata: {name: api-secret}, stringData: {a: b}}
                  - componentName: db
                    dataOutputs:
                    - {name: db-url, fieldPath: "data.url"}
                """)
            let running = try await runtime.waitFor(Kinds.configMap, "api") { $0.valueIfPresent(at: "data.database") != nil }
            try await runtime.waitFor(Kinds.appConfig, "linked") { AppConfigControllerTests.isSynced($0) }

            // A typo in the output's name: the entry no longer renders.
            try await runtime.edit(Kinds.appConfig, "linked") { object in
                try object.setValue("db-ulr", at: "spec.components[0].dataInputs[0].valueFrom.dataOutputName")
            }
            let broken = try await runtime.waitFor(Kinds.appConfig, "linked") {
                Self.condition($0).status == "False" && AppConfigControllerTests.isSynced($0) == false
                    && $0.valueIfPresent(at: "status.observedGeneration") == $0.generation.map { .int($0) }
            }
            #expect(Self.errorMessages(broken).first?.contains("dataOutput \"db-ulr\" does not exist") == true)
            await runtime.manager.waitUntilIdle()
            let kept = try #require(try await runtime.get(Kinds.configMap, "api"))
            #expect(kept.uid == running.uid)
            #expect(try await runtime.get(GroupVersionKind(group: "", version: "v1", kind: "Secret"), "api-secret") != nil)
            let status = try #require(try await runtime.get(Kinds.appConfig, "linked"))
            let names = (status.valueIfPresent(at: "status.workloads")?.arrayValue ?? []).map { $0["workloadRef"]?["name"]?.stringValue }
            #expect(names == ["api", "db"], "\(status.valueIfPresent(at: "status.workloads") ?? .null)")
            #expect(sink.events(on: "ApplicationConfiguration/linked", reason: "GarbageCollectedComponent").isEmpty)
            #expect(sink.events(on: "ApplicationConfiguration/linked", reason: "CannotRenderComponents")
                .filter { $0.message.contains("db-ulr") }.count == 1)

            // Fixed: it renders again, the same workload.
            try await runtime.edit(Kinds.appConfig, "linked") { object in
                try object.setValue("db-url", at: "spec.components[0].dataInputs[0].valueFrom.dataOutputName")
            }
            try await runtime.waitFor(Kinds.appConfig, "linked") { AppConfigControllerTests.isSynced($0) }
            #expect(try await runtime.get(Kinds.configMap, "api")?.uid == running.uid)

            // Removed from the AppConfig while broken: now it is collected.
            try await runtime.edit(Kinds.appConfig, "linked") { object in
                try object.setValue("db-ulr", at: "spec.components[0].dataInputs[0].valueFrom.dataOutputName")
            }
            try await runtime.waitFor(Kinds.appConfig, "linked") { Self.condition($0).status == "False" }
            try await runtime.edit(Kinds.appConfig, "linked") { object in
                try object.setValue([["componentName": "db", "dataOutputs": [["name": "db-url", "fieldPath": "data.url"]]]],
                                    at: "spec.components")
            }
            try await runtime.waitForAbsence(Kinds.configMap, "api")
            try await runtime.waitForAbsence(GroupVersionKind(group: "", version: "v1", kind: "Secret"), "api-secret")
        }
    }

    @Test("a typo in an entry's componentName keeps the running workload until it is fixed",
          arguments: Substrate.available)
    func componentNameTypoKeepsTheWorkload(on substrate: Substrate) async throws {
        try await Self.withRecordedEvents(on: substrate) { runtime, sink in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: cache}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {size: 1Gi}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: cached}
                spec:
                  components:
                  - componentName: cache
                """)
            let running = try await runtime.waitFor(Kinds.configMap, "cache")
            try await runtime.waitFor(Kinds.appConfig, "cached") { AppConfigControllerTests.isSynced($0) }
            try await runtime.edit(Kinds.appConfig, "cached") { object in
                try object.setValue("cahce", at: "spec.components[0].componentName")
            }
            let broken = try await runtime.waitFor(Kinds.appConfig, "cached") {
                Self.condition($0).status == "False"
                    && $0.valueIfPresent(at: "status.observedGeneration") == $0.generation.map { .int($0) }
            }
            #expect(Self.errorMessages(broken).first?.contains("component \"cahce\" does not exist") == true)
            await runtime.manager.waitUntilIdle()
            #expect(try await runtime.get(Kinds.configMap, "cache")?.uid == running.uid)
            // The status still names the workload the broken entry keeps.
            let status = try #require(try await runtime.get(Kinds.appConfig, "cached"))
            #expect(status.valueIfPresent(at: "status.workloads[0].workloadRef.name") == "cache",
                    "\(status.valueIfPresent(at: "status.workloads") ?? .null)")
            #expect(sink.events(on: "ApplicationConfiguration/cached", reason: "GarbageCollectedComponent").isEmpty)

            try await runtime.edit(Kinds.appConfig, "cached") { object in
                try object.setValue("cache", at: "spec.components[0].componentName")
            }
            try await runtime.waitFor(Kinds.appConfig, "cached") { AppConfigControllerTests.isSynced($0) }
            #expect(try await runtime.get(Kinds.configMap, "cache")?.uid == running.uid)
        }
    }

    @Test("while one entry does not render, a trait removed from another entry is still collected",
          arguments: Substrate.available)
    func healthyEntriesAreCollectedBesideABrokenOne(on substrate: Substrate) async throws {
        try await Self.withRecordedEvents(on: substrate) { runtime, sink in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: front}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {page: index}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: store}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {size: 1Gi}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: split}
                spec:
                  components:
                  - componentName: front
                    traits:
                    - trait: {apiVersion: v1, kind: Secret, metadata: {name: front-secret}, stringData: {a: b}}
                  - componentName: store
                """)
            let secretKind = GroupVersionKind(group: "", version: "v1", kind: "Secret")
            try await runtime.waitFor(secretKind, "front-secret")
            let stored = try await runtime.waitFor(Kinds.configMap, "store")
            try await runtime.waitFor(Kinds.appConfig, "split") { AppConfigControllerTests.isSynced($0) }

            // The second entry breaks (a typo), then the first loses its trait.
            try await runtime.edit(Kinds.appConfig, "split") { object in
                try object.setValue("stroe", at: "spec.components[1].componentName")
            }
            try await runtime.waitFor(Kinds.appConfig, "split") { Self.condition($0).status == "False" }
            try await runtime.edit(Kinds.appConfig, "split") { object in
                try object.setValue([], at: "spec.components[0].traits")
            }
            try await runtime.waitForAbsence(secretKind, "front-secret")
            await runtime.manager.waitUntilIdle()
            #expect(try await runtime.get(Kinds.configMap, "store")?.uid == stored.uid)
            #expect(try await runtime.get(Kinds.configMap, "front") != nil)
            #expect(sink.events(on: "ApplicationConfiguration/split", reason: "GarbageCollectedComponent")
                .map(\.message).allSatisfy { $0.contains("front-secret") })
        }
    }

    // MARK: historyWorkloads

    @Test("historyWorkloads carry the workload's uid", arguments: Substrate.available)
    func historyCarriesUID(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            let rollout = GroupVersionKind(group: "semantics.example.dev", version: "v1", kind: "Stage")
            try await runtime.create("""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: stages.semantics.example.dev}
                spec:
                  group: semantics.example.dev
                  scope: Namespaced
                  names: {kind: Stage, plural: stages, singular: stage}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: TraitDefinition
                metadata: {name: stages.semantics.example.dev}
                spec:
                  revisionEnabled: true
                  workloadRefPath: spec.workloadRef
                  definitionRef: {name: stages.semantics.example.dev}
                """)
            _ = try await eventually { (try? await runtime.client.list(rollout, namespace: runtime.namespace)) != nil }
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: worker}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {version: "1"}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: staged}
                spec:
                  components:
                  - componentName: worker
                    traits:
                    - trait: {apiVersion: semantics.example.dev/v1, kind: Stage, spec: {weight: 1}}
                """)
            let first = try await runtime.waitFor(Kinds.configMap, "worker-v1")
            try await runtime.edit(Kinds.component, "worker") { object in
                try object.setValue("2", at: "spec.workload.data.version")
            }
            let app = try await runtime.waitFor(Kinds.appConfig, "staged") {
                $0.valueIfPresent(at: "status.historyWorkloads[0].workloadRef.name") == "worker-v1"
            }
            #expect(app.valueIfPresent(at: "status.historyWorkloads[0].workloadRef.uid")?.stringValue == first.uid)
            #expect(app.valueIfPresent(at: "status.historyWorkloads[0].workloadRef.kind") == "ConfigMap")
            #expect(app.valueIfPresent(at: "status.historyWorkloads[0].revision") == "worker-v1")
        }
    }

    // MARK: Two owners

    @Test("an AppConfig that cannot claim a workload does not list it, and reports the conflict",
          arguments: Substrate.available)
    func unclaimedWorkloadIsNotListed(on substrate: Substrate) async throws {
        try await Self.withRecordedEvents(on: substrate) { runtime, sink in
            try await runtime.create(AppConfigControllerTests.webComponent + "\n---\n" + AppConfigControllerTests.webApp)
            try await runtime.waitFor(Kinds.deployment, "web") { $0.controllerReference != nil }
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: intruder}
                spec:
                  components:
                  - componentName: web
                """)
            let intruder = try await runtime.waitFor(Kinds.appConfig, "intruder") { Self.condition($0).reason == "ReconcileError" }
            #expect(intruder.valueIfPresent(at: "status.workloads") == [])
            #expect(Self.condition(intruder).message.contains("Deployment/web is controlled by ApplicationConfiguration/shop"))
            #expect(Self.errorMessages(intruder).first?.contains("Deployment/web is controlled by ApplicationConfiguration/shop") == true)
            #expect(sink.events(on: "ApplicationConfiguration/intruder", reason: "CannotApplyComponents").count == 1)
            let shop = try await runtime.waitFor(Kinds.appConfig, "shop") { AppConfigControllerTests.isSynced($0) }
            #expect(shop.valueIfPresent(at: "status.workloads[0].workloadRef.name") == "web")
        }
    }

    // MARK: Kinds not served

    @Test("a trait whose kind is not served fails its entry with a clear error, and applies once its CRD appears",
          arguments: Substrate.available)
    func unservedTraitKind(on substrate: Substrate) async throws {
        var options = OAMControllers.Options()
        // Long enough that only the CRD's appearance can explain a prompt recovery.
        options.appConfig.errorRetry = .seconds(120)
        let group = Self.unique("unserved") + ".example.dev"
        try await Self.withRecordedEvents(on: substrate, options: options) { runtime, sink in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: front}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {a: b}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: other}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {c: d}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: canary}
                spec:
                  components:
                  - componentName: front
                    traits:
                    - trait: {apiVersion: \(group)/v1, kind: Canary, metadata: {name: front-canary}, spec: {weight: 10}}
                  - componentName: other
                """)
            let failing = try await runtime.waitFor(Kinds.appConfig, "canary") { Self.condition($0).status == "False" }
            let message = Self.errorMessages(failing).first ?? ""
            #expect(message.contains("trait \(group)/v1 Canary \"front-canary\""), "\(message)")
            #expect(message.contains("does not serve kind Canary"), "\(message)")
            #expect(failing.valueIfPresent(at: "status.errors[0].fieldPath") == "spec.components[0].traits[0].trait")
            #expect(Self.condition(failing).message.contains("front-canary"))
            // Nothing of that component is applied; the other one runs.
            try await runtime.waitFor(Kinds.configMap, "other")
            await runtime.manager.waitUntilIdle()
            #expect(try await runtime.get(Kinds.configMap, "front") == nil)
            #expect(sink.events(on: "ApplicationConfiguration/canary", reason: "CannotRenderComponents")
                .filter { $0.message.contains("does not serve kind Canary") }.count == 1)

            // The CRD appears: the AppConfig is looked at again at once and converges.
            let plural = "canaries"
            try await runtime.create("""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: \(plural).\(group)}
                spec:
                  group: \(group)
                  scope: Namespaced
                  names: {kind: Canary, plural: \(plural), singular: canary}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
                """)
            defer {
                if substrate == .realCluster {
                    let client = runtime.client
                    Task { try? await client.delete(OAMKinds.customResourceDefinition, name: "\(plural).\(group)", namespace: nil) }
                }
            }
            try await runtime.waitFor(Kinds.appConfig, "canary", timeout: .seconds(60)) { AppConfigControllerTests.isSynced($0) }
            try await runtime.waitFor(Kinds.configMap, "front")
            try await runtime.waitFor(GroupVersionKind(group: group, version: "v1", kind: "Canary"), "front-canary")
        }
    }

    @Test("a workload whose kind is not served fails its entry, naming it", arguments: Substrate.available)
    func unservedWorkloadKind(on substrate: Substrate) async throws {
        let group = Self.unique("unserved") + ".example.dev"
        try await Self.withRecordedEvents(on: substrate) { runtime, sink in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: engine}
                spec:
                  workload: {apiVersion: \(group)/v1, kind: Engine, spec: {size: 1}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: engines}
                spec:
                  components:
                  - componentName: engine
                    traits:
                    - trait: {apiVersion: v1, kind: ConfigMap, metadata: {name: engine-settings}, data: {a: b}}
                """)
            let failing = try await runtime.waitFor(Kinds.appConfig, "engines") { Self.condition($0).status == "False" }
            let message = Self.errorMessages(failing).first ?? ""
            #expect(message.contains("workload \(group)/v1 Engine \"engine\""), "\(message)")
            #expect(failing.valueIfPresent(at: "status.errors[0].fieldPath") == "spec.components[0]")
            await runtime.manager.waitUntilIdle()
            #expect(try await runtime.get(Kinds.configMap, "engine-settings") == nil)
            #expect(sink.events(on: "ApplicationConfiguration/engines", reason: "CannotRenderComponents")
                .filter { $0.message.contains("does not serve kind Engine") }.count == 1)
        }
    }

    // MARK: Empty outputs

    @Test("an output that is an empty string holds its consumer back under notEmpty until it is set",
          arguments: Substrate.available)
    func emptyOutputHoldsTheConsumer(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: source}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {endpoint: ""}}
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
                    - {name: endpoint, fieldPath: data.endpoint, conditions: [{op: notEmpty}]}
                    - {name: token, fieldPath: data.token, conditions: [{op: notEq, value: ""}]}
                  - componentName: sink
                    dataInputs:
                    - valueFrom: {dataOutputName: endpoint}
                      toFieldPaths: ["data.endpoint"]
                    - valueFrom: {dataOutputName: token}
                      toFieldPaths: ["data.token"]
                """)
            try await runtime.waitFor(Kinds.configMap, "source")
            let reasons = { (app: Resource) in
                (app.valueIfPresent(at: "status.dependency.unsatisfied")?.arrayValue ?? []).compactMap { $0["reason"]?.stringValue }
            }
            let waiting = try await runtime.waitFor(Kinds.appConfig, "gated") {
                reasons($0) == ["value should not be empty", "data.token not found in ConfigMap/source"]
            }
            #expect(waiting.valueIfPresent(at: "status.dependency.unsatisfied[0].to.name") == "sink")
            #expect(Self.condition(waiting).status == "True")
            await runtime.manager.waitUntilIdle()
            #expect(try await runtime.get(Kinds.configMap, "sink") == nil)

            // The endpoint is set, the token is still missing: the consumer still waits.
            try await runtime.edit(Kinds.component, "source") { object in
                try object.setValue("10.0.0.1", at: "spec.workload.data.endpoint")
            }
            try await runtime.waitFor(Kinds.appConfig, "gated") {
                reasons($0) == ["data.token not found in ConfigMap/source"]
            }
            #expect(try await runtime.get(Kinds.configMap, "sink") == nil)

            // An empty token does not do either.
            try await runtime.edit(Kinds.component, "source") { object in
                try object.setValue("", at: "spec.workload.data.token")
            }
            let emptyToken = try await runtime.waitFor(Kinds.appConfig, "gated") {
                $0.valueIfPresent(at: "status.dependency.unsatisfied[0].reason") == "got() expected not to be "
            }
            #expect(emptyToken.valueIfPresent(at: "status.dependency.unsatisfied[0].from.fieldPath") == "data.token")
            #expect(try await runtime.get(Kinds.configMap, "sink") == nil)

            try await runtime.edit(Kinds.component, "source") { object in
                try object.setValue("s3cret", at: "spec.workload.data.token")
            }
            let sink = try await runtime.waitFor(Kinds.configMap, "sink")
            #expect(sink.valueIfPresent(at: "data.endpoint") == "10.0.0.1")
            #expect(sink.valueIfPresent(at: "data.token") == "s3cret")
            let done = try await runtime.waitFor(Kinds.appConfig, "gated") {
                $0.valueIfPresent(at: "status.dependency") == .emptyObject
            }
            #expect(Self.condition(done).status == "True")
        }
    }

    // MARK: Deletion with scopes

    @Test("deleting an AppConfig whose ScopeDefinition is gone waits, Terminating, until the definition is back",
          arguments: Substrate.available)
    func deletionWaitsForTheScopeDefinition(on substrate: Substrate) async throws {
        let group = Self.unique("zones") + ".example.dev"
        let zone = GroupVersionKind(group: group, version: "v1", kind: "Zone")
        let definition = """
            apiVersion: core.oam.dev/v1alpha2
            kind: ScopeDefinition
            metadata: {name: zones.\(group)}
            spec:
              allowComponentOverlap: true
              workloadRefsPath: spec.workloadRefs
              definitionRef: {name: zones.\(group)}
            """
        try await Self.withRecordedEvents(on: substrate) { runtime, sink in
            try await runtime.create("""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: zones.\(group)}
                spec:
                  group: \(group)
                  scope: Namespaced
                  names: {kind: Zone, plural: zones, singular: zone}
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
                ---
                \(definition)
                """)
            defer {
                if substrate == .realCluster {
                    let client = runtime.client
                    Task {
                        try? await client.delete(OAMKinds.scopeDefinition, name: "zones.\(group)", namespace: nil)
                        try? await client.delete(OAMKinds.customResourceDefinition, name: "zones.\(group)", namespace: nil)
                    }
                }
            }
            _ = try await eventually { (try? await runtime.client.list(zone, namespace: runtime.namespace)) != nil }
            try await runtime.create("""
                apiVersion: \(group)/v1
                kind: Zone
                metadata: {name: east}
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
                metadata: {name: zoned}
                spec:
                  components:
                  - componentName: web
                    scopes:
                    - scopeRef: {apiVersion: \(group)/v1, kind: Zone, name: east}
                """)
            try await runtime.waitFor(zone, "east") { $0.valueIfPresent(at: "spec.workloadRefs[0].name") == "web" }
            try await runtime.waitFor(Kinds.appConfig, "zoned") {
                $0.finalizers.contains(OAM.scopeFinalizer)
                    && $0.valueIfPresent(at: "status.workloads[0].scopes[0].scopeRef.name") != nil
            }

            try await runtime.client.delete(OAMKinds.scopeDefinition, name: "zones.\(group)", namespace: nil)
            // The controller has seen it go once the live AppConfig says so (a scope without its
            // definition cannot be maintained either); only then is the AppConfig deleted.
            try await runtime.waitFor(Kinds.appConfig, "zoned") {
                Self.errorMessages($0).contains { $0.contains("cannot find scope definition") }
            }
            try await runtime.client.delete(Kinds.appConfig, name: "zoned", namespace: runtime.namespace)
            let stuck = try await runtime.waitFor(Kinds.appConfig, "zoned") {
                $0.isBeingDeleted && Self.condition($0).status == "False"
                    && Self.condition($0).message.contains("failed to finalize workloads")
            }
            #expect(stuck.finalizers.contains(OAM.scopeFinalizer))
            #expect(Self.errorMessages(stuck).first?.contains("cannot find scope definition \"zones.\(group)\"") == true,
                    "\(Self.errorMessages(stuck))")
            #expect(try await eventually {
                !sink.events(on: "ApplicationConfiguration/zoned", reason: "CannotFinalizeWorkloads").isEmpty
            })
            #expect(sink.events(on: "ApplicationConfiguration/zoned", reason: "CannotFinalizeWorkloads").first?.type == .warning)
            let scope = try #require(try await runtime.get(zone, "east"))
            #expect(scope.valueIfPresent(at: "spec.workloadRefs[0].name") == "web")

            // The definition is back: the deletion completes and the scope lets the workload go.
            try await runtime.create(definition)
            try await runtime.waitForAbsence(Kinds.appConfig, "zoned")
            try await runtime.waitFor(zone, "east") { $0.valueIfPresent(at: "spec.workloadRefs") == [] }
        }
    }
}
