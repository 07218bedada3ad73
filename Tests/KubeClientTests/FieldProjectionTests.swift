import KubeClient
import Resources
import Testing

@Suite("Field projections of listed objects")
struct FieldProjectionTests {
    static let deployment = #"""
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"shop","generation":3,"uid":"u-1",
           "annotations":{"note":"a \"quoted\" value with \\ and \u00e9"},
           "managedFields":[{"manager":"kubectl","fieldsV1":{"f:spec":{"f:replicas":{}}},"time":"2026-01-01T00:00:00Z"}]},
         "spec":{"replicas":2,"paused":false,"revisionHistoryLimit":null,
           "template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27","args":["-c","[not a bracket]"],"ports":[{"containerPort":80}]}]}}},
         "status":{"observedGeneration":3,"availableReplicas":2,"updatedReplicas":2,
           "conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}],"ratio":1.5e2}}
        """#

    static let projections: [FieldProjection] = [
        .whole,
        .withoutManagedFields,
        .object([
            "apiVersion": .whole, "kind": .whole,
            "metadata": .object(["name": .whole, "namespace": .whole, "generation": .whole]),
            "spec": .object(["replicas": .whole]), "status": .whole,
        ]),
        .object(["metadata": .object(["annotations": .whole]), "spec": .object(["template": .object(["spec": .object(["containers": .each(.object(["args": .whole]))])])])]),
        .object(["st\u{e9}": .whole, "kind": .omitted], others: true),
    ]

    @Test("parsing with a projection gives what the projection keeps of the whole parse", arguments: projections)
    func matchesTheWholeParse(projection: FieldProjection) throws {
        let whole = try JSONValue(parsingJSON: Self.deployment)
        let bytes = Array(Self.deployment.utf8)
        let projected = try bytes.withUnsafeBytes { try projection.parse($0) }
        #expect(projected == projection.applied(to: whole))
    }

    @Test("what is skipped is not decoded, and what is kept keeps its escapes and numbers")
    func keepsAndSkips() throws {
        let projection = FieldProjection.object(
            ["metadata": .object(["name": .whole, "annotations": .whole]), "status": .object(["ratio": .whole, "availableReplicas": .whole])])
        let bytes = Array(Self.deployment.utf8)
        let projected = try bytes.withUnsafeBytes { try projection.parse($0) }
        #expect(projected == [
            "metadata": ["name": "web", "annotations": ["note": "a \"quoted\" value with \\ and \u{e9}"]],
            "status": ["availableReplicas": 2, "ratio": 150.0],
        ])
    }

    @Test("a list's items each go through the item projection; keys with escapes are matched decoded")
    func listItems() throws {
        let text = #"{"kind":"List","metadata":{"resourceVersion":"7"},"items":[{"a":1,"b":[1,{"c":"}"}]},{"\u0061":2,"b":true},{}]}"#
        let projection = FieldProjection.object(["items": .each(.object(["a": .whole]))], others: true)
        let projected = try Array(text.utf8).withUnsafeBytes { try projection.parse($0) }
        #expect(projected == ["kind": "List", "metadata": ["resourceVersion": "7"], "items": [["a": 1], ["a": 2], [:]]])
    }

    @Test("malformed JSON is an error, in kept and in skipped parts", arguments: [
        #"{"a":1,"b":{"c":[1,2}}"#, #"{"a":1,"b":"unterminated}"#, #"{"a":1 "b":2}"#, #"{"a":1}x"#, #"{"a":tru}"#, #"{"b":[1,2"#,
    ])
    func malformed(text: String) {
        let projection = FieldProjection.object(["a": .whole])
        #expect(throws: JSONSyntaxError.self) { try Array(text.utf8).withUnsafeBytes { try projection.parse($0) } }
    }
}
