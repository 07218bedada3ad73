import APIMachinery
import Resources
import Testing

@Suite("Server-side apply taking over from client-side apply")
struct FieldManagerMigrationTests {
    let schema = PatchSchema.builtin(group: "", kind: "ConfigMap")!
    let fieldManager = FieldManager()
    let annotation = FieldManager.lastAppliedAnnotation

    func config(_ value: String) throws -> JSONValue {
        try json(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"},"data":{"mode":"\#(value)"}}"#)
    }

    /// What `kubectl apply` (client-side) creates: the configuration plus its last-applied annotation.
    func clientSideApplied(_ value: String) throws -> JSONValue {
        var object = try config(value)
        object["metadata"]?["annotations"] = [annotation: .string(try config(value).jsonString() + "\n")]
        return fieldManager.update(
            live: nil, new: object, manager: "kubectl-client-side-apply", time: "2025-01-01T00:00:00Z", schema: schema)
    }

    func managers(_ object: JSONValue) -> [String] {
        (object["metadata"]?["managedFields"]?.arrayValue ?? []).map {
            "\($0["manager"]?.stringValue ?? "") \($0["operation"]?.stringValue ?? "")"
        }
    }

    @Test("kubectl's server-side apply takes over the fields client-side apply set, and keeps the annotation current")
    func takesOver() throws {
        let live = try clientSideApplied("a")
        let applied = try fieldManager.apply(
            live: live, applied: try config("b"), manager: "kubectl", force: false, time: "2025-01-01T00:01:00Z",
            schema: schema)
        #expect(applied["data"]?["mode"] == "b")
        #expect(managers(applied) == ["kubectl Apply", "kubectl-client-side-apply Update"])
        let applier = applied["metadata"]?["managedFields"]?[0]
        #expect(applier?["fieldsV1"]?["f:data"]?["f:mode"] == [:])
        #expect(applied["metadata"]?["managedFields"]?[1]?["fieldsV1"]?["f:data"]?["f:mode"] == nil)
        #expect(applied["metadata"]?["annotations"]?[annotation]?.stringValue
            == #"{"apiVersion":"v1","data":{"mode":"b"},"kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"}}"# + "\n")
    }

    @Test("another manager, or a field changed since the last client-side apply, still conflicts")
    func stillConflicts() throws {
        let live = try clientSideApplied("a")
        let other = #expect(throws: APIError.self) {
            try fieldManager.apply(
                live: live, applied: try config("b"), manager: "deployer", force: false, time: "2025-01-01T00:01:00Z",
                schema: schema)
        }
        #expect(other?.code == 409)

        var edited = live
        edited["data"]?["mode"] = "c"
        let changed = fieldManager.update(
            live: live, new: edited, manager: "kubectl-edit", time: "2025-01-01T00:01:00Z", schema: schema)
        let error = #expect(throws: APIError.self) {
            try fieldManager.apply(
                live: changed, applied: try config("b"), manager: "kubectl", force: false, time: "2025-01-01T00:02:00Z",
                schema: schema)
        }
        #expect(error?.message == #"Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.mode"#)
    }

    @Test("a write that sets metadata.managedFields is honoured: kubectl's migration patch moves the owner")
    func migrationPatch() throws {
        let live = try fieldManager.apply(
            live: try clientSideApplied("a"), applied: try config("b"), manager: "kubectl", force: false,
            time: "2025-01-01T00:01:00Z", schema: schema)
        // kubectl merges the client-side manager's fields into its Apply entry and drops the Update one.
        var entries = live["metadata"]?["managedFields"]?.arrayValue ?? []
        entries[0]["fieldsV1"]?["f:metadata"] = ["f:annotations": ["f:\(annotation)": [:]]]
        var patched = live
        patched["metadata"]?["managedFields"] = .array([entries[0]])
        let migrated = fieldManager.update(
            live: live, new: patched, manager: "kubectl", time: "2025-01-01T00:02:00Z", schema: schema)
        #expect(managers(migrated) == ["kubectl Apply"])
        #expect(migrated["metadata"]?["managedFields"]?[0]?["fieldsV1"]?["f:metadata"]?["f:annotations"] != nil)
    }
}
