import OrderedCollections
import Resources
import Testing

@Suite("JSON printing")
struct JSONSerializerTests {
    @Test("the compact form has no whitespace, like Go's encoding/json")
    func compact() {
        let value: JSONValue = ["n": nil, "b": [true, false], "i": -42, "d": 0.5, "s": "x", "o": [:], "a": []]
        #expect(value.jsonString() == #"{"n":null,"b":[true,false],"i":-42,"d":0.5,"s":"x","o":{},"a":[]}"#)
        #expect(value.jsonBytes() == Array(value.jsonString().utf8))
    }

    @Test("the pretty form indents by two spaces and writes \"key\": value")
    func pretty() {
        let value: JSONValue = ["name": "web", "ports": [80, 443], "empty": [:], "none": [], "meta": ["a": 1]]
        let expected = """
            {
              "name": "web",
              "ports": [
                80,
                443
              ],
              "empty": {},
              "none": [],
              "meta": {
                "a": 1
              }
            }
            """
        #expect(value.jsonString(pretty: true) == expected)
        #expect(JSONValue.int(7).jsonString(pretty: true) == "7")
    }

    @Test("strings escape quotes, backslashes and control characters only")
    func escaping() {
        let value = JSONValue.string("q\" b\\ /path\n\r\t\u{8}\u{C}\u{1}\u{1F}\u{7F} é 😀")
        #expect(value.jsonString() == #""q\" b\\ /path\n\r\t\b\f\u0001\u001f"# + "\u{7F} é 😀\"")
    }

    @Test("integers print exactly, Int64's extremes included")
    func integers() {
        #expect(JSONValue.int(0).jsonString() == "0")
        #expect(JSONValue.int(-7).jsonString() == "-7")
        #expect(JSONValue.int(9_007_199_254_740_993).jsonString() == "9007199254740993")
        #expect(JSONValue.int(.max).jsonString() == "9223372036854775807")
        #expect(JSONValue.int(.min).jsonString() == "-9223372036854775808")
    }

    @Test("doubles print in shortest round-trip form and stay doubles; NaN and infinities print null")
    func doubles() throws {
        #expect(JSONValue.double(3).jsonString() == "3.0")
        #expect(JSONValue.double(0.1).jsonString() == "0.1")
        #expect(JSONValue.double(-2.5).jsonString() == "-2.5")
        #expect(JSONValue.double(1e20).jsonString() == "1e+20")
        #expect(JSONValue.double(.nan).jsonString() == "null")
        #expect(JSONValue.double(.infinity).jsonString() == "null")
        #expect(JSONValue.double(-.infinity).jsonString() == "null")
        let reread = try JSONValue(parsingJSON: JSONValue.double(3).jsonString())
        #expect(reread.typeName == "number")
        let samples: [Double] = [
            0.1, 1e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -0.0, 123456789.123456789,
            18446744073709551615.0,
        ]
        for d in samples {
            let text = JSONValue.double(d).jsonString()
            guard case .double(let back) = try JSONValue(parsingJSON: text) else {
                Issue.record("\(text) did not read back as a double")
                continue
            }
            #expect(back.bitPattern == d.bitPattern, "\(text)")
        }
    }

    @Test("sorted keys order members by UTF-8 bytes at every level")
    func sortedKeys() {
        let value: JSONValue = ["b": 1, "é": 2, "a": ["z": 1, "Z": 2, "y": [["d": 1, "c": 2]]], "B": 3, "ab": 4]
        #expect(
            value.jsonString(sortedKeys: true)
                == #"{"B":3,"a":{"Z":2,"y":[{"c":2,"d":1}],"z":1},"ab":4,"b":1,"é":2}"#)
        let shuffled: JSONValue = ["ab": 4, "B": 3, "é": 2, "a": ["y": [["c": 2, "d": 1]], "Z": 2, "z": 1], "b": 1]
        #expect(value.jsonBytes(sortedKeys: true) == shuffled.jsonBytes(sortedKeys: true))
        #expect(value.jsonString(pretty: true, sortedKeys: true).hasPrefix("{\n  \"B\": 3,\n  \"a\": {\n    \"Z\""))
    }

    @Test("parsing what was printed gives the same value, compact and pretty")
    func roundTrip() throws {
        var generator = ValueGenerator(seed: 0x5EED)
        for _ in 0..<300 {
            let value = generator.value(depth: 0)
            let compact = try JSONValue(parsingJSON: value.jsonString())
            #expect(compact == value)
            #expect(compact.jsonString() == value.jsonString())
            #expect(try JSONValue(parsingJSON: value.jsonString(pretty: true, sortedKeys: true)) == value)
        }
    }
}

/// A deterministic source of varied values (a xorshift generator), for round-trip checks.
struct ValueGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    private mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    private mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func value(depth: Int) -> JSONValue {
        switch below(depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2:
            let choices: [Int64] = [0, -1, 42, .max, .min, Int64(bitPattern: next())]
            return .int(choices[below(choices.count)])
        case 3:
            let choices: [Double] = [0.5, -0.0, 1e-7, 3.0, 1e300, .pi, Double(bitPattern: next() >> 2)]
            return .double(choices[below(choices.count)])
        case 4: return .string(string())
        case 5: return .array((0..<below(4)).map { _ in value(depth: depth + 1) })
        default:
            var members = JSONObject()
            for _ in 0..<below(5) { members[string()] = value(depth: depth + 1) }
            return .object(members)
        }
    }

    private mutating func string() -> String {
        let pieces = [
            "a", "Zeta", "\"", "\\", "/", "\n", "\u{0}", "\u{1F}", "é", "中", "😀", " ", "\u{7F}", "\u{2028}",
        ]
        return (0..<below(5)).map { _ in pieces[below(pieces.count)] }.joined()
    }
}
