import OrderedCollections
import Resources
import Testing
@testable import APIMachinery

@Suite("Table output")
struct DiscoveryTableTests {
    static let now = "2025-01-01T01:00:00Z"

    func cells(_ table: JSONValue) -> [[JSONValue]] {
        (table["rows"]?.arrayValue ?? []).map { $0["cells"]?.arrayValue ?? [] }
    }

    func columnNames(_ table: JSONValue, priority: Int64 = 0) -> [String] {
        (table["columnDefinitions"]?.arrayValue ?? []).filter { $0["priority"]?.intValue == priority }
            .compactMap { $0["name"]?.stringValue }
    }

    @Test("deployments show READY, UP-TO-DATE, AVAILABLE, AGE, and more with -o wide")
    func deployments() throws {
        let web = try resource("""
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": "web", "namespace": "shop", "creationTimestamp": "2025-01-01T00:55:00Z", "labels": {"app": "web"}},
             "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "tier": "front"}},
                      "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}, {"name": "log", "image": "busybox"}]}}},
             "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}}
            """)
        let table = TableConverter.table(for: [web], type: BuiltinTypes.deployments.type, additionalPrinterColumns: nil,
                                         now: Self.now, resourceVersion: "42")
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table["metadata"] == ["resourceVersion": "42"])
        #expect(columnNames(table) == ["Name", "Ready", "Up-to-date", "Available", "Age"])
        #expect(columnNames(table, priority: 1) == ["Containers", "Images", "Selector"])
        #expect(table["columnDefinitions"]?[0]?["format"] == "name")
        #expect(cells(table) == [["web", "2/3", 3, 2, "5m", "web,log", "nginx,busybox", "app=web,tier=front"]])
        let object = try #require(table["rows"]?[0]?["object"])
        #expect(object["kind"] == "PartialObjectMetadata")
        #expect(object["apiVersion"] == "meta.k8s.io/v1")
        #expect(object["metadata"]?["namespace"] == "shop")
        #expect(object["metadata"]?["labels"] == ["app": "web"])
        #expect(object["spec"] == nil)
    }

    @Test("includeObject chooses the row object")
    func includeObject() throws {
        let map = try resource(#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}}"#)
        let full = TableConverter.table(for: [map], type: BuiltinTypes.configMaps.type, additionalPrinterColumns: nil,
                                        now: Self.now, includeObject: .object)
        #expect(full["rows"]?[0]?["object"] == map.value)
        let none = TableConverter.table(for: [map], type: BuiltinTypes.configMaps.type, additionalPrinterColumns: nil,
                                        now: Self.now, includeObject: IncludeObject(queryValue: "None"))
        #expect(none["rows"]?[0]?["object"] == nil)
        #expect(IncludeObject(queryValue: nil) == .metadata)
        #expect(cells(full) == [["c", 2, "<unknown>"]])
    }

    @Test("services show type, IPs, ports")
    func services() throws {
        let service = try resource("""
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "creationTimestamp": "2024-12-30T01:00:00Z"},
             "spec": {"type": "NodePort", "clusterIP": "10.0.0.1", "selector": {"app": "web"},
                      "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}}
            """)
        let table = TableConverter.table(for: [service], type: BuiltinTypes.services.type, additionalPrinterColumns: nil, now: Self.now)
        #expect(columnNames(table) == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"])
        #expect(cells(table) == [["web", "NodePort", "10.0.0.1", "<none>", "80:30080/TCP,53/UDP", "2d", "app=web"]])
    }

    @Test("custom resources show their printer columns")
    func printerColumns() throws {
        let widget = try resource("""
            {"apiVersion": "example.com/v1", "kind": "Widget",
             "metadata": {"name": "w", "creationTimestamp": "2025-01-01T00:00:00Z"},
             "spec": {"size": 3, "colours": [{"name": "red"}, {"name": "blue"}]},
             "status": {"conditions": [{"type": "Synced", "status": "False"}, {"type": "Ready", "status": "True"}]}}
            """)
        let columns: [JSONValue] = try [
            json(#"{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}"#),
            json(#"{"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"}"#),
            json(#"{"name": "Colours", "type": "string", "jsonPath": ".spec.colours[*].name", "priority": 1}"#),
            json(#"{"name": "Missing", "type": "string", "jsonPath": ".spec.nothing"}"#),
            json(#"{"name": "Wrong", "type": "boolean", "jsonPath": ".spec.size"}"#),
            json(#"{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}"#),
        ]
        let table = TableConverter.table(for: [widget], type: try #require(try DiscoveryDocumentsTests.widgetRegistry().last?.type),
                                         additionalPrinterColumns: columns, now: Self.now)
        #expect(columnNames(table) == ["Name", "Size", "Ready", "Missing", "Wrong", "Age"])
        #expect(columnNames(table, priority: 1) == ["Colours"])
        #expect(table["columnDefinitions"]?[1]?["type"] == "integer")
        #expect(cells(table) == [["w", 3, "True", "red,blue", nil, nil, "60m"]])
    }

    @Test("custom resources without printer columns show NAME and AGE")
    func defaultColumns() throws {
        let widget = try resource(#"{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "creationTimestamp": "2025-01-01T00:59:30Z"}}"#)
        let type = ResourceType(group: "example.com", version: "v1", resource: "widgets", kind: "Widget", namespaced: true, hasStatus: false)
        let table = TableConverter.table(for: [widget], type: type, additionalPrinterColumns: nil, now: Self.now)
        #expect(columnNames(table) == ["Name", "Age"])
        #expect(cells(table) == [["w", "30s"]])
    }

    @Test("CRDs show their creation time; statefulsets READY")
    func otherBuiltins() throws {
        let crd = try resource(#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.com", "creationTimestamp": "2025-01-01T00:00:00Z"}}"#)
        let crdTable = TableConverter.table(for: [crd], type: BuiltinTypes.customResourceDefinitions.type, additionalPrinterColumns: nil, now: Self.now)
        #expect(columnNames(crdTable) == ["Name", "Created At"])
        #expect(cells(crdTable) == [["widgets.example.com", "2025-01-01T00:00:00Z"]])
        let sts = try resource(#"{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"replicas": 1}}"#)
        let stsTable = TableConverter.table(for: [sts], type: BuiltinTypes.statefulSets.type, additionalPrinterColumns: nil, now: Self.now)
        #expect(columnNames(stsTable) == ["Name", "Ready", "Age"])
        #expect(cells(stsTable).first?.prefix(2) == ["db", "0/1"])
    }

    static let durations: [(Double, String)] = [
        (0, "0s"), (-1.5, "0s"), (-5, "<invalid>"), (59, "59s"), (119, "119s"), (120, "2m"), (150, "2m30s"),
        (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"), (3 * 3600 + 60 * 5, "3h5m"), (20 * 3600, "20h"),
        (50 * 3600, "2d2h"), (48 * 3600, "2d"), (10 * 86400, "10d"), (800 * 86400, "2y70d"), (9 * 365 * 86400, "9y"),
    ]

    @Test("ages read as kubectl prints them", arguments: durations)
    func humanDuration(_ seconds: Double, _ expected: String) {
        #expect(Timestamps.humanDuration(seconds: seconds) == expected)
    }

    @Test("RFC 3339 timestamps parse with fractions and offsets")
    func timestamps() {
        #expect(Timestamps.secondsSinceEpoch("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamps.secondsSinceEpoch("2025-01-01T00:00:00Z") == 1_735_689_600)
        #expect(Timestamps.secondsSinceEpoch("2025-01-01T02:00:00+02:00") == 1_735_689_600)
        #expect(Timestamps.secondsSinceEpoch("2025-01-01T00:00:00.5Z") == 1_735_689_600.5)
        #expect(Timestamps.secondsSinceEpoch("2025-01-01") == nil)
        #expect(Timestamps.age(of: nil, now: Self.now) == "<unknown>")
    }

    @Test("the Table Accept header is recognised")
    func accept() {
        #expect(TableConverter.acceptsTable("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"))
        #expect(!TableConverter.acceptsTable("application/json"))
    }

    static let paths: [(String, String, String)] = [
        (".spec.a", #"{"spec": {"a": 1}}"#, "[1]"),
        ("{.spec.list[1]}", #"{"spec": {"list": [1, 2]}}"#, "[2]"),
        (".spec.list[*].n", #"{"spec": {"list": [{"n": 1}, {"n": 2}]}}"#, "[1,2]"),
        (".metadata.annotations['a.b/c']", #"{"metadata": {"annotations": {"a.b/c": "x"}}}"#, #"["x"]"#),
        (".s[?(@.type!='A')].v", #"{"s": [{"type": "A", "v": 1}, {"type": "B", "v": 2}]}"#, "[2]"),
        (".s[?(@.n==2)].v", #"{"s": [{"n": 1, "v": 1}, {"n": 2, "v": 2}]}"#, "[2]"),
        (".missing.x", #"{}"#, "[]"),
    ]

    @Test("simple JSONPath", arguments: paths)
    func jsonPath(_ path: String, _ object: String, _ expected: String) throws {
        #expect(try SimpleJSONPath(path).evaluate(json(object)) == (try json(expected)).arrayValue)
    }
}
