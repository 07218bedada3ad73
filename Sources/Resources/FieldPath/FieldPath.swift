/// A path to a field inside an object, in the syntax OAM uses for `fieldPath`, `toFieldPaths`,
/// `workloadRefPath` and parameters.
///
/// Segments are separated by dots; a bracket holds an array index (unsigned 32-bit decimal
/// digits) or else a field name. Quotes around a bracketed name are dropped, and a quoted name may
/// contain `]`: it ends at the closing quote followed by `]`.
///
/// ```swift
/// try FieldPath(parsing: "spec.containers[0].image")
/// try FieldPath(parsing: "metadata.labels[app.oam.dev/name]")
/// try FieldPath(parsing: "metadata.annotations[\"a.b/c\"]")
/// ```
public struct FieldPath: Sendable, Hashable {
    /// One step of a path.
    public enum Segment: Sendable, Hashable {
        case field(String)
        case index(Int)
    }

    /// The steps of the path, outermost first.
    public var segments: [Segment]

    /// A path made of `segments`.
    public init(_ segments: [Segment]) {
        self.segments = segments
    }

    /// The empty path, which names the whole value.
    public static let root = FieldPath([])

    /// Parses `text`.
    ///
    /// - Throws: ``FieldPathSyntaxError`` naming the offending position.
    public init(parsing text: String) throws(FieldPathSyntaxError) {
        var parser = FieldPathParser(text)
        self.segments = try parser.parse()
    }

    /// This path followed by a field.
    public func appending(_ field: String) -> FieldPath {
        FieldPath(segments + [.field(field)])
    }

    /// This path followed by an array index.
    public func appending(index: Int) -> FieldPath {
        FieldPath(segments + [.index(index)])
    }

    /// This path followed by `other`.
    public func appending(_ other: FieldPath) -> FieldPath {
        FieldPath(segments + other.segments)
    }

    /// Whether the path names the whole value.
    public var isEmpty: Bool { segments.isEmpty }

    /// The path up to and including segment `count - 1`.
    public func prefix(_ count: Int) -> FieldPath {
        FieldPath(Array(segments.prefix(count)))
    }
}

extension FieldPath: CustomStringConvertible {
    /// The path in the syntax it is parsed from; `parse(description) == self`.
    public var description: String {
        var out = ""
        for segment in segments {
            switch segment {
            case .index(let index):
                out += "[\(index)]"
            case .field(let name):
                if Self.needsBrackets(name) {
                    out += Self.bracketed(name)
                } else {
                    if !out.isEmpty { out += "." }
                    out += name
                }
            }
        }
        return out
    }

    /// Plain identifiers print after a dot; anything else (dots, slashes, spaces…) in brackets,
    /// which reads better in messages (`metadata.labels[app.oam.dev/name]`).
    private static func needsBrackets(_ name: String) -> Bool {
        name.isEmpty || !name.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
                || scalar == "$"
        }
    }

    /// `[name]` when that parses back to the field, else the name quoted with a quote character
    /// that is not followed by `]` inside it. A name containing both `"]` and `']` cannot be
    /// written in this syntax; it is printed with double quotes and does not parse back.
    ///
    /// The tests are on bytes, as the parser reads: a `]` followed by a combining mark is one
    /// Character, which `String.contains` would not see as `]`.
    private static func bracketed(_ name: String) -> String {
        let bytes = Array(name.utf8)
        func has(_ sequence: String) -> Bool {
            let needle = Array(sequence.utf8)
            guard bytes.count >= needle.count else { return false }
            return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
        let quoted = name.isEmpty || has("]") || has("'") || has("\"") || FieldPathParser.arrayIndex(name) != nil
        if !quoted { return "[\(name)]" }
        if has("\"]"), !has("']") { return "['\(name)']" }
        return "[\"\(name)\"]"
    }
}

extension FieldPath: ExpressibleByStringLiteral {
    /// A path from a literal; the literal must be a valid path.
    public init(stringLiteral value: String) {
        do {
            try self.init(parsing: value)
        } catch {
            preconditionFailure("invalid field path literal \(value): \(error)")
        }
    }
}

/// A field path that cannot be parsed.
public struct FieldPathSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that was parsed.
    public var path: String
    /// The zero-based character offset where parsing failed.
    public var offset: Int
    /// What is wrong.
    public var reason: String

    public var description: String {
        "invalid field path \"\(path)\" at character \(offset + 1): \(reason)"
    }
}

/// Parses over UTF-8 bytes: every delimiter is ASCII, so byte positions never split a character.
private struct FieldPathParser {
    let text: String
    let bytes: [UInt8]
    var position = 0

    private static let dot = UInt8(ascii: "."), open = UInt8(ascii: "["), close = UInt8(ascii: "]")
    private static let doubleQuote = UInt8(ascii: "\""), singleQuote = UInt8(ascii: "'")

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    /// An error at a byte offset, reported as a character offset.
    func error(_ reason: String, at offset: Int? = nil) -> FieldPathSyntaxError {
        let byteOffset = min(offset ?? position, bytes.count)
        let characters = String(decoding: bytes[..<byteOffset], as: UTF8.self).count
        return FieldPathSyntaxError(path: text, offset: characters, reason: reason)
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    mutating func parse() throws(FieldPathSyntaxError) -> [FieldPath.Segment] {
        guard !bytes.isEmpty else { throw error("the path is empty") }
        var segments: [FieldPath.Segment] = []
        segments.reserveCapacity(4)
        var expectField = true
        while position < bytes.count {
            let c = bytes[position]
            if c == Self.open {
                segments.append(try parseBracket())
                expectField = false
            } else if c == Self.dot {
                if expectField { throw error("expected a field name before '.'") }
                position += 1
                expectField = true
                if position == bytes.count { throw error("the path ends with '.'", at: position - 1) }
            } else if c == Self.close {
                throw error("unexpected ']'")
            } else {
                if !expectField {
                    let character = String(decoding: bytes[position...], as: UTF8.self).first.map(String.init) ?? ""
                    throw error("expected '.' or '[' before '\(character)'")
                }
                let start = position
                while position < bytes.count, bytes[position] != Self.dot, bytes[position] != Self.open {
                    if bytes[position] == Self.close { throw error("unexpected ']'") }
                    position += 1
                }
                segments.append(.field(string(start..<position)))
                expectField = false
            }
        }
        if expectField, segments.isEmpty { throw error("the path is empty") }
        return segments
    }

    /// The index a bracket's text names: unsigned 32-bit decimal digits only (no sign), as
    /// crossplane-runtime's `strconv.ParseUint(s, 10, 32)`.
    static func arrayIndex(_ text: String) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let index = UInt32(text) else {
            return nil
        }
        return Int(index)
    }

    mutating func parseBracket() throws(FieldPathSyntaxError) -> FieldPath.Segment {
        let openAt = position
        position += 1
        // A quoted name ends at the closing quote followed by `]`, so it may contain `]`.
        if position < bytes.count, bytes[position] == Self.doubleQuote || bytes[position] == Self.singleQuote {
            let quote = bytes[position]
            var end = position + 1
            while end + 1 < bytes.count, !(bytes[end] == quote && bytes[end + 1] == Self.close) { end += 1 }
            if end + 1 < bytes.count {
                let name = string((position + 1)..<end)
                position = end + 2
                return .field(name)
            }
        }
        guard let closeAt = bytes[position...].firstIndex(of: Self.close) else {
            throw error("'[' is never closed", at: openAt)
        }
        let inner = position..<closeAt
        position = closeAt + 1
        if inner.isEmpty { throw error("empty brackets", at: openAt) }
        let first = bytes[inner.lowerBound]
        if inner.count >= 2, first == bytes[inner.upperBound - 1], first == Self.doubleQuote || first == Self.singleQuote {
            return .field(string((inner.lowerBound + 1)..<(inner.upperBound - 1)))
        }
        if bytes[inner].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let index = UInt32(string(inner))
        {
            return .index(Int(index))
        }
        return .field(string(inner))
    }
}
