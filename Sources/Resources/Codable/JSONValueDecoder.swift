import OrderedCollections

/// Decodes `Decodable` types from a ``JSONValue``, so typed structs can be views of stored objects.
///
/// Numbers decode to any integer type they fit (a double without a fractional part counts as an
/// integer), strings never decode as numbers, `Bool` comes only from `true` and `false`, and a
/// ``JSONValue`` field takes the value as it is, without copying through Codable.
///
/// ```swift
/// struct Component: Decodable { var name: String; var properties: JSONValue? }
/// let component = try JSONValueDecoder().decode(Component.self, from: ["name": "web"])
/// ```
public struct JSONValueDecoder: Sendable {
    public init() {}

    /// Decodes a `T` from `value`.
    ///
    /// - Throws: ``JSONValueDecodingError`` naming the field that does not fit, also for errors
    ///   thrown by the type's own `init(from:)`.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(JSONValueDecodingError) -> T {
        if T.self == JSONValue.self, let value = value as? T { return value }
        return try JSONValueDecoderImpl(value: value, parent: nil, key: nil).unbox(T.self)
    }
}

/// The `Decoder` for one value; it is its own single-value container.
///
/// The coding path is a chain of parents, built into an array only when asked for (errors,
/// user code), so decoding a deep tree does not copy paths.
final class JSONValueDecoderImpl: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    private let parent: JSONValueDecoderImpl?
    private let key: (any CodingKey)?

    init(value: JSONValue, parent: JSONValueDecoderImpl?, key: (any CodingKey)?) {
        self.value = value
        self.parent = parent
        self.key = key
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var codingPath: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node: JSONValueDecoderImpl? = self
        while let current = node, let key = current.key {
            keys.append(key)
            node = current.parent
        }
        return keys.reversed()
    }

    func path(appending key: (any CodingKey)? = nil) -> FieldPath {
        FieldPath(codingPath: key.map { codingPath + [$0] } ?? codingPath)
    }

    func child(_ value: JSONValue, key: any CodingKey) -> JSONValueDecoderImpl {
        JSONValueDecoderImpl(value: value, parent: self, key: key)
    }

    /// Decodes a `T` from this decoder's value, turning errors thrown by `T`'s own code into
    /// ``JSONValueDecodingError``s at this position.
    func unbox<T: Decodable>(_: T.Type) throws(JSONValueDecodingError) -> T {
        if T.self == JSONValue.self, let value = value as? T { return value }
        do {
            return try T(from: self)
        } catch let error as JSONValueDecodingError {
            throw error
        } catch let error as DecodingError {
            throw improved(error, decoding: T.self)
        } catch {
            throw JSONValueDecodingError(path: path(), message: "\(error)")
        }
    }

    /// A clearer message than the standard library's for an invalid raw value of an enum.
    private func improved<T>(_ error: DecodingError, decoding type: T.Type) -> JSONValueDecodingError {
        guard case .dataCorrupted(let context) = error, context.codingPath.count == codingPath.count,
            let rawType = type as? any RawRepresentable.Type
        else { return JSONValueDecodingError(error) }
        if let cases = type as? any (CaseIterable & RawRepresentable).Type {
            let allowed = rawValues(of: cases).joined(separator: ", ")
            return JSONValueDecodingError(path: path(), message: "expected one of \(allowed), found \(value.briefText)")
        }
        return JSONValueDecodingError(path: path(), message: "\(value.briefText) is not a valid \(rawType)")
    }

    private func rawValues<C: CaseIterable & RawRepresentable>(of _: C.Type) -> [String] {
        C.allCases.map { element in
            let raw = element.rawValue
            if let string = raw as? String { return JSONValue.string(string).briefText }
            return "\(raw)"
        }
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch(expected: "an object") }
        return KeyedDecodingContainer(JSONKeyedDecodingContainer<Key>(decoder: self, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch(expected: "an array") }
        return JSONUnkeyedDecodingContainer(decoder: self, elements: elements)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { value.isNull }
    func decode(_: Bool.Type) throws -> Bool { try JSONUnboxing.bool(value, at: self) }
    func decode(_: String.Type) throws -> String { try JSONUnboxing.string(value, at: self) }
    func decode(_: Double.Type) throws -> Double { try JSONUnboxing.double(value, at: self) }
    func decode(_: Float.Type) throws -> Float { try JSONUnboxing.float(value, at: self) }
    func decode(_: Int.Type) throws -> Int { try JSONUnboxing.integer(value, at: self) }
    func decode(_: Int8.Type) throws -> Int8 { try JSONUnboxing.integer(value, at: self) }
    func decode(_: Int16.Type) throws -> Int16 { try JSONUnboxing.integer(value, at: self) }
    func decode(_: Int32.Type) throws -> Int32 { try JSONUnboxing.integer(value, at: self) }
    func decode(_: Int64.Type) throws -> Int64 { try JSONUnboxing.integer(value, at: self) }
    func decode(_: UInt.Type) throws -> UInt { try JSONUnboxing.integer(value, at: self) }
    func decode(_: UInt8.Type) throws -> UInt8 { try JSONUnboxing.integer(value, at: self) }
    func decode(_: UInt16.Type) throws -> UInt16 { try JSONUnboxing.integer(value, at: self) }
    func decode(_: UInt32.Type) throws -> UInt32 { try JSONUnboxing.integer(value, at: self) }
    func decode(_: UInt64.Type) throws -> UInt64 { try JSONUnboxing.integer(value, at: self) }
    func decode<T: Decodable>(_: T.Type) throws -> T { try unbox(T.self) }

    private func mismatch(expected: String) -> JSONValueDecodingError {
        JSONUnboxing.mismatch(expected: expected, found: value, at: path())
    }
}

/// Conversions from ``JSONValue`` to Swift primitives, with the messages users see.
enum JSONUnboxing {
    static func bool(_ value: JSONValue, at decoder: JSONValueDecoderImpl, key: (any CodingKey)? = nil) throws(
        JSONValueDecodingError
    ) -> Bool {
        guard case .bool(let b) = value else {
            throw mismatch(expected: "a boolean", found: value, at: decoder.path(appending: key))
        }
        return b
    }

    static func string(_ value: JSONValue, at decoder: JSONValueDecoderImpl, key: (any CodingKey)? = nil) throws(
        JSONValueDecodingError
    ) -> String {
        guard case .string(let s) = value else {
            throw mismatch(expected: "a string", found: value, at: decoder.path(appending: key))
        }
        return s
    }

    static func double(_ value: JSONValue, at decoder: JSONValueDecoderImpl, key: (any CodingKey)? = nil) throws(
        JSONValueDecodingError
    ) -> Double {
        switch value {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: throw mismatch(expected: "a number", found: value, at: decoder.path(appending: key))
        }
    }

    static func float(_ value: JSONValue, at decoder: JSONValueDecoderImpl, key: (any CodingKey)? = nil) throws(
        JSONValueDecodingError
    ) -> Float {
        let d = try double(value, at: decoder, key: key)
        let f = Float(d)
        guard f.isFinite || !d.isFinite else {
            throw JSONValueDecodingError(
                path: decoder.path(appending: key),
                message: "expected a number between \(-Float.greatestFiniteMagnitude) and "
                    + "\(Float.greatestFiniteMagnitude), found \(value.briefText)")
        }
        return f
    }

    static func integer<T: FixedWidthInteger>(
        _ value: JSONValue, at decoder: JSONValueDecoderImpl, key: (any CodingKey)? = nil
    ) throws(JSONValueDecodingError) -> T {
        switch value {
        case .int(let i):
            if let result = T(exactly: i) { return result }
        case .double(let d):
            guard d.isFinite, d.rounded(.towardZero) == d else {
                throw JSONValueDecodingError(
                    path: decoder.path(appending: key), message: "expected an integer, found \(value.briefText)")
            }
            if let result = T(exactly: d) { return result }
        default:
            throw mismatch(expected: "an integer", found: value, at: decoder.path(appending: key))
        }
        throw JSONValueDecodingError(
            path: decoder.path(appending: key),
            message: "expected an integer between \(T.min) and \(T.max), found \(value.briefText)")
    }

    static func mismatch(expected: String, found value: JSONValue, at path: FieldPath) -> JSONValueDecodingError {
        JSONValueDecodingError(path: path, message: "expected \(expected), found \(value.typeNameWithArticle)")
    }
}

struct JSONKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONValueDecoderImpl
    let members: JSONObject

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func value(_ key: Key) throws(JSONValueDecodingError) -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw JSONValueDecodingError(path: decoder.path(appending: key), message: "required field is missing")
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
    func decode(_: Bool.Type, forKey key: Key) throws -> Bool {
        try JSONUnboxing.bool(value(key), at: decoder, key: key)
    }
    func decode(_: String.Type, forKey key: Key) throws -> String {
        try JSONUnboxing.string(value(key), at: decoder, key: key)
    }
    func decode(_: Double.Type, forKey key: Key) throws -> Double {
        try JSONUnboxing.double(value(key), at: decoder, key: key)
    }
    func decode(_: Float.Type, forKey key: Key) throws -> Float {
        try JSONUnboxing.float(value(key), at: decoder, key: key)
    }
    func decode(_: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    private func integer<T: FixedWidthInteger>(_ key: Key) throws(JSONValueDecodingError) -> T {
        try JSONUnboxing.integer(value(key), at: decoder, key: key)
    }

    func decode<T: Decodable>(_: T.Type, forKey key: Key) throws -> T {
        let value = try value(key)
        if T.self == JSONValue.self, let value = value as? T { return value }
        return try decoder.child(value, key: key).unbox(T.self)
    }

    func decodeIfPresent<T: Decodable>(_: T.Type, forKey key: Key) throws -> T? {
        guard let value = members[key.stringValue], !value.isNull else { return nil }
        if T.self == JSONValue.self, let value = value as? T { return value }
        return try decoder.child(value, key: key).unbox(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(value(key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(value(key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = JSONMemberKey("super")
        return decoder.child(members[key.stringValue] ?? .null, key: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(members[key.stringValue] ?? .null, key: key)
    }
}

struct JSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: JSONValueDecoderImpl
    let elements: [JSONValue]
    private(set) var currentIndex = 0

    init(decoder: JSONValueDecoderImpl, elements: [JSONValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The next element and its key; the index moves on only when decoding it succeeds.
    private func next() throws(JSONValueDecodingError) -> (JSONValue, JSONIndexKey) {
        let key = JSONIndexKey(currentIndex)
        guard !isAtEnd else {
            throw JSONValueDecodingError(
                path: decoder.path(appending: key),
                message: "expected another element, the array has only \(elements.count)")
        }
        return (elements[currentIndex], key)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_: Bool.Type) throws -> Bool {
        let (value, key) = try next()
        let result = try JSONUnboxing.bool(value, at: decoder, key: key)
        currentIndex += 1
        return result
    }

    mutating func decode(_: String.Type) throws -> String {
        let (value, key) = try next()
        let result = try JSONUnboxing.string(value, at: decoder, key: key)
        currentIndex += 1
        return result
    }

    mutating func decode(_: Double.Type) throws -> Double {
        let (value, key) = try next()
        let result = try JSONUnboxing.double(value, at: decoder, key: key)
        currentIndex += 1
        return result
    }

    mutating func decode(_: Float.Type) throws -> Float {
        let (value, key) = try next()
        let result = try JSONUnboxing.float(value, at: decoder, key: key)
        currentIndex += 1
        return result
    }

    mutating func decode(_: Int.Type) throws -> Int { try integer() }
    mutating func decode(_: Int8.Type) throws -> Int8 { try integer() }
    mutating func decode(_: Int16.Type) throws -> Int16 { try integer() }
    mutating func decode(_: Int32.Type) throws -> Int32 { try integer() }
    mutating func decode(_: Int64.Type) throws -> Int64 { try integer() }
    mutating func decode(_: UInt.Type) throws -> UInt { try integer() }
    mutating func decode(_: UInt8.Type) throws -> UInt8 { try integer() }
    mutating func decode(_: UInt16.Type) throws -> UInt16 { try integer() }
    mutating func decode(_: UInt32.Type) throws -> UInt32 { try integer() }
    mutating func decode(_: UInt64.Type) throws -> UInt64 { try integer() }

    private mutating func integer<T: FixedWidthInteger>() throws(JSONValueDecodingError) -> T {
        let (value, key) = try next()
        let result: T = try JSONUnboxing.integer(value, at: decoder, key: key)
        currentIndex += 1
        return result
    }

    mutating func decode<T: Decodable>(_: T.Type) throws -> T {
        let (value, key) = try next()
        let result: T
        if T.self == JSONValue.self, let value = value as? T {
            result = value
        } else {
            result = try decoder.child(value, key: key).unbox(T.self)
        }
        currentIndex += 1
        return result
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, key) = try next()
        let container = try decoder.child(value, key: key).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, key) = try next()
        let container = try decoder.child(value, key: key).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, key) = try next()
        currentIndex += 1
        return decoder.child(value, key: key)
    }
}

extension JSONValue {
    /// The type name with an article, for messages: "a string", "an integer", "null".
    var typeNameWithArticle: String {
        switch self {
        case .null: "null"
        case .int, .array, .object: "an \(typeName)"
        default: "a \(typeName)"
        }
    }

    /// The value as compact JSON, cut short when long, for messages.
    var briefText: String {
        let text = jsonString()
        return text.count > 60 ? text.prefix(57) + "..." : text
    }
}
