import OrderedCollections
import Resources
import Store
import Testing

@Suite("Field selectors: the fields of each kind, kube's refusals, lists and watches")
struct FieldSelectorTests {
    let secrets = ResourceType(
        group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true, hasStatus: false)

    func secret(_ name: String, type: String?) -> Resource {
        var object = Resource(apiVersion: "v1", kind: "Secret", name: name, namespace: "default")
        if let type { object.object["type"] = .string(type) }
        return object
    }

    @Test("each kind accepts the fields kube-apiserver registers for it", arguments: [
        ("", "Secret", "type=Opaque"),
        ("", "Event", "involvedObject.kind=Pod,involvedObject.name=web,reason=Started,source=kubelet,type=Normal"),
        ("", "Event", "involvedObject.uid=u,involvedObject.apiVersion=v1,involvedObject.resourceVersion=1,involvedObject.fieldPath=x"),
        ("", "Event", "reportingComponent=kubelet,involvedObject.namespace=default,metadata.namespace=default"),
        ("", "Namespace", "status.phase=Active,metadata.name=default"),
        ("", "Pod", "spec.nodeName=n,spec.restartPolicy=Always,spec.schedulerName=s,spec.serviceAccountName=sa"),
        ("", "Pod", "spec.hostNetwork=false,status.phase=Running,status.podIP=10.0.0.1,status.nominatedNodeName=n"),
        ("", "Node", "spec.unschedulable=true,metadata.name=n"),
        ("batch", "Job", "status.successful=1"),
        ("", "Service", "spec.type=ClusterIP,spec.clusterIP=None"),
    ])
    func accepted(group: String, kind: String, text: String) throws {
        let selector = try FieldSelector(parsing: text, fields: .forKind(group: group, kind: kind))
        #expect(selector.requirements.count == text.split(separator: ",").count)
    }

    @Test("an unsupported field is refused in kube's words for the kind", arguments: [
        ("", "Secret", "foo", "field label not supported: foo"),
        ("", "Namespace", "metadata.namespace", "field label not supported: metadata.namespace"),
        ("batch", "Job", "spec.parallelism", "field label \"spec.parallelism\" not supported for Job"),
        ("", "ConfigMap", "data.a", "\"data.a\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""),
        // kube registers no fields for apps/v1 ReplicaSets, despite what their strategy reads.
        ("apps", "ReplicaSet", "status.replicas", "\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""),
    ])
    func refused(group: String, kind: String, field: String, message: String) {
        let error = #expect(throws: APIError.self) {
            try FieldSelector(parsing: "\(field)=x", fields: .forKind(group: group, kind: kind))
        }
        #expect(error?.code == 400)
        #expect(error?.reason == .badRequest)
        #expect(error?.message == message)
    }

    @Test("the whole selector is parsed before its fields are checked")
    func parsedFirst() {
        let error = #expect(throws: APIError.self) {
            try FieldSelector(parsing: "a=b,foo", fields: .forKind(group: "", kind: "Secret"))
        }
        #expect(error?.message == "invalid selector: 'a=b,foo'; can't understand 'foo'")
    }

    @Test("selectors parse as apimachinery parses them: escapes, sorted terms, no trimming", arguments: [
        ("type=b=c", "invalid field selector: unescaped character in value: 61"),
        ("type=x\\y", "invalid field selector: invalid escape sequence: \\y"),
        ("type=x\\", "invalid field selector: invalid escape sequence: \\"),
        ("foo=1,bar=2", "field label not supported: bar"),
        ("type =Opaque", "field label not supported: type "),
    ])
    func parsing(text: String, message: String) throws {
        let error = #expect(throws: APIError.self) {
            try FieldSelector(parsing: text, fields: .forKind(group: "", kind: "Secret"))
        }
        #expect(error?.message == message)
        let escaped = try FieldSelector(parsing: "type=a\\,b\\=c\\\\", fields: .forKind(group: "", kind: "Secret"))
        #expect(escaped.requirements.map(\.value) == ["a,b=c\\"])
    }

    @Test("values are read as kube reads them: defaults, the event source, the first pod IP, spec.host")
    func values() throws {
        var pod = Resource(apiVersion: "v1", kind: "Pod", name: "web", namespace: "default")
        pod.object["spec"] = ["nodeName": "node-1"]
        pod.object["status"] = ["podIPs": [["ip": "10.0.0.7"]], "podIP": "10.0.0.7"]
        let podFields = SelectableFields.forKind(group: "", kind: "Pod")
        #expect(try FieldSelector(parsing: "spec.hostNetwork=false", fields: podFields).matches(pod))
        #expect(try FieldSelector(parsing: "status.podIP=10.0.0.7", fields: podFields).matches(pod))
        #expect(try FieldSelector(parsing: "spec.host=node-1", fields: podFields).matches(pod))
        #expect(try FieldSelector(parsing: "spec.nodeName!=node-1", fields: podFields).matches(pod) == false)

        var event = Resource(apiVersion: "v1", kind: "Event", name: "e", namespace: "default")
        event.object["reportingComponent"] = "mizzen"
        let eventFields = SelectableFields.forKind(group: "", kind: "Event")
        #expect(try FieldSelector(parsing: "source=mizzen", fields: eventFields).matches(event))
        event.object["source"] = ["component": "kubelet"]
        #expect(try FieldSelector(parsing: "source==kubelet", fields: eventFields).matches(event))

        var job = Resource(apiVersion: "batch/v1", kind: "Job", name: "j", namespace: "default")
        let jobFields = SelectableFields.forKind(group: "batch", kind: "Job")
        #expect(try FieldSelector(parsing: "status.successful=0", fields: jobFields).matches(job))
        job.object["status"] = ["succeeded": 2]
        #expect(try FieldSelector(parsing: "status.successful=2", fields: jobFields).matches(job))

        var widget = Resource(apiVersion: "example.com/v1", kind: "Widget", name: "w", namespace: "default")
        widget.object["spec"] = ["color": "blue", "size": 3, "round": true]
        let custom = SelectableFields.customResource(namespaced: true, jsonPaths: [".spec.color", ".spec.size", ".spec.round"])
        #expect(try FieldSelector(parsing: "spec.color=blue,spec.size=3,spec.round=true", fields: custom).matches(widget))
        #expect(throws: APIError.self) { try FieldSelector(parsing: "spec.shape=x", fields: custom) }
        #expect(throws: APIError.self) {
            try FieldSelector(parsing: "metadata.namespace=x", fields: .customResource(namespaced: false, jsonPaths: []))
        }
    }

    @Test("lists select on object fields and still fill pages to the limit")
    func lists() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        for index in 0..<9 {
            let type = index % 3 == 0 ? "kubernetes.io/tls" : "Opaque"
            _ = try await store.create(secret("s\(index)", type: type), as: secrets, dryRun: false)
        }
        let fields = SelectableFields.forKind(group: "", kind: "Secret")
        var options = ListOptions(fieldSelector: try FieldSelector(parsing: "type=Opaque,metadata.name!=s1", fields: fields), limit: 2)
        var names: [String] = []
        repeat {
            let page = try await store.list(secrets, namespace: "default", options: options)
            #expect(page.items.count <= 2)
            names += page.items.map(\.name)
            options.continueToken = page.continueToken
        } while options.continueToken != nil
        #expect(names == ["s2", "s4", "s5", "s7", "s8"])
        let notOpaque = try await store.list(
            secrets, namespace: nil, options: ListOptions(fieldSelector: try FieldSelector(parsing: "type!=Opaque", fields: fields)))
        #expect(notOpaque.items.map(\.name) == ["s0", "s3", "s6"])
    }

    @Test("a watch on an object field sees an object enter and leave the selection as ADDED and DELETED")
    func watches() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let fields = SelectableFields.forKind(group: "", kind: "Secret")
        let options = ListOptions(fieldSelector: try FieldSelector(parsing: "type=Opaque", fields: fields))
        let events = try await store.watch(secrets, namespace: "default", options: options, from: nil)
        var object = try await store.create(secret("a", type: "kubernetes.io/tls"), as: secrets, dryRun: false)
        object.object["type"] = "Opaque"
        object = try await store.update(object, as: secrets, subresource: .main, dryRun: false)
        object.object["data"] = ["k": "dg=="]
        object = try await store.update(object, as: secrets, subresource: .main, dryRun: false)
        object.object["type"] = "kubernetes.io/tls"
        _ = try await store.update(object, as: secrets, subresource: .main, dryRun: false)
        let seen = try await collect(3, from: events)
        #expect(seen.map(\.type) == ["ADDED", "MODIFIED", "DELETED"])
        #expect(seen.last?.object?.object["type"] == "Opaque")
    }
}
