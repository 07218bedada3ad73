import FuzzSupport
import OAM
import Resources

/// JSON bodies: the parser, the serializer (what it writes parses back to the same value) and
/// the ``JSONValueDecoder`` the typed OAM views decode with.
enum JSONTarget {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? JSONValue(parsingJSON: bytes) else { return }
        let written = value.jsonBytes()
        guard let again = try? JSONValue(parsingJSON: written) else {
            broken("the serializer wrote JSON the parser refuses: \(utf8Text(written))")
        }
        if value.isFinite, again != value { broken("\(value) came back as \(again)") }
        _ = value.jsonString(pretty: true, sortedKeys: true)

        // Typed decoding: the OAM views and every primitive the decoder unboxes.
        if case .object(let members) = value {
            let resource = Resource(object: members)
            _ = try? Component(resource)
            _ = try? ApplicationConfiguration(resource)
            _ = try? WorkloadDefinition(resource)
            _ = try? TraitDefinition(resource)
        }
        _ = try? JSONValueDecoder().decode(Primitives.self, from: value)
        _ = try? JSONValueDecoder().decode([String: [Primitives?]].self, from: value)
    }

    /// Every kind of value a Codable type asks the decoder for.
    struct Primitives: Decodable {
        var b: Bool?
        var s: String?
        var d: Double?
        var f: Float?
        var i: Int?
        var i8: Int8?
        var i16: Int16?
        var i32: Int32?
        var i64: Int64?
        var u: UInt?
        var u8: UInt8?
        var u64: UInt64?
        var list: [Int]?
        var map: [String: String]?
        var nested: [Primitives]?
    }
}
