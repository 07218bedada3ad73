import Resources
import Testing

@Suite("Encoding YAML")
struct YAMLEncodingTests {
    @Test("objects print in block style like kubectl")
    func blockStyle() {
        let value: JSONValue = [
            "apiVersion": "v1",
            "metadata": ["name": "web", "labels": ["on": "yes"], "annotations": [:]],
            "spec": [
                "containers": [["name": "a", "ports": [80, 443]], [:], []],
                "matrix": [[1, 2], []],
                "empty": [],
            ],
            "ratio": 0.5,
            "none": nil,
            "ok": true,
        ]
        #expect(value.yamlString() == """
            apiVersion: v1
            metadata:
              name: web
              labels:
                "on": "yes"
              annotations: {}
            spec:
              containers:
              - name: a
                ports:
                - 80
                - 443
              - {}
              - []
              matrix:
              - - 1
                - 2
              - []
              empty: []
            ratio: 0.5
            none: null
            ok: true

            """)
    }

    @Test("multi-line strings become literal blocks")
    func literalBlocks() {
        let value: JSONValue = ["script": "echo a\n\necho b\n", "note": "one\ntwo", "list": ["x\ny"]]
        #expect(value.yamlString() == """
            script: |
              echo a

              echo b
            note: |-
              one
              two
            list:
            - |-
              x
              y

            """)
    }

    @Test("a stream joins documents with ---")
    func stream() throws {
        let values: [JSONValue] = [["a": 1], "text", ["b": [1]], nil]
        let text = YAMLStream.encode(values)
        #expect(text == "a: 1\n---\ntext\n---\nb:\n- 1\n---\nnull\n")
        #expect(try DocumentDecoder.decode(text, file: nil).map(\.value) == values)
        #expect(YAMLStream.encode([]) == "")
    }

    static let trickyStrings: [String] = [
        "", " ", "  lead", "trail ", "\t", "a\tb", "yes", "No", "y", "n", "ON", "off", "true", "False", "null", "~",
        "NULL", "0", "012", "0x1F", "0o7", "0b1", "1_000", "1e3", "1.5", ".5", "-1", "+1", ".inf", "-.inf", ".nan",
        "08", "1.", "1e500", "99999999999999999999", "<<", "=", "-", "--", "---", "...", "... x", "- a", "-a", "?", "? a",
        ":", ":a", "a:", "a: b", "a:b", "a :b", "a #b", "a#b", "#", "# c", "&a", "*a", "!a", "!!str", "|", ">", "'",
        "\"", "'a'", "\"a\"", "%a", "@a", "`a", ",a", "a,b", "[a]", "{a}", "a]", "a}", "}", "\\", "a\\nb",
        "line\nline", "line\n", "\nlead newline", "trailing\n\n", "\n", "\n\n", "  indented\nblock", "a\n  b",
        "a\n \nb", "a\r\nb", "a\rb", "tab\n\tindent", "emoji 🚢", "ünïcödé", "\u{0}", "\u{7}", "\u{1B}[0m",
        "\u{85}", "a\u{2028}b", "\u{2029}", "a\u{FEFF}bom", "a\u{85}", "\u{7F}", "\u{9F}", "\u{E000}", "2024-01-01",
        "12:30:00", "1:30", "http://example.com/a?b=c#d", "key: value\nother: x", "#!/bin/sh\necho hi\n",
        "- item\n- item\n", "a #", "a\t#b", "x:\ty", "[", "]", "{", "%", "@", String(repeating: "k", count: 1200),
    ]

    @Test("a string reads back as the same string", arguments: trickyStrings)
    func stringRoundTrip(string: String) throws {
        for value: JSONValue in [.string(string), ["key": .string(string)], [.string(string)], [string: 1],
            ["outer": [[string: .string(string)]]]]
        {
            let text = value.yamlString()
            let decoded = try DocumentDecoder.decode(text, file: nil)
            #expect(decoded.map(\.value) == [value], "\(text)")
        }
    }

    static let values: [JSONValue] = [
        nil, true, false, 0, -1, .int(.max), .int(.min), 1.5, -0.0, 1e20, 1e-7, .double(Double.leastNonzeroMagnitude), .double(.infinity),
        .double(-.infinity), 1.0, 100.0, [], [:], [[]], [[:]], [[[]]], [nil, nil], ["a": nil],
        ["a": ["b": ["c": [1, [2, [3, ["d": "e"]]]]]]],
        ["list": [["name": "x", "items": [["k": "v"], ["k": [:]]]], ["name": "y"]]],
        ["": "empty key", " ": "space key", "a: b": 1, "- x": 2, "#": 3, "yes": "no", "1": 1],
        [["a": 1, "b": ["c": 2]], [["d": 3]], "s\nt", ["m": "u\nv\n"]],
        ["script": "#!/bin/sh\nset -e\necho \"hi\"\n", "nested": ["deeper": ["text": "a\nb"]]],
    ]

    @Test("values read back as the same values", arguments: values)
    func valueRoundTrip(value: JSONValue) throws {
        let text = value.yamlString()
        let decoded = try DocumentDecoder.decode(text, file: nil)
        #expect(decoded.map(\.value) == [value], "\(text)")
        if case .double(let d) = value {
            #expect(decoded.first?.value.typeName == "number", "\(d)")
        }
    }

    @Test("strings are quoted exactly when needed", arguments: [
        ("web", "web"), ("nginx:1.25", "nginx:1.25"), ("yes", "\"yes\""), ("", "\"\""), ("12", "\"12\""),
        (" a", "\" a\""), ("a: b", "\"a: b\""), ("a #b", "\"a #b\""), ("-x", "\"-x\""), ("a\u{1}", "\"a\\x01\""),
        ("http://x/y#z", "http://x/y#z"), ("1.2.3", "1.2.3"),
    ])
    func quoting(string: String, printed: String) {
        #expect(JSONValue.string(string).yamlString() == printed + "\n")
    }
}
