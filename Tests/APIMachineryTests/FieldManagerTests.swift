import APIMachinery
import Resources
import Testing

@Suite("Server-side apply and managed fields")
struct FieldManagerTests {
    let schema = PatchSchema.builtin(group: "apps", kind: "Deployment")!
    let fieldManager = FieldManager(ignoredFields: [FieldPath([.field("status")])])
    let t1 = "2025-01-01T00:00:00Z"
    let t2 = "2025-01-01T00:01:00Z"
    let t3 = "2025-01-01T00:02:00Z"

    func config(replicas: Int64? = 2, containers: String = #"[{"name":"web","image":"nginx:1.25"}]"#) throws -> JSONValue {
        var spec = try json(
            """
            {"selector":{"matchLabels":{"app":"web"}},
             "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":\(containers)}}}
            """)
        if let replicas { spec["replicas"] = .int(replicas) }
        var object = try json(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}}}"#)
        object["spec"] = spec
        return object
    }

    func managedFields(_ object: JSONValue) -> [JSONValue] {
        object["metadata"]?["managedFields"]?.arrayValue ?? []
    }

    func entry(_ object: JSONValue, _ manager: String) -> JSONValue? {
        managedFields(object).first { $0["manager"]?.stringValue == manager }
    }

    @Test("the first apply creates the object and records the applier's fields in fieldsV1")
    func firstApply() throws {
        let created = try fieldManager.apply(
            live: nil, applied: try config(), manager: "kubectl", force: false, time: t1, schema: schema)
        #expect(created["spec"]?["replicas"] == 2)
        #expect(managedFields(created).count == 1)
        let applier = try #require(entry(created, "kubectl"))
        #expect(
            applier.jsonString()
                == #"{"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1","time":"2025-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":"#
                + #"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":"#
                + #"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}}}"#)
    }

    @Test("re-applying without a field removes it from the object and from the applier's set")
    func reapplyRemoves() throws {
        let created = try fieldManager.apply(
            live: nil, applied: try config(), manager: "kubectl", force: false, time: t1, schema: schema)
        let reapplied = try fieldManager.apply(
            live: created, applied: try config(replicas: nil), manager: "kubectl", force: false, time: t2,
            schema: schema)
        #expect(reapplied["spec"]?["replicas"] == nil)
        #expect(entry(reapplied, "kubectl")?["fieldsV1"]?["f:spec"]?["f:replicas"] == nil)
        #expect(entry(reapplied, "kubectl")?["time"] == .string(t2))
    }

    @Test("re-applying the same configuration changes nothing, not even the time")
    func reapplySame() throws {
        let created = try fieldManager.apply(
            live: nil, applied: try config(), manager: "kubectl", force: false, time: t1, schema: schema)
        let again = try fieldManager.apply(
            live: created, applied: try config(), manager: "kubectl", force: false, time: t2, schema: schema)
        #expect(again == created)
    }

    @Test("a second applier changing a field the first owns conflicts; with force it takes the field")
    func conflictAndForce() throws {
        let created = try fieldManager.apply(
            live: nil, applied: try config(), manager: "kubectl", force: false, time: t1, schema: schema)
        let scale = try json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}}"#)
        let error = #expect(throws: APIError.self) {
            try fieldManager.apply(live: created, applied: scale, manager: "scaler", force: false, time: t2, schema: schema)
        }
        #expect(error?.code == 409)
        #expect(error?.reason == .conflict)
        #expect(error?.message == #"Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas"#)
        #expect(
            error?.causes == [APIError.Cause(type: "FieldManagerConflict", message: #"conflict with "kubectl""#, field: ".spec.replicas")])

        let forced = try fieldManager.apply(live: created, applied: scale, manager: "scaler", force: true, time: t2, schema: schema)
        #expect(forced["spec"]?["replicas"] == 5)
        #expect(forced["spec"]?["template"] == created["spec"]?["template"])
        #expect(entry(forced, "scaler")?["fieldsV1"] == ["f:spec": ["f:replicas": [:]]])
        #expect(entry(forced, "kubectl")?["fieldsV1"]?["f:spec"]?["f:replicas"] == nil)
        #expect(entry(forced, "kubectl")?["fieldsV1"]?["f:spec"]?["f:selector"] == [:])
    }

    @Test("two appliers setting the same value share the field without conflict")
    func sharedOwnership() throws {
        let created = try fieldManager.apply(
            live: nil, applied: try config(), manager: "kubectl", force: false, time: t1, schema: schema)
        let same = try json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}"#)
        let shared = try fieldManager.apply(live: created, applied: same, manager: "other", force: false, time: t2, schema: schema)
        #expect(entry(shared, "other")?["fieldsV1"] == ["f:spec": ["f:replicas": [:]]])
        #expect(entry(shared, "kubectl")?["fieldsV1"]?["f:spec"]?["f:replicas"] == [:])
        // The first applier dropping the field leaves it to the other one.
        let dropped = try fieldManager.apply(
            live: shared, applied: try config(replicas: nil), manager: "kubectl", force: false, time: t3, schema: schema)
        #expect(dropped["spec"]?["replicas"] == 2)
    }

    @Test("an update takes the fields it changes; applying them again conflicts with the updater")
    func updateThenApplyConflict() throws {
        let created = try fieldManager.apply(
            live: nil, applied: try config(), manager: "kubectl", force: false, time: t1, schema: schema)
        var scaled = created
        scaled["spec"]?["replicas"] = 4
        let updated = fieldManager.update(
            live: created, new: scaled, manager: "kube-controller-manager", time: t2, schema: schema)
        let updater = try #require(entry(updated, "kube-controller-manager"))
        #expect(updater["operation"] == "Update")
        #expect(updater["fieldsV1"] == ["f:spec": ["f:replicas": [:]]])
        #expect(entry(updated, "kubectl")?["fieldsV1"]?["f:spec"]?["f:replicas"] == nil)
        #expect(managedFields(updated).map { $0["manager"] } == ["kubectl", "kube-controller-manager"])

        let error = #expect(throws: APIError.self) {
            try fieldManager.apply(live: updated, applied: try config(), manager: "kubectl", force: false, time: t3, schema: schema)
        }
        #expect(
            error?.message
                == #"Apply failed with 1 conflict: conflict with "kube-controller-manager" using apps/v1: .spec.replicas"#)
        #expect(error?.causes.first?.message == #"conflict with "kube-controller-manager" using apps/v1"#)
    }

    @Test("updates by the same manager merge into one entry")
    func updatesMerge() throws {
        let base = try config()
        let created = fieldManager.update(live: nil, new: base, manager: "kubectl-create", time: t1, schema: schema)
        var edited = created
        edited["spec"]?["paused"] = true
        let updated = fieldManager.update(live: created, new: edited, manager: "kubectl-create", time: t2, schema: schema)
        #expect(managedFields(updated).count == 1)
        let fields = try #require(entry(updated, "kubectl-create")?["fieldsV1"])
        #expect(fields["f:spec"]?["f:paused"] == [:])
        #expect(fields["f:spec"]?["f:replicas"] == [:])
        #expect(entry(updated, "kubectl-create")?["time"] == .string(t2))
        // Created by an update: maps and list elements are owned as such, the pod template is not.
        #expect(fields["f:metadata"]?["f:labels"]?["."] == [:])
        #expect(fields["f:spec"]?["f:template"]?["."] == nil)
        #expect(fields["f:spec"]?["f:template"]?["f:spec"]?["f:containers"]?["."] == nil)
    }

    @Test("list maps merge by key: each applier owns its own container")
    func containersByName() throws {
        let created = try fieldManager.apply(
            live: nil, applied: try config(), manager: "kubectl", force: false, time: t1, schema: schema)
        let sidecar = try json(
            """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"template":{"spec":{"containers":[{"name":"proxy","image":"envoy:1","ports":[{"containerPort":9901}]}]}}}}
            """)
        let merged = try fieldManager.apply(live: created, applied: sidecar, manager: "mesh", force: false, time: t2, schema: schema)
        let names = merged["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["web", "proxy"])
        let proxy = entry(merged, "mesh")?["fieldsV1"]?["f:spec"]?["f:template"]?["f:spec"]?["f:containers"]?[#"k:{"name":"proxy"}"#]
        #expect(proxy?["f:ports"]?[#"k:{"containerPort":9901,"protocol":"TCP"}"#] == [".": [:], "f:containerPort": [:]])

        // The first applier changes its container's image and drops nothing of the other's.
        let bumped = try fieldManager.apply(
            live: merged, applied: try config(containers: #"[{"name":"web","image":"nginx:1.27"}]"#), manager: "kubectl",
            force: false, time: t3, schema: schema)
        let containers = bumped["spec"]?["template"]?["spec"]?["containers"]
        #expect(containers?[0]?["image"] == "nginx:1.27")
        #expect(containers?[1]?["name"] == "proxy")

        // Dropping its container removes it, since nobody else owns it.
        let dropped = try fieldManager.apply(
            live: bumped, applied: try config(containers: "[]"), manager: "kubectl", force: false, time: t3, schema: schema)
        #expect(dropped["spec"]?["template"]?["spec"]?["containers"] == [
            ["name": "proxy", "image": "envoy:1", "ports": [["containerPort": 9901]]],
        ])
    }

    @Test("an applied configuration with managedFields or repeated keys is a 400")
    func badConfigurations() throws {
        var withManaged = try config()
        withManaged["metadata"]?["managedFields"] = []
        let error = #expect(throws: APIError.self) {
            try fieldManager.apply(live: nil, applied: withManaged, manager: "m", force: false, time: t1, schema: schema)
        }
        #expect(error?.message == "metadata.managedFields must be nil")

        let repeated = try config(containers: #"[{"name":"a"},{"name":"a"}]"#)
        let duplicate = #expect(throws: APIError.self) {
            try fieldManager.apply(live: nil, applied: repeated, manager: "m", force: false, time: t1, schema: schema)
        }
        #expect(duplicate?.code == 400)
        #expect(
            duplicate?.message
                == #"failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]"#)
    }

    @Test("fields set before anyone tracked them conflict as before-first-apply's")
    func beforeFirstApply() throws {
        let untracked = try config()
        let error = #expect(throws: APIError.self) {
            try fieldManager.apply(live: untracked, applied: try config(replicas: 3), manager: "kubectl", force: false, time: t1, schema: schema)
        }
        #expect(error?.message == #"Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas"#)
    }

    @Test("status writes through the subresource are recorded with subresource status")
    func statusSubresource() throws {
        let created = try fieldManager.apply(
            live: nil, applied: try config(), manager: "kubectl", force: false, time: t1, schema: schema)
        var withStatus = created
        withStatus["status"] = ["replicas": 2, "conditions": [["type": "Available", "status": "True"]]]
        let statusManager = FieldManager(subresource: "status", ignoredFields: [FieldPath([.field("spec")])])
        let updated = statusManager.update(live: created, new: withStatus, manager: "controller", time: t2, schema: schema)
        let status = try #require(entry(updated, "controller"))
        #expect(status["subresource"] == "status")
        #expect(
            status["fieldsV1"]?.jsonString()
                == #"{"f:status":{"f:conditions":{".":{},"k:{\"type\":\"Available\"}":{".":{},"f:status":{},"f:type":{}}},"f:replicas":{}}}"#)
    }

    @Test("a CRD's schema gives list maps, sets and atomic maps")
    func customResourceSchema() throws {
        let openAPI = try json(
            """
            {"type":"object","properties":{
              "spec":{"type":"object","properties":{
                "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["id"],
                         "items":{"type":"object","properties":{"id":{"type":"string"},"v":{"type":"integer"}}}},
                "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
                "args":{"type":"array","items":{"type":"string"}},
                "selector":{"type":"object","x-kubernetes-map-type":"atomic","additionalProperties":{"type":"string"}},
                "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}
            """)
        let crd = PatchSchema(openAPIV3Schema: openAPI)
        let manager = FieldManager()
        let first = try json(
            """
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","finalizers":["x"]},
             "spec":{"items":[{"id":"a","v":1}],"tags":["t1"],"args":["-a"],"selector":{"k":"v"},"extra":{"deep":{"n":1}}}}
            """)
        let created = try manager.apply(live: nil, applied: first, manager: "a", force: false, time: t1, schema: crd)
        #expect(
            entry(created, "a")?["fieldsV1"]?.jsonString()
                == #"{"f:metadata":{"f:finalizers":{"v:\"x\"":{}}},"f:spec":{"f:args":{},"f:extra":{"f:deep":{".":{},"f:n":{}}},"#
                + #""f:items":{"k:{\"id\":\"a\"}":{".":{},"f:id":{},"f:v":{}}},"f:selector":{},"f:tags":{"v:\"t1\"":{}}}}"#)
        let second = try json(
            """
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},
             "spec":{"items":[{"id":"b","v":2}],"tags":["t2"]}}
            """)
        let merged = try manager.apply(live: created, applied: second, manager: "b", force: false, time: t2, schema: crd)
        #expect(merged["spec"]?["items"] == (try json(#"[{"id":"a","v":1},{"id":"b","v":2}]"#)))
        #expect(merged["spec"]?["tags"] == ["t1", "t2"])
    }

    @Test("fieldsV1 reads back to the same set")
    func fieldsV1RoundTrip() throws {
        let text =
            #"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":"#
            + #"{"k:{\"name\":\"web\"}":{".":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}"#
        let set = try #require(FieldSet(fieldsV1: try json(text)))
        #expect(set.fieldsV1.jsonString() == text)
        #expect(
            set.paths.map(FieldSet.describe).contains(
                #".spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]"#))
    }
}
