import OrderedCollections
import Resources
import Testing
@testable import APIMachinery

@Suite("CustomResourceDefinition validation and served types")
struct SchemaCRDValidationTests {
    static let widgets = """
        {
          "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
          "metadata": {"name": "widgets.example.com"},
          "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList",
                      "shortNames": ["wd"], "categories": ["all"]},
            "versions": [
              {"name": "v1", "served": true, "storage": true,
               "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object",
                          "properties": {"size": {"type": "integer"}}}}}},
               "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size", "statusReplicasPath": ".status.size"}},
               "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]},
              {"name": "v1beta1", "served": true, "storage": false,
               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
              {"name": "v1alpha1", "served": false, "storage": false,
               "schema": {"openAPIV3Schema": {"type": "object"}}}
            ]
          }
        }
        """

    /// The widgets CRD with `edit` applied to its JSON.
    func crd(_ edit: (inout JSONValue) throws -> Void = { _ in }) throws -> Resource {
        var value = try json(Self.widgets)
        try edit(&value)
        return try Resource(value)
    }

    @Test("a valid CRD serves one type per served version, storage version marked")
    func servedTypes() throws {
        let served = try CRDTypes.servedResources(from: try crd())
        #expect(served.map(\.type.version) == ["v1", "v1beta1"])
        #expect(served.map(\.isStorageVersion) == [true, false])
        let v1 = try #require(served.first)
        #expect(v1.type == ResourceType(group: "example.com", version: "v1", resource: "widgets", singular: "widget",
                                        kind: "Widget", listKind: "WidgetList", namespaced: true, hasStatus: true,
                                        shortNames: ["wd"], categories: ["all"]))
        #expect(v1.subresources.map(\.name) == ["status", "scale"])
        #expect(v1.subresource("scale")?.responseKind == GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"))
        #expect(v1.subresource("status")?.responseKind == GroupVersionKind(group: "example.com", version: "v1", kind: "Widget"))
        #expect(v1.additionalPrinterColumns?.count == 1)
        #expect(v1.openAPIV3Schema?["properties"]?["spec"] != nil)
        #expect(served[1].type.hasStatus == false)
        #expect(try CRDTypes.resourceTypes(from: try crd()).map(\.version) == ["v1", "v1beta1"])
    }

    @Test("an established CRD's status is what kubectl wait looks for")
    func established() throws {
        var object = try crd()
        let status = CRDTypes.establishedStatus(of: object, now: "2025-01-01T00:00:00Z")
        #expect(status["conditions"]?[1] == (try json("""
            {"type": "Established", "status": "True", "lastTransitionTime": "2025-01-01T00:00:00Z",
             "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}
            """)))
        #expect(status["conditions"]?[0]?["type"] == "NamesAccepted")
        #expect(status["acceptedNames"] == (try json("""
            {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList",
             "shortNames": ["wd"], "categories": ["all"]}
            """)))
        #expect(status["storedVersions"] == ["v1"])
        object.status = status
        let later = CRDTypes.establishedStatus(of: object, now: "2025-02-02T00:00:00Z")
        #expect(later["conditions"]?[1]?["lastTransitionTime"] == "2025-01-01T00:00:00Z")
    }

    @Test("singular and listKind default from the kind; cluster scope")
    func defaults() throws {
        let served = try CRDTypes.resourceTypes(from: try crd { value in
            value["spec"]?["names"] = ["plural": "widgets", "kind": "Widget"]
            value["spec"]?["scope"] = "Cluster"
        })
        #expect(served.first?.singular == "widget")
        #expect(served.first?.listKind == "WidgetList")
        #expect(served.first?.namespaced == false)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var edit: @Sendable (inout JSONValue) -> Void
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "name not plural.group", edit: { $0["metadata"]?["name"] = "gadgets.example.com" }, expected: [
            #"metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group"#,
        ]),
        Case(name: "no group", edit: { $0["spec"]?["group"] = nil }, expected: ["spec.group: Required value"]),
        Case(name: "group without a dot", edit: { $0["spec"]?["group"] = "example"; $0["metadata"]?["name"] = "widgets.example" },
             expected: [#"spec.group: Invalid value: "example": should be a domain with at least one dot"#]),
        Case(name: "bad scope", edit: { $0["spec"]?["scope"] = "Global" }, expected: [
            #"spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced""#,
        ]),
        Case(name: "no plural, no kind", edit: { $0["spec"]?["names"] = [:] }, expected: [
            "spec.names.plural: Required value", "spec.names.kind: Required value",
        ]),
        Case(name: "listKind equal to kind", edit: { $0["spec"]?["names"]?["listKind"] = "Widget" }, expected: [
            #"spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same"#,
        ]),
        Case(name: "kind with a space", edit: { $0["spec"]?["names"]?["kind"] = "Wid get" }, expected: [
            #"spec.names.kind: Invalid value: "Wid get": may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?"#,
        ]),
        Case(name: "two storage versions", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[1]["storage"] = true
            value["spec"]?["versions"] = .array(versions)
        }, expected: [
            #"spec.versions: Invalid value: ["v1","v1beta1","v1alpha1"]: must have exactly one version marked as storage version"#,
        ]),
        Case(name: "no versions", edit: { $0["spec"]?["versions"] = [] }, expected: [
            "spec.versions: Required value: must have exactly one version marked as storage version",
        ]),
        Case(name: "duplicate version names", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[2]["name"] = "v1"
            value["spec"]?["versions"] = .array(versions)
        }, expected: [#"spec.versions: Invalid value: ["v1","v1beta1","v1"]: must contain unique version names"#]),
        Case(name: "no schema", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[0]["schema"] = nil
            value["spec"]?["versions"] = .array(versions)
        }, expected: ["spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"]),
        Case(name: "a field without a type", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[0]["schema"] = ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["properties": [:]]]]]
            value["spec"]?["versions"] = .array(versions)
        }, expected: [
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
        ]),
        Case(name: "non-object root, array without items, item without type", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[0]["schema"] = ["openAPIV3Schema": [
                "type": "string",
                "properties": ["list": ["type": "array"], "other": ["type": "array", "items": ["description": "x"]]],
            ]]
            value["spec"]?["versions"] = .array(versions)
        }, expected: [
            "spec.versions[0].schema.openAPIV3Schema.properties[list].items: Required value: must be specified",
            "spec.versions[0].schema.openAPIV3Schema.properties[other].items.type: Required value: must not be empty for specified array items",
            #"spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root"#,
        ]),
        Case(name: "untyped fields allowed with preserve-unknown-fields or int-or-string", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[0]["schema"] = ["openAPIV3Schema": [
                "type": "object",
                "properties": [
                    "a": ["x-kubernetes-preserve-unknown-fields": true],
                    "b": ["x-kubernetes-int-or-string": true],
                ],
            ]]
            value["spec"]?["versions"] = .array(versions)
        }, expected: []),
        Case(name: "bad pattern, unknown type, additionalProperties at the root", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[0]["schema"] = ["openAPIV3Schema": [
                "type": "object", "additionalProperties": ["type": "string"],
                "properties": ["a": ["type": "string", "pattern": "a(b"], "b": ["type": "text"]],
            ]]
            value["spec"]?["versions"] = .array(versions)
        }, expected: [
            "spec.versions[0].schema.openAPIV3Schema.additionalProperties: Forbidden: must not be used at the root",
            "spec.versions[0].schema.openAPIV3Schema.properties: Forbidden: additionalProperties and properties are mutual exclusive",
            #"spec.versions[0].schema.openAPIV3Schema.properties[a].pattern: Invalid value: "a(b": must be a valid regular expression, but isn't"#,
            #"spec.versions[0].schema.openAPIV3Schema.properties[b].type: Unsupported value: "text": supported values: "array", "boolean", "integer", "number", "object", "string""#,
        ]),
        Case(name: "additionalProperties false, or beside properties", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[0]["schema"] = ["openAPIV3Schema": [
                "type": "object",
                "properties": [
                    "a": ["type": "object", "additionalProperties": false],
                    "b": ["type": "object", "additionalProperties": ["type": "string"], "properties": ["x": ["type": "string"]]],
                ],
            ]]
            value["spec"]?["versions"] = .array(versions)
        }, expected: [
            "spec.versions[0].schema.openAPIV3Schema.properties[a].additionalProperties: Forbidden: additionalProperties cannot be set to false",
            "spec.versions[0].schema.openAPIV3Schema.properties[b].properties: Forbidden: additionalProperties and properties are mutual exclusive",
        ]),
        Case(name: "metadata restricted beyond name", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[0]["schema"] = ["openAPIV3Schema": [
                "type": "object",
                "properties": ["metadata": ["type": "object", "properties": ["labels": ["type": "object"]]]],
            ]]
            value["spec"]?["versions"] = .array(versions)
        }, expected: [
            "spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
        ]),
        Case(name: "bad printer column", edit: { value in
            var versions = value["spec"]?["versions"]?.arrayValue ?? []
            versions[0]["additionalPrinterColumns"] = [["name": "X", "type": "float", "jsonPath": ".spec.x"]]
            value["spec"]?["versions"] = .array(versions)
        }, expected: [
            #"spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "boolean", "date", "integer", "number", "string""#,
        ]),
    ]

    @Test("invalid CRDs are reported in kube's words", arguments: cases)
    func invalid(_ testCase: Case) throws {
        let object = try crd(testCase.edit)
        #expect(printed(CRDTypes.validationCauses(object)) == testCase.expected)
    }

    @Test("an invalid CRD throws a 422 naming the CRD")
    func throwsInvalid() throws {
        let object = try crd { $0["spec"]?["group"] = nil }
        #expect(throws: APIError.self) { try CRDTypes.servedResources(from: object) }
        do {
            _ = try CRDTypes.resourceTypes(from: object)
        } catch {
            #expect(error.code == 422)
            #expect(error.reason == .invalid)
            #expect(error.message == #"CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: spec.group: Required value"#)
            #expect(error.causes.first?.type == "FieldValueRequired")
        }
    }
}
