import Resources
import Testing

@Suite("Plain scalar resolution (Kubernetes, YAML 1.1)")
struct ScalarResolutionTests {
    static let table: [(String, JSONValue)] = [
        // null
        ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null),
        ("nULL", "nULL"), ("nil", "nil"),
        // bool
        ("y", true), ("Y", true), ("yes", true), ("Yes", true), ("YES", true),
        ("n", false), ("N", false), ("no", false), ("No", false), ("NO", false),
        ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
        ("on", true), ("On", true), ("ON", true), ("off", false), ("Off", false), ("OFF", false),
        ("yES", "yES"), ("tRUE", "tRUE"), ("oN", "oN"),
        // int
        ("0", 0), ("42", 42), ("-17", -17), ("+5", 5), ("1_000", 1000),
        ("0x1F", 31), ("0X1f", 31), ("-0x10", -16), ("0o17", 15), ("017", 15), ("0b101", 5), ("-0b11", -3),
        ("9223372036854775807", .int(.max)), ("-9223372036854775808", .int(.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("99999999999999999999", .double(1e20)),
        ("08", .double(8)),
        // float
        ("1.5", 1.5), (".5", 0.5), ("1e3", 1000.0), ("-1.5E-3", -0.0015), ("1.", 1.0), ("+.5", 0.5),
        ("1_000.5", 1000.5), ("1.10", 1.1),
        (".inf", .double(.infinity)), (".Inf", .double(.infinity)), ("-.inf", .double(-.infinity)),
        ("+.INF", .double(.infinity)),
        // strings
        ("1e", "1e"), ("1.2.3", "1.2.3"), ("0x", "0x"), ("0xG", "0xG"), ("_1", "_1"), ("-a", "-a"), (".", "."),
        ("2024-01-01", "2024-01-01"), ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("1:30", "1:30"), ("1e500", "1e500"), ("nginx:1.25", "nginx:1.25"), ("v1", "v1"), ("<<x", "<<x"),
        ("inf", "inf"), ("NaN", "NaN"), ("0x_", "0x_"),
    ]

    @Test("a plain scalar resolves as Kubernetes resolves it", arguments: table)
    func resolves(text: String, expected: JSONValue) throws {
        let documents = try DocumentDecoder.decode("value: \(text)\n", file: nil)
        let value = try #require(documents.first?.value["value"])
        #expect(value == expected)
        // `==` treats 1 and 1.0 alike; the case must match too.
        #expect(value.typeName == expected.typeName)
    }

    @Test(".nan is a float that is not a number")
    func nan() throws {
        let value = try DocumentDecoder.decode("a: .nan\nb: .NaN", file: nil)[0].value
        #expect(value["a"]?.doubleValue?.isNaN == true)
        #expect(value["b"]?.doubleValue?.isNaN == true)
    }

    @Test("quoted and block scalars are always strings", arguments: [
        "'yes'", "\"123\"", "'~'", "\"\"", "''", "\"1.5\"", "|\n  true\n",
    ])
    func quotedIsString(text: String) throws {
        let value = try DocumentDecoder.decode("value: \(text)", file: nil)[0].value["value"]
        #expect(value?.stringValue != nil)
    }

    static let tagged: [(String, JSONValue)] = [
        ("!!str 123", "123"), ("!!str yes", "yes"), ("!!str", ""),
        ("!!int \"42\"", 42), ("!!int 0x10", 16),
        ("!!float 3", .double(3)), ("!!float \"1.5\"", 1.5),
        ("!!bool \"yes\"", true), ("!!bool off", false),
        ("!!null ''", .null), ("!!null ~", .null),
        ("!!timestamp 2024-01-01", "2024-01-01"), ("!custom 12", "12"), ("! 12", "12"),
    ]

    @Test("explicit core tags are honoured", arguments: tagged)
    func explicitTags(text: String, expected: JSONValue) throws {
        let value = try #require(try DocumentDecoder.decode("value: \(text)\n", file: nil).first?.value["value"])
        #expect(value == expected)
        #expect(value.typeName == expected.typeName)
    }

    @Test("keys are strings made of their text")
    func keysAreText() throws {
        let value = try DocumentDecoder.decode("1: a\ntrue: b\nnull: c\n0x10: d\n'q': e\n", file: nil)[0].value
        #expect(memberNames(value) == ["1", "true", "null", "0x10", "q"])
    }
}
