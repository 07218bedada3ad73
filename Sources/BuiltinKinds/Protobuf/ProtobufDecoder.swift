import Foundation
import OrderedCollections
import Resources

/// Reads protobuf messages of the built-in kinds into the `JSONValue` kube-apiserver's JSON
/// encoding would give for the same Go object: JSON names in the Go struct's field order,
/// `omitempty` and `omitzero` as Go applies them, inline structs flattened, map keys sorted, and
/// the special types (Time, Quantity, IntOrString, RawExtension, …) in their JSON forms.
struct ProtobufDecoder {
    let schema: ProtobufSchema

    /// The JSON of message `name` held in `range` of `bytes`.
    func decode(_ name: String, _ bytes: [UInt8], _ range: Range<Int>, path: String, depth: Int) throws -> JSONValue {
        guard depth <= ProtobufCodec.maxDepth else { throw ProtobufError.tooDeep(path: path) }
        guard let message = schema.messages[name] else {
            throw ProtobufError.invalidValue(path: path, reason: "no protobuf message \(name) is known")
        }
        if message.isSpecial { return try decodeSpecial(message, bytes, range, path: path, depth: depth) }

        // Each field's values, in the order they were read.
        var values = [[JSONValue]](repeating: [], count: message.fields.count)
        var mapEntries = [[(String, JSONValue)]](repeating: [], count: message.fields.count)
        var reader = ProtobufReader(bytes, range: range, path: path)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readKey()
            guard let index = message.indexByNumber[number] else {
                try reader.skip(wireType)
                continue
            }
            let field = message.fields[index]
            let fieldPath = Self.join(path, field)
            switch field.type {
            case .map(let keyType, let valueType):
                guard wireType == .lengthDelimited else {
                    throw ProtobufError.wrongWireType(path: fieldPath, wireType: wireType.rawValue)
                }
                let entry = try reader.readLengthDelimited()
                mapEntries[index].append(
                    try decodeMapEntry(keyType, valueType, bytes, entry, path: fieldPath, depth: depth + 1))
            case .message(let messageName):
                guard wireType == .lengthDelimited else {
                    throw ProtobufError.wrongWireType(path: fieldPath, wireType: wireType.rawValue)
                }
                let contents = try reader.readLengthDelimited()
                values[index].append(try decode(messageName, bytes, contents, path: fieldPath, depth: depth + 1))
            default:
                if wireType == .lengthDelimited, field.isRepeated, field.type != .string, field.type != .bytes {
                    // A packed repeated scalar.
                    let contents = try reader.readLengthDelimited()
                    var packed = ProtobufReader(bytes, range: contents, path: fieldPath)
                    let elementWireType: ProtobufWireType = field.type == .double ? .fixed64 : .varint
                    while !packed.isAtEnd {
                        values[index].append(try Self.scalar(field.type, elementWireType, &packed, path: fieldPath))
                    }
                } else {
                    var scalarReader = ProtobufReader(bytes, range: reader.position..<reader.end, path: fieldPath)
                    values[index].append(try Self.scalar(field.type, wireType, &scalarReader, path: fieldPath))
                    try reader.skip(wireType)
                }
            }
        }

        if message.isWrapper {
            let items = values.first ?? []
            return items.isEmpty ? .null : .array(items)
        }
        var object = JSONObject()
        for (index, field) in message.fields.enumerated() {
            let read = values[index]
            if field.isInline {
                let inner = try read.last ?? zero(field, bytes, path: path, depth: depth)
                if case .object(let members) = inner {
                    for (key, value) in members { object[key] = value }
                }
                continue
            }
            if case .map = field.type {
                let entries = mapEntries[index]
                if entries.isEmpty {
                    if !field.omitEmpty && !field.isPointer { object[field.jsonName] = .null }
                    continue
                }
                var members = JSONObject()
                for (key, value) in entries { members[key] = value }
                members.sort { $0.key < $1.key }
                object[field.jsonName] = .object(members)
                continue
            }
            if field.isRepeated {
                if read.isEmpty {
                    // A list's items are [] in kube-apiserver's JSON even when there are none.
                    if message.isKind && field.jsonName == "items" {
                        object[field.jsonName] = .array([])
                    } else if !field.omitEmpty {
                        object[field.jsonName] = .null
                    }
                } else {
                    object[field.jsonName] = .array(read)
                }
                continue
            }
            if field.isPointer {
                if let value = read.last {
                    object[field.jsonName] = value
                } else if !field.omitEmpty {
                    object[field.jsonName] = .null
                }
                continue
            }
            let value = try read.last ?? zero(field, bytes, path: path, depth: depth)
            if field.omitZero, read.isEmpty || value == .null { continue }
            if field.omitEmpty, isEmpty(value, field) { continue }
            object[field.jsonName] = value
        }
        return .object(object)
    }

    /// The JSON of a field that is not on the wire (not a pointer, not repeated).
    private func zero(_ field: ProtobufSchema.Field, _ bytes: [UInt8], path: String, depth: Int) throws -> JSONValue {
        switch field.type {
        case .string: return ""
        case .bool: return false
        case .int32, .int64, .uint32, .uint64: return 0
        case .double: return .double(0)
        case .bytes: return .null
        case .map: return .null
        case .message(let name): return try decode(name, bytes, 0..<0, path: Self.join(path, field), depth: depth + 1)
        }
    }

    /// Whether Go's `omitempty` leaves this value out: false, 0, "", and empty slices and maps
    /// (never structs).
    private func isEmpty(_ value: JSONValue, _ field: ProtobufSchema.Field) -> Bool {
        if case .message(let name) = field.type {
            // Named slices (wrappers) are slices in Go; structs are never empty.
            guard schema.messages[name]?.isWrapper == true else { return false }
        }
        switch value {
        case .null: return true
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .double(let d): return d == 0
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        }
    }

    private func decodeMapEntry(
        _ keyType: ProtobufSchema.FieldType, _ valueType: ProtobufSchema.FieldType, _ bytes: [UInt8],
        _ range: Range<Int>, path: String, depth: Int
    ) throws -> (String, JSONValue) {
        var key: JSONValue = ""
        var value: JSONValue?
        var reader = ProtobufReader(bytes, range: range, path: path)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readKey()
            switch number {
            case 1:
                key = try Self.scalar(keyType, wireType, &reader, path: path)
            case 2:
                if case .message(let name) = valueType {
                    guard wireType == .lengthDelimited else {
                        throw ProtobufError.wrongWireType(path: path, wireType: wireType.rawValue)
                    }
                    let contents = try reader.readLengthDelimited()
                    value = try decode(name, bytes, contents, path: path, depth: depth + 1)
                } else {
                    value = try Self.scalar(valueType, wireType, &reader, path: path)
                }
            default:
                try reader.skip(wireType)
            }
        }
        let keyText: String
        switch key {
        case .string(let s): keyText = s
        case .int(let i): keyText = String(i)
        case .bool(let b): keyText = String(b)
        default: keyText = ""
        }
        if value == nil {
            if case .message(let name) = valueType {
                value = try decode(name, bytes, 0..<0, path: path, depth: depth + 1)
            } else {
                value = valueType == .bytes ? .null : try Self.scalar(valueType, nil, &reader, path: path)
            }
        }
        return (keyText, value ?? .null)
    }

    /// Reads one scalar of `type` with the wire type it came with; with no wire type, the zero value.
    static func scalar(
        _ type: ProtobufSchema.FieldType, _ wireType: ProtobufWireType?, _ reader: inout ProtobufReader, path: String
    ) throws -> JSONValue {
        func expect(_ expected: ProtobufWireType) throws {
            guard let wireType, wireType == expected else {
                throw ProtobufError.wrongWireType(path: path, wireType: wireType?.rawValue ?? -1)
            }
        }
        if wireType == nil {
            switch type {
            case .string: return ""
            case .bool: return false
            case .double: return .double(0)
            case .bytes: return .null
            default: return 0
            }
        }
        switch type {
        case .string:
            try expect(.lengthDelimited)
            let range = try reader.readLengthDelimited()
            return .string(String(decoding: reader.bytes[range], as: UTF8.self))
        case .bytes:
            try expect(.lengthDelimited)
            let range = try reader.readLengthDelimited()
            return .string(Data(reader.bytes[range]).base64EncodedString())
        case .bool:
            try expect(.varint)
            return .bool(try reader.readVarint() != 0)
        case .int32:
            try expect(.varint)
            return .int(Int64(Int32(truncatingIfNeeded: try reader.readVarint())))
        case .int64:
            try expect(.varint)
            return .int(Int64(bitPattern: try reader.readVarint()))
        case .uint32:
            try expect(.varint)
            return .int(Int64(UInt32(truncatingIfNeeded: try reader.readVarint())))
        case .uint64:
            try expect(.varint)
            return .int(Int64(bitPattern: try reader.readVarint()))
        case .double:
            if wireType == .fixed32 { return .double(Double(Float(bitPattern: try reader.readFixed32()))) }
            try expect(.fixed64)
            return .double(Double(bitPattern: try reader.readFixed64()))
        case .message, .map:
            throw ProtobufError.wrongWireType(path: path, wireType: wireType?.rawValue ?? -1)
        }
    }

    // MARK: Special types

    /// The raw fields of a special message: number → values in order.
    private func rawFields(_ message: ProtobufSchema.Message, _ bytes: [UInt8], _ range: Range<Int>, path: String)
        throws -> [Int: [JSONValue]]
    {
        var fields: [Int: [JSONValue]] = [:]
        var reader = ProtobufReader(bytes, range: range, path: path)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readKey()
            guard let index = message.indexByNumber[number] else {
                try reader.skip(wireType)
                continue
            }
            let type = message.fields[index].type
            if case .message = type {
                // Nested schemas (JSONSchemaPropsOr…) are read by their callers.
                guard wireType == .lengthDelimited else {
                    throw ProtobufError.wrongWireType(path: path, wireType: wireType.rawValue)
                }
                let contents = try reader.readLengthDelimited()
                fields[number, default: []].append(.array([.int(Int64(contents.lowerBound)), .int(Int64(contents.upperBound))]))
                continue
            }
            var scalarReader = ProtobufReader(bytes, range: reader.position..<reader.end, path: path)
            let value: JSONValue
            if type == .bytes {
                // Keep raw bytes as a range too: they are embedded JSON or protobuf, not base64.
                guard wireType == .lengthDelimited else {
                    throw ProtobufError.wrongWireType(path: path, wireType: wireType.rawValue)
                }
                let contents = try scalarReader.readLengthDelimited()
                value = .array([.int(Int64(contents.lowerBound)), .int(Int64(contents.upperBound))])
            } else {
                value = try Self.scalar(type, wireType, &scalarReader, path: path)
            }
            fields[number, default: []].append(value)
            try reader.skip(wireType)
        }
        return fields
    }

    private static func range(_ value: JSONValue?) -> Range<Int>? {
        guard let bounds = value?.arrayValue, bounds.count == 2, let lower = bounds[0].intValue, let upper = bounds[1].intValue
        else { return nil }
        return Int(lower)..<Int(upper)
    }

    private func decodeSpecial(
        _ message: ProtobufSchema.Message, _ bytes: [UInt8], _ range: Range<Int>, path: String, depth: Int
    ) throws -> JSONValue {
        let fields = try rawFields(message, bytes, range, path: path)
        let last = { (number: Int) in fields[number]?.last }
        let schemaName = "apiextensions/v1.JSONSchemaProps"
        switch message.name {
        case "meta/v1.Time", "meta/v1.MicroTime":
            if range.isEmpty { return .null }
            let seconds = last(1)?.intValue ?? 0
            guard (-62_135_596_800...253_402_300_799).contains(seconds) else {
                throw ProtobufError.invalidValue(path: path, reason: "timestamp \(seconds) is out of range")
            }
            let micro = message.name == "meta/v1.MicroTime"
            return .string(ProtobufTimeFormats.rfc3339(
                seconds: seconds, nanos: Int32(truncatingIfNeeded: last(2)?.intValue ?? 0), microseconds: micro))
        case "meta/v1.Duration":
            return .string(ProtobufTimeFormats.goDuration(last(1)?.intValue ?? 0))
        case "api/resource.Quantity":
            let text = last(1)?.stringValue ?? ""
            return .string(text.isEmpty ? "0" : text)
        case "util/intstr.IntOrString":
            if last(1)?.intValue == 1 { return .string(last(3)?.stringValue ?? "") }
            return .int(last(2)?.intValue ?? 0)
        case "meta/v1.FieldsV1", "pkg/runtime.RawExtension", "apiextensions/v1.JSON":
            guard let raw = Self.range(last(1)), !raw.isEmpty else { return .null }
            return try embedded(bytes, raw, path: path, depth: depth)
        case "apiextensions/v1.JSONSchemaPropsOrArray":
            let schemas = try (fields[2] ?? []).compactMap(Self.range).map {
                try decode(schemaName, bytes, $0, path: path, depth: depth + 1)
            }
            if !schemas.isEmpty { return .array(schemas) }
            if let schema = Self.range(last(1)) { return try decode(schemaName, bytes, schema, path: path, depth: depth + 1) }
            return .null
        case "apiextensions/v1.JSONSchemaPropsOrBool":
            if let schema = Self.range(last(2)) { return try decode(schemaName, bytes, schema, path: path, depth: depth + 1) }
            return .bool(last(1)?.boolValue ?? false)
        case "apiextensions/v1.JSONSchemaPropsOrStringArray":
            if let property = fields[2], !property.isEmpty { return .array(property) }
            if let schema = Self.range(last(1)) { return try decode(schemaName, bytes, schema, path: path, depth: depth + 1) }
            return .null
        default:
            throw ProtobufError.invalidValue(path: path, reason: "no decoding is known for \(message.name)")
        }
    }

    /// Embedded raw bytes: JSON (RawExtension, FieldsV1, apiextensions JSON) or a nested
    /// protobuf object.
    private func embedded(_ bytes: [UInt8], _ range: Range<Int>, path: String, depth: Int) throws -> JSONValue {
        let raw = Array(bytes[range])
        if raw.starts(with: ProtobufCodec.magic) {
            return try ProtobufCodec.decode(raw, depth: depth + 1)
        }
        do {
            return try JSONValue(parsingJSON: raw)
        } catch {
            throw ProtobufError.invalidValue(path: path, reason: "the embedded object is not JSON: \(error)")
        }
    }

    static func join(_ path: String, _ field: ProtobufSchema.Field) -> String {
        if field.isInline { return path }
        return path.isEmpty ? field.jsonName : path + "." + field.jsonName
    }
}
