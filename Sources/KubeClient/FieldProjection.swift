public import Resources
import OrderedCollections

/// The fields of an object a reader needs, so that a list of thousands of objects is decoded
/// only that far: the members it names are decoded (each by its own projection), the others are
/// skipped over as bytes, never turned into values.
///
/// Kubernetes has no way to ask a list for some fields only (a Table's columns are fixed by the
/// kind), and much of a listed object is what status readers never look at (managedFields, pod
/// templates); skipping it is most of the cost of reading 100,000 objects.
///
/// ```swift
/// // Name, generation and status, and spec.replicas; nothing else.
/// let health: FieldProjection = .object([
///     "apiVersion": .whole, "kind": .whole,
///     "metadata": .object(["name": .whole, "namespace": .whole, "generation": .whole]),
///     "spec": .object(["replicas": .whole]), "status": .whole,
/// ])
/// let deployments = try await client.listAll(deployment, projection: health)
/// ```
public indirect enum FieldProjection: Sendable, Equatable {
    /// The value as it is.
    case whole
    /// Nothing: the member is left out.
    case omitted
    /// The members of an object named here, as their projection says; the others whole when
    /// `others` is true, else left out. A value that is not an object is kept whole.
    case object([String: FieldProjection], others: Bool = false)
    /// Each element of an array, as the projection says (an element left out is `null`). A
    /// value that is not an array is kept whole.
    case each(FieldProjection)

    /// Everything but `metadata.managedFields`, which the server keeps for appliers and no
    /// reader of a list shows.
    public static let withoutManagedFields = FieldProjection.object(
        ["metadata": .object(["managedFields": .omitted], others: true)], others: true)

    /// `value` reduced to what the projection keeps (what a server would have sent, had it
    /// been able to send only that). Pure; used by tests and where a value is already decoded.
    public func applied(to value: JSONValue) -> JSONValue? {
        switch self {
        case .whole: return value
        case .omitted: return nil
        case .object(let members, let others):
            guard case .object(let object) = value else { return value }
            var kept = JSONObject()
            for (key, member) in object {
                let projection = members[key] ?? (others ? .whole : .omitted)
                if let projected = projection.applied(to: member) { kept[key] = projected }
            }
            return .object(kept)
        case .each(let element):
            guard case .array(let elements) = value else { return value }
            return .array(elements.map { element.applied(to: $0) ?? .null })
        }
    }
}

extension FieldProjection {
    /// Parses JSON `bytes` keeping what the projection keeps. Skipped values are checked only
    /// for their nesting and strings; kept values are parsed in full by ``JSONValue``'s parser.
    ///
    /// - Throws: ``JSONSyntaxError`` (its position counted in bytes of the whole text).
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        var reader = ProjectingReader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.value(self, depth: 0) ?? .null
        reader.skipWhitespace()
        guard reader.position == bytes.count else { throw reader.error("unexpected data after the JSON value") }
        return value
    }
}

/// A forward reader of JSON bytes that decodes what a ``FieldProjection`` keeps and skips the
/// rest.
private struct ProjectingReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    static let maxDepth = 512

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(line: 1, column: position + 1, message: message)
    }

    /// The value at `position`, as `projection` keeps it (`nil`: left out), and `position`
    /// past it.
    mutating func value(_ projection: FieldProjection, depth: Int) throws(JSONSyntaxError) -> JSONValue? {
        guard position < bytes.count else { throw error("expected a value, found end of input") }
        switch projection {
        case .omitted:
            try skipValue()
            return nil
        case .object(let members, let others) where bytes[position] == UInt8(ascii: "{"):
            return try object(members, others: others, depth: depth)
        case .each(let element) where bytes[position] == UInt8(ascii: "["):
            return try array(element, depth: depth)
        default:
            let start = position
            if bytes[position] == UInt8(ascii: "\"") {
                // Strings are most of what is kept: no second parser for those without escapes.
                try skipString()
                if let plain = plainString(start + 1, position - 1) { return .string(plain) }
            } else {
                try skipValue()
            }
            return try JSONValue(parsingJSON: UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        }
    }

    /// The text between `start` and `end` when it holds no escape.
    private func plainString(_ start: Int, _ end: Int) -> String? {
        var index = start
        while index < end {
            if bytes[index] == UInt8(ascii: "\\") { return nil }
            index += 1
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    private mutating func object(_ members: [String: FieldProjection], others: Bool, depth: Int)
        throws(JSONSyntaxError) -> JSONValue
    {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let keyStart = position
            try skipString()
            let key: String
            if let plain = plainString(keyStart + 1, position - 1) {
                key = plain
            } else {
                guard case .string(let decoded) = try JSONValue(
                    parsingJSON: UnsafeRawBufferPointer(rebasing: bytes[keyStart..<position]))
                else { throw error("expected a member name") }
                key = decoded
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
            position += 1
            skipWhitespace()
            let projection = members[key] ?? (others ? .whole : .omitted)
            if let value = try value(projection, depth: depth + 1) { object[key] = value }
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw error("expected ',' or '}' in an object") }
            position += 1
            return .object(object)
        }
    }

    private mutating func array(_ element: FieldProjection, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value(element, depth: depth + 1) ?? .null)
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw error("expected ',' or ']' in an array") }
            position += 1
            return .array(elements)
        }
    }

    /// Moves past a string (at its opening quote).
    private mutating func skipString() throws(JSONSyntaxError) {
        position += 1
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                position += 1
                return
            case UInt8(ascii: "\\"): position += 2
            default: position += 1
            }
        }
        throw error("unterminated string")
    }

    /// Moves past one value of any kind, keeping count of nesting only.
    private mutating func skipValue() throws(JSONSyntaxError) {
        var depth = 0
        repeat {
            guard position < bytes.count else { throw error("unterminated value") }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
                position += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                guard depth >= 0 else { throw error("unexpected '\(Character(Unicode.Scalar(bytes[position])))'") }
                position += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"), 0x20, 0x0A, 0x0D, 0x09:
                guard depth > 0 else { return }
                position += 1
            default:
                // A number or a literal: up to the next delimiter.
                position += 1
                while position < bytes.count {
                    switch bytes[position] {
                    case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ":"), 0x20, 0x0A, 0x0D, 0x09:
                        break
                    default:
                        position += 1
                        continue
                    }
                    break
                }
            }
        } while depth > 0
    }
}
