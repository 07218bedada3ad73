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
    private static func bracketed(_ name: String) -> String {
        let quoted = name.isEmpty || name.contains("]") || name.contains("'") || name.contains("\"")
            || FieldPathParser.arrayIndex(name) != nil
        if !quoted { return "[\(name)]" }
        if name.contains("\"]"), !name.contains("']") { return "['\(name)']" }
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

private struct FieldPathParser {
    let text: String
    let chars: [Character]
    var position = 0

    init(_ text: String) {
        self.text = text
        self.chars = Array(text)
    }

    func error(_ reason: String, at offset: Int? = nil) -> FieldPathSyntaxError {
        FieldPathSyntaxError(path: text, offset: offset ?? position, reason: reason)
    }

    mutating func parse() throws(FieldPathSyntaxError) -> [FieldPath.Segment] {
        guard !chars.isEmpty else { throw error("the path is empty") }
        var segments: [FieldPath.Segment] = []
        var expectField = true
        while position < chars.count {
            let c = chars[position]
            if c == "[" {
                segments.append(try parseBracket())
                expectField = false
            } else if c == "." {
                if expectField { throw error("expected a field name before '.'") }
                position += 1
                expectField = true
                if position == chars.count { throw error("the path ends with '.'", at: position - 1) }
            } else if c == "]" {
                throw error("unexpected ']'")
            } else {
                if !expectField { throw error("expected '.' or '[' before '\(c)'") }
                let start = position
                while position < chars.count, chars[position] != ".", chars[position] != "[" {
                    if chars[position] == "]" { throw error("unexpected ']'") }
                    position += 1
                }
                segments.append(.field(String(chars[start..<position])))
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
        let open = position
        position += 1
        // A quoted name ends at the closing quote followed by `]`, so it may contain `]`.
        if position < chars.count, chars[position] == "\"" || chars[position] == "'" {
            let quote = chars[position]
            var end = position + 1
            while end + 1 < chars.count, !(chars[end] == quote && chars[end + 1] == "]") { end += 1 }
            if end + 1 < chars.count {
                let name = String(chars[(position + 1)..<end])
                position = end + 2
                return .field(name)
            }
        }
        guard let close = chars[position...].firstIndex(of: "]") else {
            throw error("'[' is never closed", at: open)
        }
        var inner = String(chars[position..<close])
        position = close + 1
        if inner.isEmpty { throw error("empty brackets", at: open) }
        if inner.count >= 2, let first = inner.first, let last = inner.last,
            first == last, first == "\"" || first == "'"
        {
            inner = String(inner.dropFirst().dropLast())
            return .field(inner)
        }
        if let index = Self.arrayIndex(inner) { return .index(index) }
        return .field(inner)
    }
}
