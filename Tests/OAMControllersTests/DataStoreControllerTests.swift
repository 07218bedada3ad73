import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// `outputStore`/`inputStore` end to end (spec §6.6): the store is created and written after its
/// producer, consumers get the data, and both follow when the data changes.
@Suite("Data passing through stores, end to end", .serialized)
struct DataStoreControllerTests {
    static let components = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: db}
        spec:
          workload: {apiVersion: v1, kind: ConfigMap, data: {url: "postgres://db:5432"}}
          parameters:
          - {name: url, fieldPaths: [data.url]}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: api}
        spec:
          workload: {apiVersion: v1, kind: ConfigMap, data: {mode: serve}}
        """

    static let app = """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: stored}
        spec:
          components:
          - componentName: api
            dataInputs:
            - inputStore:
                apiVersion: v1
                kind: ConfigMap
                name: shared-settings
                operations:
                - {type: jsonPatch, op: add, toFieldPath: data.database, valueFrom: {fieldPath: data.url}}
                - {type: jsonPatch, op: add, toFieldPath: data.settings, valueFrom: {fieldPath: "data[config.json]"}}
            - inputStore:
                apiVersion: v1
                kind: ConfigMap
                name: team-settings
                operations:
                - {type: jsonPatch, op: add, toFieldPath: data.owner, valueFrom: {fieldPath: data.owner}}
          - componentName: db
            dataOutputs:
            - name: db-url
              outputStore:
                apiVersion: v1
                kind: ConfigMap
                name: shared-settings
                operations:
                - {type: jsonPatch, op: add, toFieldPath: data.url, valueFrom: {fieldPath: data.url}}
                - {type: jsonPatch, op: add, toFieldPath: "data[config.json]", toDataPath: database.url, valueFrom: {fieldPath: data.url}}
        """

    @Test("a store is created with the output, the consumer gets the data and both follow changes; a resync writes nothing",
          arguments: Substrate.available)
    func storesCarryDataAndFollowChanges(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.components + "\n---\n" + Self.app)

            // The consumer waits for the store nobody writes; the status says which.
            let waiting = try await runtime.waitFor(Kinds.appConfig, "stored") { app in
                (app.valueIfPresent(at: "status.dependency.unsatisfied")?.arrayValue ?? []).contains {
                    $0["reason"] == "ConfigMap/team-settings does not exist yet"
                }
            }
            #expect(waiting.valueIfPresent(at: "status.conditions[0].reason") == "ReconcileSuccess")
            #expect(try await runtime.get(Kinds.configMap, "api") == nil)

            // The output's store is created, controlled by the AppConfig, with both operations applied.
            let store = try await runtime.waitFor(Kinds.configMap, "shared-settings")
            #expect(store.valueIfPresent(at: "data.url") == "postgres://db:5432")
            #expect(store.valueIfPresent(at: "data[config.json]") == #"{"database":{"url":"postgres://db:5432"}}"#)
            #expect(store.controllerReference?.kind == "ApplicationConfiguration")
            #expect(store.controllerReference?.uid == waiting.uid)

            // The other store appears (written by someone else): the consumer is created with both.
            try await runtime.create("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: team-settings}
                data: {owner: payments}
                """)
            let api = try await runtime.waitFor(Kinds.configMap, "api") { $0.valueIfPresent(at: "data.owner") == "payments" }
            #expect(api.valueIfPresent(at: "data.database") == "postgres://db:5432")
            #expect(api.valueIfPresent(at: "data.settings") == #"{"database":{"url":"postgres://db:5432"}}"#)
            let synced = try await runtime.waitFor(Kinds.appConfig, "stored") {
                $0.valueIfPresent(at: "status.dependency") == .emptyObject
            }
            #expect(synced.valueIfPresent(at: "status.errors") == nil)

            // The producer's output changes: the store follows, and the consumer follows the store.
            try await runtime.edit(Kinds.appConfig, "stored") { object in
                try object.setValue([["name": "url", "value": "postgres://db2:5432"]], at: "spec.components[1].parameterValues")
            }
            try await runtime.waitFor(Kinds.configMap, "shared-settings") {
                $0.valueIfPresent(at: "data[config.json]") == #"{"database":{"url":"postgres://db2:5432"}}"#
            }
            try await runtime.waitFor(Kinds.configMap, "api") { $0.valueIfPresent(at: "data.database") == "postgres://db2:5432" }

            // Data written into a store by someone else reaches the consumer too.
            _ = try await runtime.client.patch(
                Kinds.configMap, name: "team-settings", namespace: runtime.namespace,
                patch: ["data": ["owner": "checkout"]], type: .merge)
            try await runtime.waitFor(Kinds.configMap, "api") { $0.valueIfPresent(at: "data.owner") == "checkout" }

            // Converged: a full resync writes nothing, neither stores nor consumer nor status.
            try await runtime.expectResyncWritesNothing([
                (Kinds.configMap, "shared-settings"), (Kinds.configMap, "api"), (Kinds.configMap, "db"),
                (Kinds.appConfig, "stored"),
            ])
        }
    }

    @Test("an operation that cannot write is reported on the status and as a Warning, naming the field",
          arguments: Substrate.available)
    func writeErrorsReachStatusAndEvents(on substrate: Substrate) async throws {
        try await AppConfigSemanticsTests.withRecordedEvents(on: substrate) { runtime, sink in
            try await runtime.create("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: plain-store}
                data: {url: plain}
                ---
                \(Self.components)
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: broken}
                spec:
                  components:
                  - componentName: db
                    dataOutputs:
                    - name: db-url
                      outputStore:
                        apiVersion: v1
                        kind: ConfigMap
                        name: plain-store
                        operations:
                        - {type: jsonPatch, op: add, toFieldPath: data.url.host, valueFrom: {fieldPath: data.url}}
                """)
            let path = "spec.components[0].dataOutputs[0].outputStore.operations[0].toFieldPath"
            let app = try await runtime.waitFor(Kinds.appConfig, "broken") {
                $0.valueIfPresent(at: "status.errors[0].fieldPath") == .string(path)
            }
            #expect(app.valueIfPresent(at: "status.conditions[0].status") == "False")
            let message = app.valueIfPresent(at: "status.errors[0].message")?.stringValue ?? ""
            #expect(message.hasPrefix("cannot write dataOutput \"db-url\" to ConfigMap/plain-store: data.url: is not an object"))
            // The producer itself runs; the store is left as it was.
            try await runtime.waitFor(Kinds.configMap, "db")
            #expect(try await runtime.get(Kinds.configMap, "plain-store")?.valueIfPresent(at: "data.url") == "plain")
            let warned = try await eventually {
                sink.events.contains {
                    $0.type == .warning && $0.message.contains(path) && $0.object == "ApplicationConfiguration/broken"
                }
            }
            #expect(warned, "a Warning event names \(path): \(sink.events)")
        }
    }

    /// The resourceVersions of everything the first test writes.
}
