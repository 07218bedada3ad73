import OrderedCollections
import OAM
import Resources
import Testing

/// `outputStore` and `inputStore` (spec §6.6): the operations on their own, then the renderer
/// writing outputs into stores and copying data from stores into consumers.
@Suite("Data passing through stores")
struct DataStoreTests {
    // MARK: Operations

    static func applying(_ operation: DataOperation, value: JSONValue?, to start: JSONValue) throws -> JSONValue {
        var target = start
        try DataStoreOperation.apply(operation, value: value, to: &target)
        return target
    }

    @Test("a value is a JSON literal: objects, numbers and quoted strings; other text is a string")
    func literals() {
        #expect(DataStoreOperation.literal("{}") == .object([:]))
        #expect(DataStoreOperation.literal("3") == 3)
        #expect(DataStoreOperation.literal(#""3""#) == "3")
        #expect(DataStoreOperation.literal("hello") == "hello")
        #expect(DataStoreOperation.literal(#"{"a":[1]}"#) == ["a": [1]])
    }

    @Test("without toDataPath, add and replace set the field (creating what is missing) and delete removes it")
    func plainFieldOperations() throws {
        let start: JSONValue = ["data": ["old": "1"]]
        #expect(try Self.applying(DataOperation(op: "add", toFieldPath: "data.new"), value: "2", to: start)
            == ["data": ["old": "1", "new": "2"]])
        #expect(try Self.applying(DataOperation(op: "replace", toFieldPath: "data.old"), value: "3", to: start)
            == ["data": ["old": "3"]])
        #expect(try Self.applying(DataOperation(op: "add", toFieldPath: "spec.deep.key"), value: ["a": 1], to: start)
            == ["data": ["old": "1"], "spec": ["deep": ["key": ["a": 1]]]])
        #expect(try Self.applying(DataOperation(op: "delete", toFieldPath: "data.old"), value: nil, to: start)
            == ["data": [:]])
        // Deleting what is not there changes nothing.
        #expect(try Self.applying(DataOperation(op: "delete", toFieldPath: "data.gone"), value: nil, to: start) == start)
    }

    @Test("with toDataPath the field holds a JSON document as a string, changed in place")
    func documentOperations() throws {
        let add = DataOperation(op: "add", toFieldPath: "data[settings.json]", toDataPath: "db.host")
        // Missing (or empty) counts as an empty document.
        #expect(try Self.applying(add, value: "db.svc", to: ["data": [:]])
            == ["data": ["settings.json": #"{"db":{"host":"db.svc"}}"#]])
        #expect(try Self.applying(add, value: "db.svc", to: ["data": ["settings.json": ""]])
            == ["data": ["settings.json": #"{"db":{"host":"db.svc"}}"#]])
        let existing: JSONValue = ["data": ["settings.json": #"{"mode":"fast","db":{"host":"old"}}"#]]
        #expect(try Self.applying(add, value: "new", to: existing)
            == ["data": ["settings.json": #"{"mode":"fast","db":{"host":"new"}}"#]])
        let delete = DataOperation(op: "delete", toFieldPath: "data[settings.json]", toDataPath: "mode")
        #expect(try Self.applying(delete, value: nil, to: existing)
            == ["data": ["settings.json": #"{"db":{"host":"old"}}"#]])
        // An object already at the field is the document; it is written back as a string.
        #expect(try Self.applying(DataOperation(op: "add", toFieldPath: "spec.key", toDataPath: "sub-path"),
                                  value: "test", to: ["spec": ["key": [:]]])
            == ["spec": ["key": #"{"sub-path":"test"}"#]])
        // add at an array index inserts, replace overwrites.
        let list: JSONValue = ["data": ["hosts": #"{"all":["a","c"]}"#]]
        #expect(try Self.applying(DataOperation(op: "add", toFieldPath: "data.hosts", toDataPath: "all[1]"),
                                  value: "b", to: list)
            == ["data": ["hosts": #"{"all":["a","b","c"]}"#]])
        #expect(try Self.applying(DataOperation(op: "replace", toFieldPath: "data.hosts", toDataPath: "all[1]"),
                                  value: "b", to: list)
            == ["data": ["hosts": #"{"all":["a","b"]}"#]])
    }

    @Test("malformed operations name the field at fault")
    func malformedOperations() {
        var wrongType = DataOperation(op: "add", toFieldPath: "data.a", value: "1")
        wrongType.type = "strategicMerge"
        #expect(DataStoreOperation.problem(in: wrongType)?.field == "type")
        #expect(DataStoreOperation.problem(in: DataOperation(op: "merge", toFieldPath: "data.a", value: "1"))?.field == "op")
        #expect(DataStoreOperation.problem(in: DataOperation(op: "add", toFieldPath: "", value: "1"))?.field == "toFieldPath")
        #expect(DataStoreOperation.problem(in: DataOperation(op: "add", toFieldPath: "data.a"))?.message
            == "the operation needs value or valueFrom.fieldPath (only delete needs neither)")
        #expect(DataStoreOperation.problem(in: DataOperation(op: "delete", toFieldPath: "data.a")) == nil)
        #expect(DataStoreOperation.problem(in: DataOperation(op: "add", toFieldPath: "data[a", value: "1"))?.field
            == "toFieldPath")
        var target: JSONValue = ["data": ["doc": "not json"]]
        #expect(throws: DataStoreOperation.Failure.self) {
            try DataStoreOperation.apply(DataOperation(op: "add", toFieldPath: "data.doc", toDataPath: "a"),
                                         value: "1", to: &target)
        }
    }

    // MARK: Rendering

    /// A producer (ConfigMap `db`) whose output goes to the store `settings`, and a consumer
    /// (ConfigMap `api`) reading it.
    static func app(output: String, input: String = "", labels: String = "{}") -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: db}
        spec:
          workload: {apiVersion: v1, kind: ConfigMap, data: {url: "postgres://db"}}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: api}
        spec:
          workload: {apiVersion: v1, kind: ConfigMap, data: {mode: serve}}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop, namespace: default, uid: app-uid, labels: \(labels)}
        spec:
          components:
          - componentName: api
        \(input)
          - componentName: db
            dataOutputs:
        \(output)
        """
    }

    static let urlToStore = """
            - name: db-url
              outputStore:
                apiVersion: v1
                kind: ConfigMap
                name: settings
                operations:
                - {type: jsonPatch, op: add, toFieldPath: data.url, valueFrom: {fieldPath: data.url}}
                - {type: jsonPatch, op: add, toFieldPath: "data[config.json]", toDataPath: database.url, valueFrom: {fieldPath: data.url}}
        """

    static let storeToAPI = """
            dataInputs:
            - inputStore:
                apiVersion: v1
                kind: ConfigMap
                name: settings
                operations:
                - {type: jsonPatch, op: add, toFieldPath: data.database, valueFrom: {fieldPath: data.url}}
        """

    static func configMap(_ name: String, data: String, labels: String = "{}") throws -> Resource {
        try object("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: \(name), namespace: default, labels: \(labels)}
            data: \(data)
            """)
    }

    @Test("a ready output creates its store, controlled by the AppConfig, with every operation applied")
    func outputCreatesStore() throws {
        let rendered = try render(Self.app(output: Self.urlToStore),
                                  observed: [Self.configMap("db", data: "{url: 'postgres://db'}")])
        #expect(rendered.errors.isEmpty)
        let store = try #require(rendered.stores.first)
        #expect(store.reference == TypedReference(apiVersion: "v1", kind: "ConfigMap", name: "settings"))
        #expect(store.live == nil)
        #expect(store.needsWrite)
        let desired = try #require(store.desired)
        #expect(desired.namespace == "default")
        #expect(desired.controllerReference?.kind == "ApplicationConfiguration")
        #expect(desired.controllerReference?.name == "shop")
        #expect(desired.controllerReference?.uid == "app-uid")
        #expect(RenderedStore.isStore(desired))
        #expect(desired.valueIfPresent(at: "data.url") == "postgres://db")
        #expect(desired.valueIfPresent(at: "data[config.json]") == #"{"database":{"url":"postgres://db"}}"#)
        // One edge per operation, from the producer's field to the store's.
        let edges = rendered.dataEdges.filter { $0.to.name == "settings" }
        #expect(edges.map(\.to.fieldPaths) == [["data.url"], ["data[config.json](database.url)"]])
        #expect(edges.allSatisfy { $0.state == .satisfied("postgres://db") && $0.from.name == "db" && $0.outputName == "db-url" })
    }

    @Test("a store that already holds the values needs no write")
    func storeUpToDate() throws {
        let store = try Self.configMap(
            "settings", data: #"{url: "postgres://db", config.json: '{"database":{"url":"postgres://db"}}'}"#)
        let rendered = try render(Self.app(output: Self.urlToStore),
                                  observed: [Self.configMap("db", data: "{url: 'postgres://db'}"), store])
        #expect(rendered.stores.first?.live != nil)
        #expect(rendered.stores.first?.needsWrite == false)
    }

    @Test("an existing store keeps its other data and its owner; only the written fields change")
    func existingStoreIsPatched() throws {
        let store = try Self.configMap("settings", data: #"{url: "postgres://old", other: kept, config.json: '{"cache":"on"}'}"#)
        let rendered = try render(Self.app(output: Self.urlToStore),
                                  observed: [Self.configMap("db", data: "{url: 'postgres://db'}"), store])
        let desired = try #require(rendered.stores.first?.desired)
        #expect(desired.valueIfPresent(at: "data") == [
            "url": "postgres://db", "other": "kept",
            "config.json": #"{"cache":"on","database":{"url":"postgres://db"}}"#,
        ])
        #expect(desired.controllerReference == nil)
        #expect(rendered.stores.first?.needsWrite == true)
    }

    @Test("an output waits while its producer does not exist, in one edge naming every destination")
    func outputWaitsForProducer() throws {
        let rendered = try render(Self.app(output: Self.urlToStore))
        let store = try #require(rendered.stores.first)
        #expect(store.desired == nil)
        #expect(!store.needsWrite)
        #expect(rendered.unsatisfiedDependencies == [.init(
            reason: "ConfigMap/db does not exist yet",
            from: .init(apiVersion: "v1", kind: "ConfigMap", name: "db"),
            to: .init(apiVersion: "v1", kind: "ConfigMap", name: "settings",
                      fieldPaths: ["data.url", "data[config.json](database.url)"]))])
        // The producer itself is not held back by its own output.
        #expect(rendered.components.first { $0.componentName == "db" }?.workload.isReady == true)
    }

    @Test("operation conditions gate the whole output, with the reference runtime's reasons and to-paths")
    func operationConditions() throws {
        let output = """
                - name: hash
                  outputStore:
                    apiVersion: v1
                    kind: ConfigMap
                    name: settings
                    operations:
                    - {type: jsonPatch, op: add, toFieldPath: data, value: "{}"}
                    - type: jsonPatch
                      op: add
                      toFieldPath: data.app-hash
                      toDataPath: sub-path
                      valueFrom: {fieldPath: data.key}
                      conditions:
                      - {op: notEq, value: "", fieldPath: data.app-hash}
                      - {op: eq, valueFrom: {fieldPath: metadata.labels.app-hash}, fieldPath: data.app-hash}
            """
        let app = Self.app(output: output, labels: "{app-hash: hash-v2}")
        let old = try render(app, observed: [Self.configMap("db", data: "{key: test, app-hash: hash-v1}")])
        #expect(old.stores.first?.desired == nil)
        #expect(old.unsatisfiedDependencies == [.init(
            reason: "got(hash-v1) expected to be hash-v2",
            from: .init(apiVersion: "v1", kind: "ConfigMap", name: "db", fieldPath: "data.key"),
            to: .init(apiVersion: "v1", kind: "ConfigMap", name: "settings", fieldPaths: ["data.app-hash(sub-path)"]))])
        let empty = try render(app, observed: [Self.configMap("db", data: "{key: test, app-hash: ''}")])
        #expect(empty.unsatisfiedDependencies.first?.reason == "got() expected not to be ")
        let missing = try render(app, observed: [Self.configMap("db", data: "{app-hash: hash-v2}")])
        #expect(missing.unsatisfiedDependencies.first?.reason == "data.key not found in ConfigMap/db")

        let ready = try render(app, observed: [Self.configMap("db", data: "{key: test, app-hash: hash-v2}")])
        #expect(ready.unsatisfiedDependencies.isEmpty)
        #expect(ready.stores.first?.desired?.valueIfPresent(at: "data") == ["app-hash": #"{"sub-path":"test"}"#])
    }

    @Test("two outputs writing one store are written together, in spec order")
    func twoOutputsOneStore() throws {
        let output = """
                - name: url
                  outputStore:
                    apiVersion: v1
                    kind: ConfigMap
                    name: settings
                    operations: [{type: jsonPatch, op: add, toFieldPath: data.url, valueFrom: {fieldPath: data.url}}]
                - name: mode
                  outputStore:
                    apiVersion: v1
                    kind: ConfigMap
                    name: settings
                    operations: [{type: jsonPatch, op: replace, toFieldPath: data.mode, value: '"primary"'}]
            """
        let rendered = try render(Self.app(output: output), observed: [Self.configMap("db", data: "{url: 'postgres://db'}")])
        #expect(rendered.stores.count == 1)
        #expect(rendered.stores.first?.desired?.valueIfPresent(at: "data") == ["url": "postgres://db", "mode": "primary"])
    }

    @Test("a consumer waits for its store to exist, and the status says which")
    func inputWaitsForStore() throws {
        let rendered = try render(Self.app(output: Self.urlToStore, input: Self.storeToAPI))
        let api = try #require(rendered.components.first { $0.componentName == "api" }).workload
        #expect(!api.isReady)
        #expect(rendered.unsatisfiedDependencies.contains(.init(
            reason: "ConfigMap/settings does not exist yet",
            from: .init(apiVersion: "v1", kind: "ConfigMap", name: "settings"),
            to: .init(apiVersion: "v1", kind: "ConfigMap", name: "api", fieldPaths: ["data.database"]))))
        #expect(rendered.errors.isEmpty)
    }

    @Test("a consumer gets the store's data copied into it")
    func inputCopiesFromStore() throws {
        let input = """
                dataInputs:
                - inputStore:
                    apiVersion: v1
                    kind: ConfigMap
                    name: settings
                    operations:
                    - {type: jsonPatch, op: add, toFieldPath: data.database, valueFrom: {fieldPath: data.url}}
                    - {type: jsonPatch, op: add, toFieldPath: data.settings, valueFrom: {fieldPath: "data[config.json]"}}
                    - {type: jsonPatch, op: add, toFieldPath: data.flags, toDataPath: verbose, value: "true"}
                    - {type: jsonPatch, op: delete, toFieldPath: data.mode}
            """
        let store = try Self.configMap(
            "settings", data: #"{url: "postgres://db", config.json: '{"database":{"url":"postgres://db"}}'}"#)
        let rendered = try render(Self.app(output: Self.urlToStore, input: input),
                                  observed: [Self.configMap("db", data: "{url: 'postgres://db'}"), store])
        let api = try #require(rendered.components.first { $0.componentName == "api" }).workload
        #expect(api.isReady)
        #expect(api.object.valueIfPresent(at: "data") == [
            "database": "postgres://db", "settings": #"{"database":{"url":"postgres://db"}}"#,
            "flags": #"{"verbose":true}"#,
        ])
        #expect(rendered.dataEdges.filter { $0.from.name == "settings" }.count == 4)
    }

    @Test("store operation conditions are checked on the store; input conditions on the consumer")
    func inputConditions() throws {
        let input = """
                dataInputs:
                - conditions: [{op: eq, value: "", fieldPath: "data.database"}]
                  inputStore:
                    apiVersion: v1
                    kind: ConfigMap
                    name: settings
                    operations:
                    - type: jsonPatch
                      op: add
                      toFieldPath: data.database
                      valueFrom: {fieldPath: data.url}
                      conditions: [{op: notEq, value: pending}]
            """
        let app = Self.app(output: Self.urlToStore, input: input)
        let pending = try render(app, observed: [Self.configMap("settings", data: "{url: pending}")])
        #expect(pending.dataEdges.first { $0.from.name == "settings" }?.state == .waiting("got(pending) expected not to be pending"))
        let ready = try render(app, observed: [Self.configMap("settings", data: "{url: 'postgres://db'}")])
        #expect(ready.components.first { $0.componentName == "api" }?.workload.object.valueIfPresent(at: "data.database")
            == "postgres://db")
        // Filled once: a consumer that already has a value keeps it.
        let filled = try render(app, observed: [
            Self.configMap("settings", data: "{url: 'postgres://new'}"), Self.configMap("api", data: "{database: 'postgres://db'}"),
        ])
        #expect(filled.dataEdges.first { $0.from.name == "settings" }?.state
            == .waiting("DataInputs Conditions: got(postgres://db) expected to be "))
    }

    @Test("malformed store references and operations are errors naming the AppConfig field")
    func errorsNameTheField() throws {
        let output = """
                - name: db-url
                  outputStore:
                    apiVersion: v1
                    kind: ConfigMap
                    name: settings
                    operations:
                    - {type: jsonPatch, op: add, toFieldPath: data.url}
            """
        let input = """
                dataInputs:
                - inputStore:
                    name: settings
                    operations: [{type: jsonPatch, op: add, toFieldPath: data.url, value: x}]
            """
        let rendered = try render(Self.app(output: output, input: input),
                                  observed: [Self.configMap("db", data: "{url: 'postgres://db'}")])
        let described = rendered.errors.map { "\($0.path?.description ?? ""): \($0.message)" }
        #expect(described.contains(
            "spec.components[1].dataOutputs[0].outputStore.operations[0].value: the operation needs value or valueFrom.fieldPath (only delete needs neither)"))
        #expect(described.contains(
            "spec.components[0].dataInputs[0].inputStore.apiVersion: the store settings needs apiVersion (for example apiVersion: v1, kind: ConfigMap)"))
        // The producer still renders; only its store write is dropped.
        #expect(rendered.components.contains { $0.componentName == "db" })
        #expect(rendered.stores.first?.desired == nil)
    }

    @Test("an operation that cannot write names the operation and the store")
    func writeFailure() throws {
        let output = """
                - name: db-url
                  outputStore:
                    apiVersion: v1
                    kind: ConfigMap
                    name: settings
                    operations:
                    - {type: jsonPatch, op: add, toFieldPath: data.url.host, valueFrom: {fieldPath: data.url}}
            """
        let store = try Self.configMap("settings", data: "{url: plain}")
        let rendered = try render(Self.app(output: output),
                                  observed: [Self.configMap("db", data: "{url: 'postgres://db'}"), store])
        let error = try #require(rendered.errors.first)
        #expect(error.path?.description == "spec.components[1].dataOutputs[0].outputStore.operations[0].toFieldPath")
        #expect(error.message.hasPrefix("cannot write dataOutput \"db-url\" to ConfigMap/settings: data.url: is not an object"))
        #expect(rendered.stores.first?.needsWrite == false)
    }

    @Test("validation reports malformed stores with their field paths")
    func validation() throws {
        let output = """
                - name: db-url
                  outputStore:
                    kind: ConfigMap
                    name: settings
                    operations:
                    - {type: merge, op: add, toFieldPath: data.url, value: x}
                    - {type: jsonPatch, op: add, toFieldPath: data.url, value: x, conditions: [{op: gt, value: "1"}]}
            """
        let found = try errors(validate(Self.app(output: output)))
        #expect(found.contains { $0.contains("spec.components[1].dataOutputs[0].outputStore.apiVersion") })
        #expect(found.contains {
            $0.contains("spec.components[1].dataOutputs[0].outputStore.operations[0].type")
                && $0.contains("unsupported operation type \"merge\"")
        })
        #expect(found.contains { $0.contains("spec.components[1].dataOutputs[0].outputStore.operations[1].conditions[0].op") })
    }

    @Test("a trait's output writes a store, and a trait's input reads one")
    func traitsUseStores() throws {
        let yaml = """
            \(deploymentComponent("web"))
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop, namespace: default}
            spec:
              components:
              - componentName: web
                traits:
                - trait: {apiVersion: example.com/v1, kind: Certificate, metadata: {name: web-cert}}
                  dataOutputs:
                  - name: fingerprint
                    outputStore:
                      apiVersion: v1
                      kind: ConfigMap
                      name: certs
                      operations: [{type: jsonPatch, op: add, toFieldPath: data.web, valueFrom: {fieldPath: status.fingerprint}}]
                - trait: {apiVersion: example.com/v1, kind: Route, metadata: {name: web-route}}
                  dataInputs:
                  - inputStore:
                      apiVersion: v1
                      kind: ConfigMap
                      name: certs
                      operations: [{type: jsonPatch, op: add, toFieldPath: spec.tls.fingerprint, valueFrom: {fieldPath: data.web}}]
            """
        let certificate = try object("""
            apiVersion: example.com/v1
            kind: Certificate
            metadata: {name: web-cert, namespace: default}
            status: {fingerprint: "ab:cd"}
            """)
        let rendered = try render(yaml, observed: [certificate, Self.configMap("certs", data: "{web: 'ab:cd'}")])
        #expect(rendered.errors.isEmpty)
        #expect(rendered.stores.first?.needsWrite == false)
        let route = try #require(rendered.components.first?.traits.last)
        #expect(route.isReady)
        #expect(route.object.valueIfPresent(at: "spec.tls.fingerprint") == "ab:cd")
        #expect(rendered.dataEdges.map(\.from.kind) == ["Certificate", "ConfigMap"])
    }
}
