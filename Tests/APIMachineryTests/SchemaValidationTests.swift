import OrderedCollections
import Resources
import Testing
@testable import APIMachinery

@Suite("StructuralSchema.validate")
struct SchemaValidationTests {
    static let schema = StructuralSchema(openAPIV3Schema: try! JSONValue(parsingJSON: """
        {
          "type": "object",
          "required": ["spec"],
          "properties": {
            "spec": {
              "type": "object",
              "required": ["name"],
              "properties": {
                "name": {"type": "string", "minLength": 3, "maxLength": 8, "pattern": "^[a-z]+$"},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
                "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true},
                "mode": {"type": "string", "enum": ["a", "b"]},
                "level": {"type": "integer", "enum": [1, 2]},
                "enabled": {"type": "boolean"},
                "note": {"type": "string", "nullable": true},
                "port": {"x-kubernetes-int-or-string": true},
                "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}},
                "containers": {"type": "array", "items": {"type": "object", "required": ["name"],
                               "properties": {"name": {"type": "string"}, "image": {"type": "string"}}}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                             "x-kubernetes-preserve-unknown-fields": true},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
              }
            }
          }
        }
        """))

    struct Case: CustomTestStringConvertible, Sendable {
        var spec: String
        var expected: [String]
        var testDescription: String { spec }
    }

    static let cases: [Case] = [
        Case(spec: #"{"name": "web"}"#, expected: []),
        Case(spec: #"{"name": "web", "replicas": "string"}"#, expected: [
            #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
        ]),
        Case(spec: #"{"name": "web", "replicas": 2.5}"#, expected: [
            #"spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number""#,
        ]),
        Case(spec: #"{"name": "web", "replicas": 3.0}"#, expected: []),
        Case(spec: #"{"replicas": 2}"#, expected: ["spec.name: Required value"]),
        Case(spec: #"{"name": "web", "replicas": 0}"#, expected: [
            "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
        ]),
        Case(spec: #"{"name": "web", "replicas": 11}"#, expected: [
            "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
        ]),
        Case(spec: #"{"name": "web", "ratio": 0}"#, expected: [
            "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0",
        ]),
        Case(spec: #"{"name": "web", "ratio": 1}"#, expected: [
            "spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1",
        ]),
        Case(spec: #"{"name": "web", "ratio": 0.5}"#, expected: []),
        Case(spec: #"{"name": "ab"}"#, expected: [
            #"spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long"#,
        ]),
        Case(spec: #"{"name": "abcdefghi"}"#, expected: ["spec.name: Too long: may not be longer than 8"]),
        Case(spec: #"{"name": "Web"}"#, expected: [
            #"spec.name: Invalid value: "Web": spec.name in body should match '^[a-z]+$'"#,
        ]),
        Case(spec: #"{"name": "web", "mode": "x"}"#, expected: [
            #"spec.mode: Unsupported value: "x": supported values: "a", "b""#,
        ]),
        Case(spec: #"{"name": "web", "level": 3}"#, expected: [
            #"spec.level: Unsupported value: 3: supported values: "1", "2""#,
        ]),
        Case(spec: #"{"name": "web", "enabled": "yes"}"#, expected: [
            #"spec.enabled: Invalid value: "string": spec.enabled in body must be of type boolean: "string""#,
        ]),
        Case(spec: #"{"name": "web", "note": null}"#, expected: []),
        Case(spec: #"{"name": "web", "enabled": null}"#, expected: [
            #"spec.enabled: Invalid value: "null": spec.enabled in body must be of type boolean: "null""#,
        ]),
        Case(spec: #"{"name": "web", "port": 80}"#, expected: []),
        Case(spec: #"{"name": "web", "port": "http"}"#, expected: []),
        Case(spec: #"{"name": "web", "port": true}"#, expected: [
            #"spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean""#,
        ]),
        Case(spec: #"{"name": "web", "tags": []}"#, expected: [
            "spec.tags: Invalid value: []: spec.tags in body should have at least 1 items",
        ]),
        Case(spec: #"{"name": "web", "tags": ["a", "b", "c"]}"#, expected: [
            "spec.tags: Too many: 3: must have at most 2 items",
        ]),
        Case(spec: #"{"name": "web", "tags": ["a", 1]}"#, expected: [
            #"spec.tags[1]: Invalid value: "integer": spec.tags[1] in body must be of type string: "integer""#,
        ]),
        Case(spec: #"{"name": "web", "labels": {"app": "web", "n": 1}}"#, expected: [
            #"spec.labels.n: Invalid value: "integer": spec.labels.n in body must be of type string: "integer""#,
        ]),
        Case(spec: #"{"name": "web", "closed": {"a": "x", "b": "y"}}"#, expected: [
            #"spec.closed: Invalid value: "b": spec.closed.b in body is a forbidden property"#,
        ]),
        Case(spec: #"{"name": "web", "containers": [{"name": "c"}, {"image": "nginx"}]}"#, expected: [
            "spec.containers[1].name: Required value",
        ]),
        Case(spec: #"{"name": "web", "template": {"spec": {}}}"#, expected: [
            "spec.template.apiVersion: Required value: must not be empty",
            "spec.template.kind: Required value: must not be empty",
        ]),
        Case(spec: #"{"name": "web", "template": {"apiVersion": "v1", "kind": "Pod", "x": 1}}"#, expected: []),
        Case(spec: #"{"name": "web", "free": {"anything": [1, {"goes": true}]}}"#, expected: []),
    ]

    @Test("reports each problem in kube's words", arguments: cases)
    func reportsProblems(_ testCase: Case) throws {
        let object = try json(#"{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": "#
            + testCase.spec + "}")
        #expect(printed(Self.schema.validate(object)) == testCase.expected)
    }

    @Test("a missing required root field is reported at its name")
    func requiredAtRoot() throws {
        let causes = Self.schema.validate(try json(#"{"apiVersion": "example.com/v1", "kind": "Widget"}"#))
        #expect(printed(causes) == ["spec: Required value"])
        #expect(causes.first?.type == "FieldValueRequired")
    }

    @Test("cause types are kube's")
    func causeTypes() throws {
        let causes = Self.schema.validate(try json(#"{"spec": {"name": "web", "replicas": "x", "mode": "z"}}"#))
        #expect(causes.map(\.type) == ["FieldValueTypeInvalid", "FieldValueNotSupported"])
    }

    @Test("apiVersion, kind and metadata at the root are always allowed")
    func envelopeAllowed() throws {
        let schema = StructuralSchema(openAPIV3Schema: try json(#"{"type": "object", "properties": {"spec": {"type": "object"}}, "additionalProperties": false}"#))
        #expect(schema.validate(try json(#"{"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}, "spec": {}}"#)).isEmpty)
    }

    @Test("a wrong type at the root object is one cause")
    func rootType() throws {
        let schema = StructuralSchema(openAPIV3Schema: try json(#"{"type": "object", "properties": {"spec": {"type": "string"}}}"#))
        #expect(printed(schema.validate(try json(#"{"spec": {"a": 1}}"#))) == [
            #"spec: Invalid value: "object": spec in body must be of type string: "object""#,
        ])
    }

    @Test("APIError.invalid carries the causes in its message")
    func invalidError() throws {
        let causes = Self.schema.validate(try json(#"{"spec": {"name": "web", "replicas": "string"}}"#))
        let error = APIError.invalid(kind: "Widget", group: "example.com", name: "w", causes: causes)
        #expect(error.code == 422)
        #expect(error.message == #"Widget.example.com "w" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#)
    }
}
