import OrderedCollections
import Resources
import Testing

/// "integer" for `.int`, "number" for `.double`: `==` treats 1 and 1.0 as equal, tests need more.
private func kind(_ value: JSONValue) -> String { value.typeName }

@Suite("JSON parsing")
struct JSONParserTests {
    @Test("every JSON type parses to its case")
    func everyType() throws {
        let value = try JSONValue(
            parsingJSON: #"{"n": null, "t": true, "f": false, "i": -12, "d": 1.5, "s": "x", "a": [1, "two"], "o": {}}"#)
        #expect(
            value == [
                "n": nil, "t": true, "f": false, "i": -12, "d": 1.5, "s": "x", "a": [1, "two"], "o": .emptyObject,
            ])
        #expect(kind(try #require(value["i"])) == "integer")
        #expect(kind(try #require(value["d"])) == "number")
        #expect(try JSONValue(parsingJSON: " \t\r\n[ ]\n") == [])
        #expect(try JSONValue(parsingJSON: "\"\"") == "")
        #expect(try JSONValue(parsingJSON: "0") == 0)
    }

    @Test("escapes decode, including surrogate pairs")
    func escapes() throws {
        let value = try JSONValue(parsingJSON: #""q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u4E2D \ud83d\ude00""#)
        #expect(value == .string("q\" b\\ s/ \u{8}\u{C}\n\r\t Aé中 😀"))
    }

    @Test("lone surrogates become U+FFFD, as in Go")
    func loneSurrogates() throws {
        #expect(try JSONValue(parsingJSON: #""\ud83d x""#) == "\u{FFFD} x")
        #expect(try JSONValue(parsingJSON: #""\ude00""#) == "\u{FFFD}")
        #expect(try JSONValue(parsingJSON: #""\ud83d\u0041""#) == "\u{FFFD}A")
        #expect(try JSONValue(parsingJSON: #""\ud83d""#) == "\u{FFFD}")
    }

    @Test("non-ASCII text is kept as it is, in keys and values")
    func unicode() throws {
        let value = try JSONValue(parsingJSON: #"{"名前": "café 🚀"}"#)
        #expect(value == ["名前": "café 🚀"])
    }

    @Test("integers that fit Int64 stay exact; others become doubles")
    func bigNumbers() throws {
        let exact = try JSONValue(parsingJSON: "9007199254740993")
        #expect(exact.intValue == 9_007_199_254_740_993)
        #expect(kind(exact) == "integer")
        #expect(try JSONValue(parsingJSON: "9223372036854775807").intValue == Int64.max)
        let min = try JSONValue(parsingJSON: "-9223372036854775808")
        #expect(kind(min) == "integer")
        #expect(min.intValue == Int64.min)
        let tooBig = try JSONValue(parsingJSON: "18446744073709551615")
        #expect(kind(tooBig) == "number")
        #expect(tooBig.doubleValue == 18_446_744_073_709_551_615.0)
        #expect(kind(try JSONValue(parsingJSON: "9223372036854775808")) == "number")
        #expect(kind(try JSONValue(parsingJSON: "-9223372036854775809")) == "number")
        #expect(kind(try JSONValue(parsingJSON: "1.0")) == "number")
        #expect(kind(try JSONValue(parsingJSON: "1E2")) == "number")
        #expect(try JSONValue(parsingJSON: "1E2") == 100)
        #expect(try JSONValue(parsingJSON: "-2.5e-3") == .double(-0.0025))
        #expect(try JSONValue(parsingJSON: "-0") == 0)
        #expect(try JSONValue(parsingJSON: "1e-400") == .double(0))
    }

    @Test("numbers beyond the range of Double are errors")
    func outOfRange() {
        #expect(throws: JSONSyntaxError(line: 1, column: 1, message: "the number 1e400 is out of range")) {
            try JSONValue(parsingJSON: "1e400")
        }
        #expect(throws: JSONSyntaxError(line: 1, column: 2, message: "the number -1e400 is out of range")) {
            try JSONValue(parsingJSON: "[-1e400]")
        }
    }

    static let syntaxErrors: [(String, String)] = [
        ("", "1:1: expected a value, found end of input"),
        ("   ", "1:4: expected a value, found end of input"),
        (#"{"a": 1 "b": 2}"#, #"1:9: expected ',' or '}' after an object member, found '"'"#),
        (#"{"a":1,}"#, "1:8: a trailing ',' before '}' is not allowed"),
        ("[1,2,]", "1:6: a trailing ',' before ']' is not allowed"),
        ("[1 2]", "1:4: expected ',' or ']' after an array element, found '2'"),
        (#"{"a" 1}"#, "1:6: expected ':' after an object key, found '1'"),
        ("{a:1}", "1:2: expected a string key for an object member, found 'a'"),
        ("{", "1:2: expected a string key for an object member, found end of input"),
        (#"{"a":"#, "1:6: expected a value, found end of input"),
        (#"{"a":1"#, "1:7: expected ',' or '}' after an object member, found end of input"),
        ("[", "1:2: expected a value, found end of input"),
        ("[1", "1:3: expected ',' or ']' after an array element, found end of input"),
        (#""abc"#, "1:1: unterminated string"),
        ("[\"abc\n\"]", "1:2: unterminated string"),
        (#""a\qb""#, #"1:3: invalid escape '\q' in a string"#),
        (#""\u12G4""#, #"1:6: expected 4 hexadecimal digits after '\u', found 'G'"#),
        ("\"a\tb\"", "1:3: control character U+0009 must be escaped in a string"),
        ("01", "1:1: a number cannot start with '0' followed by more digits"),
        ("-", "1:2: expected a digit after '-', found end of input"),
        ("-x", "1:2: expected a digit after '-', found 'x'"),
        ("1.", "1:3: expected a digit after the decimal point, found end of input"),
        ("1e", "1:3: expected a digit in the exponent, found end of input"),
        ("1e+", "1:4: expected a digit in the exponent, found end of input"),
        ("tru", "1:1: expected a value, found 'tru'"),
        ("nulls", "1:1: expected a value, found 'nulls'"),
        ("True", "1:1: expected a value, found 'T'"),
        (#"{"a":1} x"#, "1:9: unexpected 'x' after the JSON value"),
        ("[1]]", "1:4: unexpected ']' after the JSON value"),
        ("[1,\n  @]", "2:3: expected a value, found '@'"),
        (#"{"é": x}"#, "1:7: expected a value, found 'x'"),
        ("[1, ☃]", "1:5: expected a value, found '☃'"),
        ("{\n  \"a\": 1,\n  \"a\": 2\n}", #"3:3: duplicate key "a""#),
        ("'a'", "1:1: expected a value, found '''"),
    ]

    @Test("syntax errors name the line, column and problem", arguments: syntaxErrors)
    func syntaxError(input: String, expected: String) {
        do {
            let value = try JSONValue(parsingJSON: input)
            Issue.record("parsed \(value) from \(input)")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test("duplicate keys are rejected at the second key, also when nested")
    func duplicateKeys() {
        #expect(throws: JSONSyntaxError(line: 1, column: 16, message: #"duplicate key "b""#)) {
            try JSONValue(parsingJSON: #"{"a": {"b": 1, "b": 1}}"#)
        }
        #expect(throws: JSONSyntaxError(line: 1, column: 1, message: "expected a value, found end of input")) {
            try JSONValue(parsingJSON: "")
        }
    }

    @Test("duplicate keys are found in large objects too")
    func duplicateKeysInLargeObjects() throws {
        let keys = (0..<40).map { "\"k\($0)\": \($0)" }
        let object = try JSONValue(parsingJSON: "{" + keys.joined(separator: ",") + "}")
        #expect(object.objectValue?.count == 40)
        #expect(object["k39"] == 39)
        for duplicate in ["k3", "k20", "k39"] {
            let text = "{" + keys.joined(separator: ",") + ",\"\(duplicate)\": 0}"
            // The error points at the opening quote of the repeated key, the last member.
            let column = text.count - duplicate.count - 5
            #expect(throws: JSONSyntaxError(line: 1, column: column, message: "duplicate key \"\(duplicate)\"")) {
                try JSONValue(parsingJSON: text)
            }
        }
        let early = "{\"a\":1," + keys.joined(separator: ",") + ",\"a\":2}"
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsingJSON: early) }
    }

    @Test("nesting is limited to 512 levels")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try JSONValue(parsingJSON: deep)
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONSyntaxError(line: 1, column: 513, message: "nesting is deeper than 512 levels")) {
            try JSONValue(parsingJSON: tooDeep)
        }
        let objects = String(repeating: #"{"a":"#, count: 513) + "1" + String(repeating: "}", count: 513)
        #expect(throws: JSONSyntaxError(line: 1, column: 2561, message: "nesting is deeper than 512 levels")) {
            try JSONValue(parsingJSON: objects)
        }
    }

    @Test("bytes parse the same from an array and from a non-contiguous collection")
    func bytes() throws {
        let text = #"{"a": [1, "ü"]}"#
        let expected: JSONValue = ["a": [1, "ü"]]
        #expect(try JSONValue(parsingJSON: Array(text.utf8)) == expected)
        #expect(try JSONValue(parsingJSON: AnyCollection(Array(text.utf8))) == expected)
        #expect(try JSONValue(parsingJSON: text.utf8) == expected)
        #expect(try JSONValue(parsingJSON: text.dropFirst(0).utf8) == expected)
    }

    @Test("a leading byte order mark is ignored")
    func byteOrderMark() throws {
        #expect(try JSONValue(parsingJSON: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
    }

    @Test("object members keep their order through parse and print, byte for byte")
    func keyOrder() throws {
        let compact =
            #"{"kind":"ApplicationConfiguration","apiVersion":"core.oam.dev/v1alpha2","metadata":{"name":"web","#
            + #""namespace":"default","labels":{"z":"1","a":"2"}},"spec":{"components":[{"componentName":"#
            + #""frontend","parameterValues":[{"value":3,"name":"replicas"}],"traits":[]}],"ratio":0.25,"#
            + #""big":9007199254740993,"neg":-1.5,"none":null,"yes":true,"text":"a\"b\\c\nd\u0001/é"}}"#
        let value = try JSONValue(parsingJSON: compact)
        #expect(value.jsonString() == compact)
        let keys = try #require(value.objectValue).keys
        #expect(Array(keys) == ["kind", "apiVersion", "metadata", "spec"])
        let pretty = value.jsonString(pretty: true)
        #expect(try JSONValue(parsingJSON: pretty).jsonString(pretty: true) == pretty)
        #expect(try JSONValue(parsingJSON: pretty).jsonString() == compact)
    }
}
