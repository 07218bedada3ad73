import OrderedCollections

extension JSONValue {
    /// The value as block-style YAML, the way kubectl prints objects: 2-space indent, members in
    /// stored order, sequences of mappings as `- key: value`, `{}` and `[]` for empty containers.
    /// Strings are double-quoted exactly when plain text would read back as something else;
    /// multi-line strings become literal blocks (`|`, `|-`) when that is safe.
    ///
    /// `DocumentDecoder.decode(v.yamlString(), file: nil)[0].value == v` for every value.
    ///
    /// ```swift
    /// let value: JSONValue = ["metadata": ["name": "web", "labels": ["on": "yes"]]]
    /// print(value.yamlString())
    /// // metadata:
    /// //   name: web
    /// //   labels:
    /// //     "on": "yes"
    /// ```
    public func yamlString() -> String {
        var writer = YAMLWriter()
        writer.writeDocument(self)
        return writer.output
    }
}

/// Writes several values as one YAML stream.
public enum YAMLStream {
    /// The values as YAML documents separated by `---` lines.
    public static func encode(_ values: [JSONValue]) -> String {
        var writer = YAMLWriter()
        for (index, value) in values.enumerated() {
            if index > 0 { writer.output += "---\n" }
            writer.writeDocument(value)
        }
        return writer.output
    }
}

/// The block-style YAML emitter behind ``JSONValue/yamlString()``.
struct YAMLWriter {
    var output = ""

    /// libyaml refuses implicit keys longer than 1024 characters; longer keys use `? key`.
    private static let maximumImplicitKeyLength = 1000

    mutating func writeDocument(_ value: JSONValue) {
        switch value {
        case .object(let members) where !members.isEmpty:
            writeMembers(members, indent: 0, firstLineWritten: false)
        case .array(let elements) where !elements.isEmpty:
            writeElements(elements, indent: 0, firstLineWritten: false)
        default:
            writeInline(value, indent: 0)
            output += "\n"
        }
    }

    private mutating func pad(_ count: Int) {
        output.append(contentsOf: repeatElement(" ", count: count))
    }

    /// The members of a non-empty object; the first member goes on the current line when
    /// `firstLineWritten` (after `- `).
    private mutating func writeMembers(_ members: JSONObject, indent: Int, firstLineWritten: Bool) {
        var first = true
        for (key, value) in members {
            if !(first && firstLineWritten) { pad(indent) }
            first = false
            let long = key.utf8.count > Self.maximumImplicitKeyLength
            if long {
                output += "? "
                writeString(key, indent: indent, allowBlock: false)
                output += "\n"
                pad(indent)
                output += ":"
            } else {
                writeString(key, indent: indent, allowBlock: false)
                output += ":"
            }
            switch value {
            case .object(let nested) where !nested.isEmpty:
                output += "\n"
                writeMembers(nested, indent: indent + 2, firstLineWritten: false)
            case .array(let elements) where !elements.isEmpty:
                output += "\n"
                // kubectl style: a sequence under a key is not indented further.
                writeElements(elements, indent: long ? indent + 2 : indent, firstLineWritten: false)
            default:
                output += " "
                writeInline(value, indent: indent)
                output += "\n"
            }
        }
    }

    private mutating func writeElements(_ elements: [JSONValue], indent: Int, firstLineWritten: Bool) {
        var first = true
        for element in elements {
            if !(first && firstLineWritten) { pad(indent) }
            first = false
            output += "- "
            switch element {
            case .object(let nested) where !nested.isEmpty:
                writeMembers(nested, indent: indent + 2, firstLineWritten: true)
            case .array(let nested) where !nested.isEmpty:
                writeElements(nested, indent: indent + 2, firstLineWritten: true)
            default:
                writeInline(element, indent: indent)
                output += "\n"
            }
        }
    }

    /// A scalar or an empty container, without the line break.
    private mutating func writeInline(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: output += "null"
        case .bool(let b): output += b ? "true" : "false"
        case .int(let i): output += String(i)
        case .double(let d): output += Self.format(d)
        case .string(let s): writeString(s, indent: indent, allowBlock: true)
        case .array: output += "[]"
        case .object: output += "{}"
        }
    }

    /// A double that reads back as the same double (and never as an integer).
    static func format(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        let text = d.description
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return text }
        return text + ".0"
    }

    // MARK: Strings

    private mutating func writeString(_ s: String, indent: Int, allowBlock: Bool) {
        switch Self.style(for: s, allowBlock: allowBlock) {
        case .plain:
            output += s
        case .doubleQuoted:
            writeDoubleQuoted(s)
        case .literal:
            writeLiteral(s, indent: indent)
        }
    }

    enum Style { case plain, doubleQuoted, literal }

    static func style(for s: String, allowBlock: Bool) -> Style {
        if needsNoQuotes(s) { return .plain }
        if allowBlock, isLiteralBlockSafe(s) { return .literal }
        return .doubleQuoted
    }

    /// Whether `s` reads back as the same string when written plain.
    static func needsNoQuotes(_ s: String) -> Bool {
        let scalars = s.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return false }
        if first == " " || first == "\t" || last == " " || last == "\t" || last == ":" { return false }
        switch first {
        case "-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`":
            return false
        default:
            break
        }
        // "..." at the start of a line ends a document.
        if s.hasPrefix("...") || s == "<<" { return false }
        var previous: Unicode.Scalar = " "
        for scalar in scalars {
            if !isPrintable(scalar) || isBreak(scalar) { return false }
            if scalar == "#", previous == " " || previous == "\t" { return false }
            if previous == ":", scalar == " " || scalar == "\t" { return false }
            previous = scalar
        }
        return ScalarResolver.resolvePlain(s) == .string(s)
    }

    /// Characters libyaml accepts unescaped, minus the line breaks and the byte order mark.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E: return true
        case 0xA0...0xD7FF, 0xE000...0xFFFD: return scalar.value != 0xFEFF
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// Line breaks for YAML 1.1 (libyaml): besides CR and LF, NEL, LINE and PARAGRAPH SEPARATOR.
    static func isBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": true
        default: false
        }
    }

    /// A literal block keeps every character when: there is a line break, no line starts the
    /// block with whitespace, no line is only whitespace, at most one final line break, and every
    /// character is printable with `\n` as the only line break.
    static func isLiteralBlockSafe(_ s: String) -> Bool {
        guard s.contains("\n"), !s.hasSuffix("\n\n") else { return false }
        guard let first = s.unicodeScalars.first, first != " ", first != "\t", first != "\n" else { return false }
        var lineHasContent = false
        var lineIsBlank = true
        for scalar in s.unicodeScalars {
            if scalar == "\n" {
                if lineHasContent && lineIsBlank { return false }
                lineHasContent = false
                lineIsBlank = true
                continue
            }
            guard isPrintable(scalar), !isBreak(scalar) else { return false }
            lineHasContent = true
            if scalar != " " && scalar != "\t" { lineIsBlank = false }
        }
        return !(lineHasContent && lineIsBlank)
    }

    private mutating func writeLiteral(_ s: String, indent: Int) {
        var body = Substring(s)
        if body.hasSuffix("\n") {
            output += "|\n"
            body = body.dropLast()
        } else {
            output += "|-\n"
        }
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.isEmpty {
                pad(indent + 2)
                output += line
            }
            output += "\n"
        }
        // The caller writes the final line break.
        output.removeLast()
    }

    private mutating func writeDoubleQuoted(_ s: String) {
        output += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            case "\0": output += "\\0"
            case "\u{7}": output += "\\a"
            case "\u{8}": output += "\\b"
            case "\u{B}": output += "\\v"
            case "\u{C}": output += "\\f"
            case "\u{1B}": output += "\\e"
            case "\u{85}": output += "\\N"
            case "\u{2028}": output += "\\L"
            case "\u{2029}": output += "\\P"
            default:
                if Self.isPrintable(scalar) {
                    output.unicodeScalars.append(scalar)
                } else if scalar.value <= 0xFF {
                    output += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value <= 0xFFFF {
                    output += "\\u" + hex(scalar.value, width: 4)
                } else {
                    output += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        output += "\""
    }

    private func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
