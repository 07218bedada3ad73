@testable import Resources
import Testing

/// Inputs the fuzz targets (`scripts/fuzz`, targets `yaml` and `field-path`) found, kept as tests.
@Suite("Fuzz regressions: YAML")
struct YAMLFuzzRegressionTests {
    @Test("a block scalar with an indentation indicator of 0 is refused as libyaml refuses it", arguments: [
        "a: |\n line2\nb: >0-\n     kee p\n\n",
        "a: |0\n  x\n",
        "a: >+0\n  x\n",
        "- |-0\n  x\n",
    ])
    func zeroIndentationIndicator(text: String) {
        #expect(SubsetYAMLReader.read(text, file: "f.yaml", lineOffset: 0) == nil)
        let error = #expect(throws: DecodeError.self) { try DocumentDecoder.decode(text, file: "f.yaml") }
        #expect(error?.message.contains("indentation indicator equal to 0") == true)
    }

    @Test("indentation indicators 1 to 9 are still read by the fast reader")
    func nonZeroIndentationIndicator() throws {
        let text = "a: |2-\n    x\nb: >+1\n x\n"
        let fast = try #require(SubsetYAMLReader.read(text, file: "f.yaml", lineOffset: 0))
        #expect(fast.first?.value == ["a": "  x", "b": "x\n"])
    }
}

@Suite("Fuzz regressions: field paths")
struct FieldPathFuzzRegressionTests {
    @Test("setting an index far past the end of an array is refused instead of allocating billions of nulls")
    func hugeIndex() throws {
        var value: JSONValue = ["metad": [1]]
        let path = try FieldPath(parsing: "metad[000000000001394787328]")
        let error = #expect(throws: FieldPathError.self) { try value.setValue("x", at: path) }
        #expect(error?.kind == .indexTooLarge)
        #expect(error?.description == "metad[1394787328]: index 1394787328 is more than 100000 past the end of the array (length 1)")
        #expect(value == ["metad": [1]])

        // Under a missing parent too, which is left missing.
        var empty: JSONValue = [:]
        #expect(throws: FieldPathError.self) { try empty.setValue("x", at: "spec.containers[4294967295].image") }
        #expect(empty == [:])
    }

    /// Found by the field-path fuzz target: the printer looked for `"]` Character by Character,
    /// and `]` followed by a combining mark (U+0613) is one Character, so it chose the double
    /// quotes that the byte-level parser then ended early on.
    @Test("a field name holding a quote and ] before a combining mark prints in a form that parses back", arguments: [
        "'&9\"['\"]\u{0613}\u{0613}x''", "a]\u{0301}b", "\"]\u{0613}", "']\u{0301}\"",
    ])
    func combiningMarkAfterBracket(_ name: String) throws {
        let path = FieldPath([.field("spec"), .field(name), .index(0)])
        let printed = path.description
        #expect(try FieldPath(parsing: printed) == path, "printed as \(printed.debugDescription)")
    }

    @Test("an index within the padding limit still pads the array with nulls")
    func paddingWithinLimit() throws {
        var value: JSONValue = ["a": []]
        try value.setValue(true, at: "a[3]")
        #expect(value == ["a": [nil, nil, nil, true]])
        var large: JSONValue = [:]
        try large.setValue(1, at: "a[99999]")
        #expect(large["a"]?.arrayValue?.count == 100_000)
    }
}
