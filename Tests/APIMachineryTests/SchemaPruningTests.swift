import OrderedCollections
import Resources
import Testing
@testable import APIMachinery

@Suite("StructuralSchema.prune and applyDefaults")
struct SchemaPruningTests {
    static let schema = StructuralSchema(openAPIV3Schema: try! JSONValue(parsingJSON: """
        {
          "type": "object",
          "properties": {
            "spec": {
              "type": "object",
              "properties": {
                "size": {"type": "integer", "default": 1},
                "mode": {"type": "string", "default": "fast"},
                "note": {"type": "string", "nullable": true, "default": "n"},
                "items": {"type": "array", "items": {"type": "object",
                          "properties": {"name": {"type": "string"}, "weight": {"type": "integer", "default": 5}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                         "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}}},
                "nested": {"type": "object", "default": {}, "properties": {"depth": {"type": "integer", "default": 2}}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                             "properties": {"spec": {"type": "object"}}}
              }
            }
          }
        }
        """))

    @Test("unknown fields go, known ones stay, the envelope stays")
    func prunesUnknown() throws {
        let object = try json("""
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"a": "b"}},
             "spec": {"size": 3, "colour": "red", "items": [{"name": "a", "extra": 1}],
                      "labels": {"x": "y"}},
             "status": {"ok": true}}
            """)
        #expect(Self.schema.prune(object) == (try json("""
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"a": "b"}},
             "spec": {"size": 3, "items": [{"name": "a"}], "labels": {"x": "y"}}}
            """)))
    }

    @Test("unknownFields names what pruning removes")
    func unknownFields() throws {
        let object = try json("""
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
             "spec": {"size": 3, "colour": "red", "items": [{"name": "a", "extra": 1}],
                      "free": {"anything": 1, "known": {"b": 2}}},
             "status": {}}
            """)
        #expect(Self.schema.unknownFields(in: object) == [
            "spec.colour", "spec.items[0].extra", "spec.free.known.b", "status",
        ])
        #expect(Self.schema.unknownFields(in: Self.schema.prune(object)).isEmpty)
    }

    @Test("x-kubernetes-preserve-unknown-fields keeps unknown members but prunes declared ones")
    func preserveUnknown() throws {
        let object = try json(#"{"spec": {"free": {"anything": 1, "known": {"a": "x", "b": "y"}}}}"#)
        #expect(Self.schema.prune(object) == (try json(#"{"spec": {"free": {"anything": 1, "known": {"a": "x"}}}}"#)))
    }

    @Test("an embedded resource keeps its apiVersion, kind and metadata")
    func embedded() throws {
        let object = try json(#"{"spec": {"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}, "junk": 1}}}"#)
        #expect(Self.schema.prune(object) == (try json(
            #"{"spec": {"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}}}"#)))
    }

    @Test("a schema that preserves everything prunes nothing")
    func preserveAll() throws {
        let schema = StructuralSchema(openAPIV3Schema: try json(#"{"type": "object", "x-kubernetes-preserve-unknown-fields": true}"#))
        let object = try json(#"{"spec": {"a": [1, 2]}, "status": {}}"#)
        #expect(schema.prune(object) == object)
    }

    @Test("defaults fill missing members, and defaulted objects are defaulted further")
    func defaults() throws {
        let object = try json(#"{"spec": {"size": 3, "items": [{"name": "a"}, {"name": "b", "weight": 1}]}}"#)
        #expect(Self.schema.applyDefaults(object) == (try json("""
            {"spec": {"size": 3, "items": [{"name": "a", "weight": 5}, {"name": "b", "weight": 1}],
                      "mode": "fast", "note": "n", "nested": {"depth": 2}}}
            """)))
    }

    @Test("null is replaced by the default unless the field is nullable")
    func nullDefaults() throws {
        let object = try json(#"{"spec": {"size": null, "note": null}}"#)
        let defaulted = Self.schema.applyDefaults(object)
        #expect(defaulted["spec"]?["size"] == 1)
        #expect(defaulted["spec"]?["note"] == .null)
    }

    @Test("no spec, no defaults below it")
    func noParent() throws {
        #expect(Self.schema.applyDefaults(try json(#"{"kind": "Widget"}"#)) == (try json(#"{"kind": "Widget"}"#)))
    }
}
