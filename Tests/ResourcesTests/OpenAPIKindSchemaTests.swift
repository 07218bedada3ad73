import OrderedCollections
import Testing
@testable import Resources

/// A group-version document as kube-apiserver publishes one (`/openapi/v3/apis/prune.example.com/v1`),
/// cut down: a custom resource `Bar`, a built-in-like kind `Pod` with named schemas, and `ObjectMeta`.
private let document: JSONValue = try! JSONValue(parsingJSON: """
    {"components": {"schemas": {
      "com.example.prune.v1.Bar": {
        "type": "object",
        "x-kubernetes-group-version-kind": [{"group": "prune.example.com", "version": "v1", "kind": "Bar"}],
        "properties": {
          "apiVersion": {"type": "string"}, "kind": {"type": "string"},
          "metadata": {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]},
          "spec": {"type": "object", "properties": {
            "replicas": {"type": "integer"},
            "port": {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                     "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "routes": {"type": "object", "additionalProperties": {"type": "object", "properties": {"path": {"type": "string"}}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                      "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}},
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "empty": {"type": "object"},
            "closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}},
            "when": {"type": "string", "format": "date-time"},
            "embedded": {"type": "object", "x-kubernetes-embedded-resource": true,
                         "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}}}}}
          }},
          "loose": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                    "properties": {"inner": {"type": "object", "properties": {"a": {"type": "string"}}}}}
        }
      },
      "io.k8s.api.core.v1.Pod": {
        "type": "object",
        "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Pod"}],
        "properties": {
          "apiVersion": {"type": "string"}, "kind": {"type": "string"},
          "metadata": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
          "spec": {"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}
        }
      },
      "io.k8s.api.core.v1.PodSpec": {"type": "object", "properties": {
        "containers": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                       "items": {"allOf": [{"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}]}},
        "extension": {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension"}
      }},
      "io.k8s.api.core.v1.Container": {"type": "object", "properties": {"name": {"type": "string"}, "image": {"type": "string"}}},
      "io.k8s.apimachinery.pkg.runtime.RawExtension": {"type": "object"},
      "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {"type": "object", "properties": {
        "name": {"type": "string"}, "namespace": {"type": "string"}, "uid": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "ownerReferences": {"type": "array", "items": {"type": "object", "properties": {
          "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"}, "uid": {"type": "string"}}}}
      }}
    }}}
    """)

private let bar = OpenAPIKindSchema(
    document: document, kind: GroupVersionKind(group: "prune.example.com", version: "v1", kind: "Bar"))!
private let pod = OpenAPIKindSchema(document: document, kind: GroupVersionKind(group: "", version: "v1", kind: "Pod"))!

private func object(_ text: String) throws -> JSONValue {
    try JSONValue(parsingJSON: text)
}

@Suite("OpenAPIKindSchema.pruned: what a create keeps")
struct OpenAPIKindSchemaPruningTests {
    @Test("the kind is found by x-kubernetes-group-version-kind; upstream names are built-in kinds")
    func findsKind() {
        #expect(bar.isCustomResource)
        #expect(!pod.isCustomResource)
        #expect(OpenAPIKindSchema(document: document, kind: GroupVersionKind(group: "x", version: "v1", kind: "Bar")) == nil)
        #expect(OpenAPIKindSchema(document: [:], kind: GroupVersionKind(group: "", version: "v1", kind: "Pod")) == nil)
    }

    @Test("an undeclared field is dropped and named; declared ones stay")
    func dropsUndeclared() throws {
        let pruned = bar.pruned(try object("""
            {"apiVersion": "prune.example.com/v1", "kind": "Bar", "metadata": {"name": "b"},
             "spec": {"replicas": 1, "foo": "x"}}
            """))
        #expect(pruned.value == (try object("""
            {"apiVersion": "prune.example.com/v1", "kind": "Bar", "metadata": {"name": "b"}, "spec": {"replicas": 1}}
            """)))
        #expect(pruned.droppedFields == ["spec.foo"])
    }

    @Test("nothing declared is nothing dropped: the object comes back as it was")
    func keepsDeclared() throws {
        let value = try object("""
            {"apiVersion": "prune.example.com/v1", "kind": "Bar",
             "metadata": {"name": "b", "labels": {"a": "b"}, "ownerReferences": [{"kind": "K", "name": "o", "uid": "u"}]},
             "spec": {"replicas": 1, "port": "http", "labels": {"x": "y"}, "items": [{"name": "a"}], "tags": ["t"],
                      "when": "2026-01-01T00:00:00Z", "ports": [{"name": "p", "port": 80}]}}
            """)
        #expect(bar.pruned(value) == PrunedObject(value: value, droppedFields: []))
    }

    @Test("nested objects and arrays of objects are pruned element by element, in document order")
    func nestedAndArrays() throws {
        let pruned = bar.pruned(try object("""
            {"spec": {"items": [{"name": "a", "extra": 1}, {"name": "b"}, {"other": {"deep": true}}],
                      "ports": [{"name": "p", "port": 80, "proto": "TCP"}], "zed": 2},
             "top": 1}
            """))
        #expect(pruned.value == (try object("""
            {"spec": {"items": [{"name": "a"}, {"name": "b"}, {}], "ports": [{"name": "p", "port": 80}]}}
            """)))
        #expect(pruned.droppedFields == ["spec.items[0].extra", "spec.items[2].other", "spec.ports[0].proto", "spec.zed", "top"])
    }

    @Test("additionalProperties keeps every key and prunes each value by its schema")
    func additionalProperties() throws {
        let pruned = bar.pruned(try object("""
            {"spec": {"labels": {"a": "b", "c": "d"}, "routes": {"r1": {"path": "/", "weight": 3}},
                      "closed": {"a": "x", "b": "y"}}}
            """))
        #expect(pruned.value == (try object("""
            {"spec": {"labels": {"a": "b", "c": "d"}, "routes": {"r1": {"path": "/"}}, "closed": {"a": "x"}}}
            """)))
        #expect(pruned.droppedFields == ["spec.routes.r1.weight", "spec.closed.b"])
    }

    @Test("x-kubernetes-preserve-unknown-fields keeps unknown members at its level; declared ones below are pruned")
    func preserveUnknownFields() throws {
        let pruned = bar.pruned(try object("""
            {"spec": {"free": {"any": {"thing": [1, {"x": 2}]}, "known": {"a": "s", "b": 1}}},
             "loose": {"anything": true, "inner": {"a": "s", "z": 0}}}
            """))
        #expect(pruned.value == (try object("""
            {"spec": {"free": {"any": {"thing": [1, {"x": 2}]}, "known": {"a": "s"}}},
             "loose": {"anything": true, "inner": {"a": "s"}}}
            """)))
        #expect(pruned.droppedFields == ["spec.free.known.b", "loose.inner.z"])
    }

    @Test("metadata is pruned as ObjectMeta: its own fields stay, unknown ones go")
    func metadata() throws {
        let pruned = bar.pruned(try object("""
            {"metadata": {"name": "b", "namespace": "n", "uid": "u", "labels": {"k": "v"}, "bogus": 1}}
            """))
        #expect(pruned.value == (try object("""
            {"metadata": {"name": "b", "namespace": "n", "uid": "u", "labels": {"k": "v"}}}
            """)))
        #expect(pruned.droppedFields == ["metadata.bogus"])
    }

    @Test("an embedded resource keeps its apiVersion, kind and ObjectMeta metadata, and prunes the rest")
    func embeddedResource() throws {
        let pruned = bar.pruned(try object("""
            {"spec": {"embedded": {"apiVersion": "v1", "kind": "ConfigMap",
                                   "metadata": {"name": "x", "labels": {"a": "b"}, "bogus": 1},
                                   "spec": {"a": "s", "b": "t"}, "data": {"k": "v"}}}}
            """))
        #expect(pruned.value == (try object("""
            {"spec": {"embedded": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": "b"}},
                                   "spec": {"a": "s"}}}}
            """)))
        #expect(pruned.droppedFields == ["spec.embedded.metadata.bogus", "spec.embedded.spec.b", "spec.embedded.data"])
    }

    @Test("int-or-string takes a number or a string, and an object under it is left for validation")
    func intOrString() throws {
        for port in ["80", "\"http\"", "{\"a\": 1}"] {
            let value = try object("{\"spec\": {\"port\": \(port)}}")
            #expect(bar.pruned(value) == PrunedObject(value: value, droppedFields: []))
        }
    }

    @Test("in a custom resource, an object that declares no properties keeps nothing")
    func structuralEmptyObject() throws {
        let pruned = bar.pruned(try object(#"{"spec": {"empty": {"a": 1}}}"#))
        #expect(pruned.value == (try object(#"{"spec": {"empty": {}}}"#)))
        #expect(pruned.droppedFields == ["spec.empty.a"])
    }

    @Test("a built-in kind drops fields its Go types lack, through $ref and allOf, and keeps a RawExtension whole")
    func builtinKind() throws {
        let pruned = pod.pruned(try object("""
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "bogus": 1},
             "spec": {"containers": [{"name": "c", "image": "i", "imagePullPolicyy": "Always"}],
                      "extension": {"anything": {"goes": 1}}, "nodeNam": "n"}}
            """))
        #expect(pruned.value == (try object("""
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
             "spec": {"containers": [{"name": "c", "image": "i"}], "extension": {"anything": {"goes": 1}}}}
            """)))
        #expect(pruned.droppedFields == ["metadata.bogus", "spec.containers[0].imagePullPolicyy", "spec.nodeNam"])
    }

    @Test("nulls and scalars are left as they are")
    func nulls() throws {
        let value = try object(#"{"spec": {"replicas": null, "items": [null]}, "metadata": null}"#)
        #expect(bar.pruned(value) == PrunedObject(value: value, droppedFields: []))
    }
}

@Suite("OpenAPIKindSchema.applyConfigurationErrors: what server-side apply refuses")
struct OpenAPIKindSchemaApplyCheckTests {
    static let failures: [(String, [String])] = [
        (#"{"spec": {"replicas": 1, "foo": "x"}}"#, [".spec.foo: field not declared in schema"]),
        (#"{"top": 1}"#, [".top: field not declared in schema"]),
        (#"{"status": {}}"#, [".status: field not declared in schema"]),
        (#"{"metadata": {"name": "b", "bogus": 1}}"#, [".metadata.bogus: field not declared in schema"]),
        (#"{"spec": {"items": [{"name": "a", "extra": 1}]}}"#, [".spec.items[0].extra: field not declared in schema"]),
        (#"{"spec": {"ports": [{"name": "p", "x": 1}]}}"#, [#".spec.ports[name="p"].x: field not declared in schema"#]),
        (#"{"spec": {"routes": {"r": {"weight": 1}}}}"#, [".spec.routes.r.weight: field not declared in schema"]),
        (#"{"spec": {"closed": {"b": 1}}}"#, [".spec.closed.b: field not declared in schema"]),
        (#"{"spec": {"embedded": {"apiVersion": "v1", "kind": "X", "metadata": {"bogus": 1}}}}"#,
         [".spec.embedded.metadata.bogus: field not declared in schema"]),
        (#"{"spec": {"embedded": {"spec": {"b": 1}}}}"#, [".spec.embedded.spec.b: field not declared in schema"]),
        (#"{"spec": {"free": {"known": {"b": 1}}, "replicas": "x"}}"#,
         [".spec.replicas: expected numeric (int or float), got string"]),
        (#"{"spec": {"replicas": {"a": 1}}}"#, [".spec.replicas: expected numeric (int or float), got map[string]interface {}"]),
        (#"{"spec": {"labels": {"a": 1}}}"#, [".spec.labels.a: expected string, got &value.valueUnstructured{Value:1}"]),
        (#"{"spec": {"labels": {"a": {"b": [1, "x"]}}}}"#,
         [#".spec.labels.a: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"b":[]interface {}{1, "x"}}}"#]),
        (#"{"spec": {"items": "s"}}"#, [".spec.items: expected list, got &{s}"]),
        (#"{"spec": {"labels": [1, 2]}}"#, [".spec.labels: expected map, got &{[1 2]}"]),
        (#"{"spec": {"when": {"a": 1}}}"#, [".spec.when: expected any scalar, got &{map[a:1]}"]),
        (#"{"spec": {"ports": [{"port": 1}]}}"#, [#".spec.ports: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn't have default values for any key fields)"#]),
        (#"{"spec": {"ports": [{"name": "p"}, {"name": "p"}]}}"#, [#".spec.ports: duplicate entries for key [name="p"]"#]),
        (#"{"spec": {"tags": ["a", "a"]}}"#, [#".spec.tags: duplicate entries for key [="a"]"#]),
        (#"{"spec": {"tags": [{"a": 1}]}}"#, [".spec.tags: element 0: associative list without keys has an element that's a map type"]),
        // The first undeclared member of each object, every object walked.
        (#"{"spec": {"foo": 1, "zed": 2, "items": [{"extra": 1}]}, "top": 1}"#,
         [".spec.foo: field not declared in schema", ".top: field not declared in schema"]),
        (#"{"spec": {"items": [{"extra": 1}], "foo": 1}}"#,
         [".spec.items[0].extra: field not declared in schema", ".spec.foo: field not declared in schema"]),
    ]

    @Test("refused as structured-merge-diff refuses it", arguments: failures)
    func refused(_ configuration: String, _ expected: [String]) throws {
        #expect(bar.applyConfigurationErrors(try object(configuration)) == expected)
    }

    static let accepted = [
        #"{"apiVersion": "prune.example.com/v1", "kind": "Bar", "metadata": {"name": "b", "labels": {"a": "b"}}, "spec": {"replicas": 1}}"#,
        // preserve-unknown-fields reaches the whole inline schema below it
        #"{"spec": {"free": {"any": {"thing": 1}, "known": {"a": "s", "b": 1}}}, "loose": {"inner": {"z": 1}}}"#,
        // an object declaring no properties takes anything in server-side apply
        #"{"spec": {"empty": {"a": {"b": 1}}}}"#,
        // int-or-string has no type: any value types (validation answers later)
        #"{"spec": {"port": {"a": 1}}}"#, #"{"spec": {"port": "http"}}"#,
        #"{"spec": {"replicas": 1.5, "when": 3, "labels": null, "items": [null]}}"#,
        #"{"spec": {"embedded": {"apiVersion": "v1", "kind": "X", "metadata": {"name": "n"}, "spec": {"a": "s"}}}}"#,
    ]

    @Test("accepted as structured-merge-diff accepts it", arguments: accepted)
    func acceptedConfiguration(_ configuration: String) throws {
        #expect(bar.applyConfigurationErrors(try object(configuration)).isEmpty)
    }

    @Test("a built-in kind through $ref: containers are named by key, a RawExtension takes anything")
    func builtin() throws {
        #expect(pod.applyConfigurationErrors(try object("""
            {"spec": {"containers": [{"name": "web", "bogus": 1}], "extension": {"a": {"b": 1}}}}
            """)) == [#".spec.containers[name="web"].bogus: field not declared in schema"#])
    }

    @Test("the 500 message names the configuration's namespace and name, one error inline, several as a list")
    func message() throws {
        let kind = GroupVersionKind(group: "prune.example.com", version: "v1", kind: "Bar")
        #expect(OpenAPIKindSchema.typedPatchFailure(
            [".spec.foo: field not declared in schema"], configuration: try object(#"{"metadata": {"name": "b"}}"#), kind: kind)
            == "failed to create typed patch object (/b; prune.example.com/v1, Kind=Bar): .spec.foo: field not declared in schema")
        #expect(OpenAPIKindSchema.typedPatchFailure(
            [".a: x", ".b: y"], configuration: try object(#"{"metadata": {"name": "b", "namespace": "n"}}"#), kind: kind)
            == "failed to create typed patch object (n/b; prune.example.com/v1, Kind=Bar): errors:\n  .a: x\n  .b: y")
    }
}
