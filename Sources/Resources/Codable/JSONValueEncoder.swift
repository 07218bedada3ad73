import OrderedCollections

/// Encodes `Encodable` types into a ``JSONValue``.
///
/// Object members keep the order in which they were encoded — declaration order for synthesized
/// conformances — so printed objects read like the type. A ``JSONValue`` property is taken as it
/// is. `nil` optionals are left out, as synthesized `encodeIfPresent` does.
///
/// ```swift
/// struct Trait: Encodable { var type: String; var properties: JSONValue }
/// try JSONValueEncoder().encode(Trait(type: "scaler", properties: ["replicas": 2]))
/// // {"type":"scaler","properties":{"replicas":2}}
/// ```
public struct JSONValueEncoder: Sendable {
    public init() {}

    /// The value as JSON.
    ///
    /// - Throws: `EncodingError.invalidValue` for numbers JSON cannot hold here: NaN and
    ///   infinities, and unsigned integers above `Int64.max`; or what the type's own
    ///   `encode(to:)` throws.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if T.self == JSONValue.self, let value = value as? JSONValue { return value }
        return try JSONValueEncoderImpl.box(value, codingPath: []).resolved
    }
}

/// A value being built. Objects and arrays are references so that containers handed out to
/// `encode(to:)` code can keep adding to them after they were attached to their parent.
enum EncodedNode {
    case value(JSONValue)
    case object(EncodedObject)
    case array(EncodedArray)
    /// What a `superEncoder()` was given, read when the whole value is resolved.
    case encoder(JSONValueEncoderImpl)

    var resolved: JSONValue {
        switch self {
        case .value(let value):
            return value
        case .object(let object):
            var members = JSONObject(minimumCapacity: object.members.count)
            for (key, node) in object.members { members[key] = node.resolved }
            return .object(members)
        case .array(let array):
            return .array(array.elements.map(\.resolved))
        case .encoder(let encoder):
            return encoder.node?.resolved ?? .object([:])
        }
    }
}

final class EncodedObject {
    var members: OrderedDictionary<String, EncodedNode> = [:]
}

final class EncodedArray {
    var elements: [EncodedNode] = []
}

/// The `Encoder` for one value; it is its own single-value container.
final class JSONValueEncoderImpl: Encoder, SingleValueEncodingContainer {
    let codingPath: [any CodingKey]
    var node: EncodedNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// `value` as a node, encoding it with a fresh encoder unless it is a ``JSONValue``.
    static func box<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> EncodedNode {
        if T.self == JSONValue.self, let value = value as? JSONValue { return .value(value) }
        let encoder = JSONValueEncoderImpl(codingPath: codingPath)
        try value.encode(to: encoder)
        // A type that encodes nothing at all is an empty object, like an empty struct.
        return encoder.node ?? .object(EncodedObject())
    }

    static func integer<T: BinaryInteger>(_ value: T, codingPath: [any CodingKey]) throws -> JSONValue {
        guard let int = Int64(exactly: value) else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "\(value) is larger than \(Int64.max), the largest integer"))
        }
        return .int(int)
    }

    static func double(_ value: Double, codingPath: [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath, debugDescription: "\(value) is not a JSON number"))
        }
        return .double(value)
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: EncodedObject
        if case .object(let existing) = node {
            object = existing
        } else {
            object = EncodedObject()
            node = .object(object)
        }
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: EncodedArray
        if case .array(let existing) = node {
            array = existing
        } else {
            array = EncodedArray()
            node = .array(array)
        }
        return JSONUnkeyedEncodingContainer(array: array, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() { node = .value(.null) }
    func encode(_ value: Bool) { node = .value(.bool(value)) }
    func encode(_ value: String) { node = .value(.string(value)) }
    func encode(_ value: Double) throws { node = .value(try Self.double(value, codingPath: codingPath)) }
    func encode(_ value: Float) throws { node = .value(try Self.double(Double(value), codingPath: codingPath)) }
    func encode(_ value: Int) { node = .value(.int(Int64(value))) }
    func encode(_ value: Int8) { node = .value(.int(Int64(value))) }
    func encode(_ value: Int16) { node = .value(.int(Int64(value))) }
    func encode(_ value: Int32) { node = .value(.int(Int64(value))) }
    func encode(_ value: Int64) { node = .value(.int(value)) }
    func encode(_ value: UInt) throws { node = .value(try Self.integer(value, codingPath: codingPath)) }
    func encode(_ value: UInt8) { node = .value(.int(Int64(value))) }
    func encode(_ value: UInt16) { node = .value(.int(Int64(value))) }
    func encode(_ value: UInt32) { node = .value(.int(Int64(value))) }
    func encode(_ value: UInt64) throws { node = .value(try Self.integer(value, codingPath: codingPath)) }
    func encode<T: Encodable>(_ value: T) throws {
        if T.self == JSONValue.self, let value = value as? JSONValue {
            node = .value(value)
        } else {
            // The same position: let the value's code use this encoder directly.
            try value.encode(to: self)
        }
    }
}

struct JSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let object: EncodedObject
    let codingPath: [any CodingKey]

    private func set(_ value: JSONValue, _ key: Key) {
        object.members[key.stringValue] = .value(value)
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    mutating func encodeNil(forKey key: Key) { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        set(try JSONValueEncoderImpl.double(value, codingPath: path(key)), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        set(try JSONValueEncoderImpl.double(Double(value), codingPath: path(key)), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) { set(.int(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        set(try JSONValueEncoderImpl.integer(value, codingPath: path(key)), key)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        set(try JSONValueEncoderImpl.integer(value, codingPath: path(key)), key)
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        object.members[key.stringValue] = try JSONValueEncoderImpl.box(value, codingPath: path(key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedObject()
        object.members[key.stringValue] = .object(nested)
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(object: nested, codingPath: path(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncodedArray()
        object.members[key.stringValue] = .array(nested)
        return JSONUnkeyedEncodingContainer(array: nested, codingPath: path(key))
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(named: JSONMemberKey("super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(named: key)
    }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let encoder = JSONValueEncoderImpl(codingPath: codingPath + [key])
        object.members[key.stringValue] = .encoder(encoder)
        return encoder
    }
}

struct JSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let array: EncodedArray
    let codingPath: [any CodingKey]

    var count: Int { array.elements.count }

    private func append(_ value: JSONValue) { array.elements.append(.value(value)) }
    private var nextPath: [any CodingKey] { codingPath + [JSONIndexKey(count)] }

    mutating func encodeNil() { append(.null) }
    mutating func encode(_ value: Bool) { append(.bool(value)) }
    mutating func encode(_ value: String) { append(.string(value)) }
    mutating func encode(_ value: Double) throws {
        append(try JSONValueEncoderImpl.double(value, codingPath: nextPath))
    }
    mutating func encode(_ value: Float) throws {
        append(try JSONValueEncoderImpl.double(Double(value), codingPath: nextPath))
    }
    mutating func encode(_ value: Int) { append(.int(Int64(value))) }
    mutating func encode(_ value: Int8) { append(.int(Int64(value))) }
    mutating func encode(_ value: Int16) { append(.int(Int64(value))) }
    mutating func encode(_ value: Int32) { append(.int(Int64(value))) }
    mutating func encode(_ value: Int64) { append(.int(value)) }
    mutating func encode(_ value: UInt) throws {
        append(try JSONValueEncoderImpl.integer(value, codingPath: nextPath))
    }
    mutating func encode(_ value: UInt8) { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) { append(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws {
        append(try JSONValueEncoderImpl.integer(value, codingPath: nextPath))
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        array.elements.append(try JSONValueEncoderImpl.box(value, codingPath: nextPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedObject()
        let path = nextPath
        array.elements.append(.object(nested))
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(object: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncodedArray()
        let path = nextPath
        array.elements.append(.array(nested))
        return JSONUnkeyedEncodingContainer(array: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = JSONValueEncoderImpl(codingPath: nextPath)
        array.elements.append(.encoder(encoder))
        return encoder
    }
}
