import Resources
import Testing

@Suite("Decoding YAML documents")
struct DocumentDecoderTests {
    @Test("a stream of several documents decodes in order, skipping empty ones")
    func multiDocument() throws {
        let text = """
            # leading comment
            ---
            kind: A
            ---
            # only a comment
            ---
            kind: B
            ---
            [1, 2]
            ---
            """
        let documents = try DocumentDecoder.decode(text, file: "s.yaml")
        #expect(documents.map(\.value) == [["kind": "A"], ["kind": "B"], [1, 2]])
        #expect(documents.map(\.index) == [0, 1, 2])
        #expect(documents.map(\.location.line) == [3, 7, 9])
        #expect(documents[1].location.file == "s.yaml")
    }

    @Test("an empty text has no documents")
    func empty() throws {
        #expect(try DocumentDecoder.decode("", file: nil).isEmpty)
        #expect(try DocumentDecoder.decode("# nothing\n", file: nil).isEmpty)
    }

    @Test("JSON decodes too")
    func json() throws {
        let value = try DocumentDecoder.decode(#"{"a": [1, 2.5, "x", null, true], "b": {}}"#, file: nil)[0].value
        #expect(value == ["a": [1, 2.5, "x", nil, true], "b": [:]])
    }

    @Test("object members keep the order of the text")
    func keyOrder() throws {
        let value = try DocumentDecoder.decode("z: 1\na: 2\nm: 3\nb: {y: 1, x: 2}\n", file: nil)[0].value
        #expect(memberNames(value) == ["z", "a", "m", "b"])
        #expect(memberNames(value["b"]) == ["y", "x"])
    }

    @Test("anchors, aliases and merge keys resolve")
    func anchorsAndMerges() throws {
        let text = """
            base: &base {a: 1, b: 2}
            other: &other {b: 20, c: 30}
            one:
              <<: *base
              b: 3
            many:
              d: 4
              <<: [*base, *other]
            list: &list [x, z]
            again: *list
            """
        let value = try DocumentDecoder.decode(text, file: nil)[0].value
        #expect(value["one"] == ["a": 1, "b": 3])
        #expect(memberNames(value["one"]) == ["a", "b"])
        #expect(value["many"] == ["d": 4, "a": 1, "b": 2, "c": 30])
        #expect(value["again"] == ["x", "z"])
    }

    @Test("positions of nested nodes are recorded")
    func positions() throws {
        let text = """
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            spec:
              components:
                - componentName: a
                - componentName: b
                  traits:
                    - trait:
                        apiVersion: v1
                        kind: ManualScaler
                    - trait: {kind: Other}
            """
        let document = try #require(try DocumentDecoder.decode(text, file: "app.yaml").first)
        let map = document.sourceMap
        #expect(map.location(of: "spec.components[1].traits[0].trait.kind")
            == SourceLocation(file: "app.yaml", line: 10, column: 19))
        #expect(map.location(of: "spec.components[1].traits[1].trait.kind")?.description == "app.yaml:11:25")
        #expect(map.location(of: "spec.components[1]")?.description == "app.yaml:6:7")
        #expect(map.location(of: "spec.components")?.description == "app.yaml:5:5")
        #expect(map.location(of: "kind")?.description == "app.yaml:2:7")
        #expect(map.location(of: .root)?.description == "app.yaml:1:1")
        // A missing field points at the object that lacks it.
        #expect(map.location(of: "spec.components[0].traits")?.description == "app.yaml:5:7")
        #expect(map.location(of: "spec.components[7].name")?.description == "app.yaml:5:5")
        #expect(document.location(of: "kind[0]").description == "app.yaml:2:7")
    }

    @Test("positions in a later document count lines from the start of the stream")
    func positionsInSecondDocument() throws {
        let documents = try DocumentDecoder.decode("a: 1\n---\nb:\n  c: 2\n", file: nil)
        #expect(documents[1].sourceMap.location(of: "b.c")?.description == "4:6")
    }

    static let errors: [(name: String, text: String, location: String, message: String)] = [
        ("bad indentation", "metadata:\n  name: x\n   labels: {}\n", "3:10", "mapping values are not allowed in this context"),
        ("unclosed flow sequence", "metadata: {name: x, labels: [a, b}\n", "1:34",
         "while parsing a flow sequence (started at line 1, column 29): did not find expected ',' or ']'"),
        ("tab indent", "a:\n\tb: 1\n", "2:1",
         "while scanning for the next token (started at line 2, column 1): found character that cannot start any token (tabs cannot be used for indentation)"),
        ("duplicate key", "a: 1\nb: 2\na: 3\n", "3:1", "duplicate key \"a\""),
        ("nested duplicate key", "x:\n  y: {p: 1, q: 2, p: 3}\n", "2:19", "duplicate key \"p\""),
        ("duplicate quoted key", "x: 1\n\"x\": 2\n", "2:1", "duplicate key \"x\""),
        ("third duplicate reports the second", "a: 1\na: 2\na: 3\n", "2:1", "duplicate key \"a\""),
        ("broken second document", "a: 1\n---\nb: [\n", "4:1",
         "while parsing a flow node (started at line 4, column 1): did not find expected node content"),
        ("non-scalar key", "? [a, b]\n: 1\n", "1:3", "a mapping key must be a scalar, found a sequence"),
        ("mapping key", "{a: 1}: 2\n", "1:1", "a mapping key must be a scalar, found a mapping"),
        ("bad int tag", "replicas: !!int three\n", "1:11", "cannot decode \"three\" as !!int"),
        ("bad bool tag", "a: !!bool maybe\n", "1:4", "cannot decode \"maybe\" as !!bool"),
        ("float for int tag", "a: !!int 1.5\n", "1:4", "cannot decode \"1.5\" as !!int"),
        ("tag on a mapping", "a: !!str {b: 1}\n", "1:4", "cannot decode a mapping as !!str"),
        ("undefined alias", "a: *nope\n", "1:4", "found undefined alias"),
        ("bad merge", "a:\n  <<: 5\n", "2:7", "the value of a merge key << must be a mapping or a sequence of mappings"),
        ("control character", "a: \u{1}\n", "1:4", "control characters are not allowed (#x1)"),
    ]

    @Test("errors carry their position and a one-line message", arguments: errors)
    func errorPositions(name: String, text: String, location: String, message: String) throws {
        let error = try #require(throws: DecodeError.self) { try DocumentDecoder.decode(text, file: "f.yaml") }
        #expect(error.location.description == "f.yaml:\(location)", "\(name)")
        #expect(error.message == message, "\(name)")
        #expect(!error.message.contains("\n"))
        #expect(error.description == "f.yaml:\(location): \(message)")
    }

    @Test("a broken second document fails the whole stream")
    func brokenSecond() {
        #expect(throws: DecodeError.self) { try DocumentDecoder.decode("a: 1\n---\na: 1\na: 2\n", file: nil) }
    }

    @Test("source locations print with or without a file")
    func locationDescription() {
        #expect(SourceLocation(file: "x.yaml", line: 3, column: 4).description == "x.yaml:3:4")
        #expect(SourceLocation(line: 3, column: 4).description == "3:4")
    }
}
