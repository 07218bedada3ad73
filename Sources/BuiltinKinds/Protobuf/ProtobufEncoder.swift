import Foundation
import OrderedCollections
import Resources

/// Writes `JSONValue` objects as protobuf messages of the built-in kinds: the reverse of
/// ``ProtobufDecoder``. Members that are not fields of the message (such as `kind` and
/// `apiVersion`, which travel in the envelope) are left out; `null` members are not written.
struct ProtobufEncoder {
    let schema: ProtobufSchema

    /// The bytes of message `name` for `value`.
    func encode(_ name: String, _ value: JSONValue, path: String, depth: Int) throws -> [UInt8] {
        guard depth <= ProtobufCodec.maxDepth else { throw ProtobufError.tooDeep(path: path) }
        guard let message = schema.messages[name] else {
            throw ProtobufError.invalidValue(path: path, reason: "no protobuf message \(name) is known")
        }
        var writer = ProtobufWriter()
        if message.isSpecial {
            try encodeSpecial(message, value, into: &writer, path: path, depth: depth)
            return writer.bytes
        }
        if message.isWrapper {
            guard let field = message.fields.first else { return [] }
            try encodeField(field, value, into: &writer, path: path, depth: depth)
            return writer.bytes
        }
        guard case .object(let members) = value else {
            if value.isNull { return [] }
            throw ProtobufError.invalidValue(path: path, reason: "expected an object, got \(value.typeName)")
        }
        for field in message.fields.sorted(by: { $0.number < $1.number }) {
            if field.isInline {
                guard case .message(let inner) = field.type else { continue }
                writer.writeLengthDelimited(field.number, try encode(inner, value, path: path, depth: depth + 1))
                continue
            }
            guard let member = members[field.jsonName], !member.isNull else { continue }
            try encodeField(field, member, into: &writer, path: ProtobufDecoder.join(path, field), depth: depth)
        }
        return writer.bytes
    }

    private func encodeField(
        _ field: ProtobufSchema.Field, _ value: JSONValue, into writer: inout ProtobufWriter, path: String, depth: Int
    ) throws {
        if case .map(let keyType, let valueType) = field.type {
            guard case .object(let members) = value else {
                throw ProtobufError.invalidValue(path: path, reason: "expected an object, got \(value.typeName)")
            }
            for key in members.keys.sorted() {
                var entry = ProtobufWriter()
                try encodeValue(keyType, .string(key), number: 1, into: &entry, path: path, depth: depth)
                if let member = members[key], !member.isNull {
                    try encodeValue(valueType, member, number: 2, into: &entry, path: path + "." + key, depth: depth)
                }
                writer.writeLengthDelimited(field.number, entry.bytes)
            }
            return
        }
        if field.isRepeated {
            guard case .array(let elements) = value else {
                throw ProtobufError.invalidValue(path: path, reason: "expected an array, got \(value.typeName)")
            }
            for (index, element) in elements.enumerated() {
                try encodeValue(field.type, element, number: field.number, into: &writer, path: "\(path)[\(index)]", depth: depth)
            }
            return
        }
        try encodeValue(field.type, value, number: field.number, into: &writer, path: path, depth: depth)
    }

    private func encodeValue(
        _ type: ProtobufSchema.FieldType, _ value: JSONValue, number: Int, into writer: inout ProtobufWriter,
        path: String, depth: Int
    ) throws {
        func mismatch(_ expected: String) -> ProtobufError {
            .invalidValue(path: path, reason: "expected \(expected), got \(value.typeName)")
        }
        switch type {
        case .string:
            // Map keys of other types are written as their text.
            guard let text = value.stringValue else { throw mismatch("a string") }
            writer.writeLengthDelimited(number, Array(text.utf8))
        case .bytes:
            guard let text = value.stringValue else { throw mismatch("a base64 string") }
            guard let data = Data(base64Encoded: text) else {
                throw ProtobufError.invalidValue(path: path, reason: "illegal base64 data")
            }
            writer.writeLengthDelimited(number, [UInt8](data))
        case .bool:
            guard let flag = value.boolValue else { throw mismatch("a boolean") }
            writer.writeKey(number, .varint)
            writer.writeVarint(flag ? 1 : 0)
        case .int32, .int64, .uint32, .uint64:
            guard let integer = value.intValue else { throw mismatch("an integer") }
            if type == .int32, integer < Int64(Int32.min) || integer > Int64(Int32.max) {
                throw ProtobufError.invalidValue(path: path, reason: "\(integer) does not fit in 32 bits")
            }
            writer.writeKey(number, .varint)
            writer.writeVarint(UInt64(bitPattern: integer))
        case .double:
            guard let double = value.doubleValue else { throw mismatch("a number") }
            writer.writeKey(number, .fixed64)
            writer.writeFixed64(double.bitPattern)
        case .message(let name):
            writer.writeLengthDelimited(number, try encode(name, value, path: path, depth: depth + 1))
        case .map:
            throw ProtobufError.invalidValue(path: path, reason: "a map cannot hold a map")
        }
    }

    // MARK: Special types

    private func encodeSpecial(
        _ message: ProtobufSchema.Message, _ value: JSONValue, into writer: inout ProtobufWriter, path: String, depth: Int
    ) throws {
        let schemaName = "apiextensions/v1.JSONSchemaProps"
        switch message.name {
        case "meta/v1.Time", "meta/v1.MicroTime":
            if value.isNull { return }
            guard let text = value.stringValue, let (seconds, nanos) = ProtobufTimeFormats.parseRFC3339(text) else {
                throw ProtobufError.invalidValue(path: path, reason: "expected an RFC 3339 timestamp, got \(value)")
            }
            writer.writeKey(1, .varint)
            writer.writeVarint(UInt64(bitPattern: seconds))
            let keptNanos = message.name == "meta/v1.MicroTime" ? nanos / 1000 * 1000 : 0
            writer.writeKey(2, .varint)
            writer.writeVarint(UInt64(bitPattern: Int64(keptNanos)))
        case "meta/v1.Duration":
            guard let text = value.stringValue, let nanos = ProtobufTimeFormats.parseGoDuration(text) else {
                throw ProtobufError.invalidValue(path: path, reason: "expected a duration such as \"1m30s\", got \(value)")
            }
            writer.writeKey(1, .varint)
            writer.writeVarint(UInt64(bitPattern: nanos))
        case "api/resource.Quantity":
            let text: String
            switch value {
            case .string(let s): text = s
            case .int(let i): text = String(i)
            case .double(let d): text = String(d)
            default: throw ProtobufError.invalidValue(path: path, reason: "expected a quantity, got \(value.typeName)")
            }
            writer.writeLengthDelimited(1, Array(text.utf8))
        case "util/intstr.IntOrString":
            switch value {
            case .string(let s):
                writer.writeKey(1, .varint)
                writer.writeVarint(1)
                writer.writeLengthDelimited(3, Array(s.utf8))
            default:
                guard let integer = value.intValue, let int32 = Int32(exactly: integer) else {
                    throw ProtobufError.invalidValue(path: path, reason: "expected an integer or a string, got \(value.typeName)")
                }
                writer.writeKey(1, .varint)
                writer.writeVarint(0)
                writer.writeKey(2, .varint)
                writer.writeVarint(UInt64(bitPattern: Int64(int32)))
            }
        case "meta/v1.FieldsV1", "pkg/runtime.RawExtension", "apiextensions/v1.JSON":
            if value.isNull { return }
            writer.writeLengthDelimited(1, value.jsonBytes())
        case "apiextensions/v1.JSONSchemaPropsOrArray":
            if case .array(let schemas) = value {
                for (index, schema) in schemas.enumerated() {
                    writer.writeLengthDelimited(2, try encode(schemaName, schema, path: "\(path)[\(index)]", depth: depth + 1))
                }
            } else if !value.isNull {
                writer.writeLengthDelimited(1, try encode(schemaName, value, path: path, depth: depth + 1))
            }
        case "apiextensions/v1.JSONSchemaPropsOrBool":
            if case .bool(let allows) = value {
                writer.writeKey(1, .varint)
                writer.writeVarint(allows ? 1 : 0)
            } else if !value.isNull {
                writer.writeKey(1, .varint)
                writer.writeVarint(1)
                writer.writeLengthDelimited(2, try encode(schemaName, value, path: path, depth: depth + 1))
            }
        case "apiextensions/v1.JSONSchemaPropsOrStringArray":
            if case .array(let properties) = value {
                for property in properties {
                    guard let text = property.stringValue else {
                        throw ProtobufError.invalidValue(path: path, reason: "expected strings, got \(property.typeName)")
                    }
                    writer.writeLengthDelimited(2, Array(text.utf8))
                }
            } else if !value.isNull {
                writer.writeLengthDelimited(1, try encode(schemaName, value, path: path, depth: depth + 1))
            }
        default:
            throw ProtobufError.invalidValue(path: path, reason: "no encoding is known for \(message.name)")
        }
    }
}
