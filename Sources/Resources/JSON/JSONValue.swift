public import OrderedCollections

/// The members of a JSON object, in the order they were read or written.
public typealias JSONObject = OrderedDictionary<String, JSONValue>

/// A JSON value that keeps object key order and tells integers from floats.
///
/// This is the one representation of Kubernetes-style objects in Mizzen: the decoder, the
/// renderer, the store and the API server all pass `JSONValue`s around. Object members keep the
/// order they were read in so that printed output follows the input; equality ignores that order,
/// as Kubernetes does.
///
/// ```swift
/// let value: JSONValue = ["spec": ["replicas": 3]]
/// value["spec"]?["replicas"]?.intValue   // 3
/// ```
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// A short name of the value's type, as used in error messages ("string", "integer", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, if this is an integer or a float with no fractional part.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    /// The number as a `Double`, if this is a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The Boolean, if this is a Boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The member named `key` of an object; `nil` for a missing member or a non-object.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            guard case .object(var members) = self else { return }
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The element at `index` of an array; `nil` when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// An empty object.
    public static var emptyObject: JSONValue { .object([:]) }
}

// MARK: - Equality that ignores object member order

extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        // 1 and 1.0 are the same JSON number.
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], other == value else { return false }
            }
            return true
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(Double(i))
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a):
            hasher.combine(a.count)
            for element in a { hasher.combine(element) }
        case .object(let o):
            // Order-independent: combine the members' hashes commutatively.
            var sum = 0
            for (key, value) in o {
                var member = Hasher()
                member.combine(key)
                member.combine(value)
                sum = sum &+ member.finalize()
            }
            hasher.combine(o.count)
            hasher.combine(sum)
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension OrderedDictionary where Key == String, Value == JSONValue {
    /// Edits the object stored under `key` in place, creating it (at the end) when it is missing
    /// or not an object.
    public mutating func withObject<Result>(
        _ key: String, _ body: (inout OrderedDictionary<String, JSONValue>) throws -> Result
    ) rethrows -> Result {
        guard let index = index(forKey: key) else {
            var members: OrderedDictionary<String, JSONValue> = [:]
            defer { self[key] = .object(members) }
            return try body(&members)
        }
        // Move the stored members out so that they are uniquely referenced while they change.
        var stored = JSONValue.null
        swap(&stored, &values[index])
        var members: OrderedDictionary<String, JSONValue> = [:]
        if case .object(let existing) = stored { members = existing }
        stored = .null
        defer { values[index] = .object(members) }
        return try body(&members)
    }
}

extension Optional where Wrapped == JSONValue {
    /// The value unless it is missing or `null`.
    ///
    /// A closure `x.flatMap { $0.isNull ? nil : $0 }` does not do this: there `nil` reads as
    /// JSONValue's own `null` literal, so a `null` comes back as `.some(.null)`.
    public var presentValue: JSONValue? {
        switch self {
        case .none, .some(.null): return nil
        case .some(let value): return value
        }
    }
}
