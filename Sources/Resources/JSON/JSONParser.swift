import OrderedCollections

extension JSONValue {
    /// Parses JSON text (RFC 8259).
    ///
    /// Integers that fit `Int64` become ``JSONValue/int(_:)``; numbers with a fraction or an
    /// exponent, and integers too big for `Int64`, become ``JSONValue/double(_:)``. Numbers beyond
    /// the range of `Double` (`1e400`), duplicate object keys, nesting deeper than 512 levels and
    /// anything after the value other than whitespace are errors. Object members keep their order.
    /// A lone UTF-16 surrogate in a `\u` escape becomes U+FFFD, as in Go and Kubernetes.
    ///
    /// ```swift
    /// let pod = try JSONValue(parsingJSON: #"{"kind": "Pod", "spec": {"replicas": 3}}"#)
    /// pod["spec"]?["replicas"]   // .int(3)
    /// ```
    /// - Throws: ``JSONSyntaxError`` with the line and column of the offending byte.
    public init(parsingJSON text: String) throws(JSONSyntaxError) {
        let result =
            text.utf8.withContiguousStorageIfAvailable { JSONParser.parse($0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { JSONParser.parse($0) }
        self = try result.get()
    }

    /// Parses JSON text given as UTF-8 bytes, with the same rules as parsing a `String`.
    ///
    /// - Throws: ``JSONSyntaxError`` with the line and column of the offending byte.
    public init(parsingJSON bytes: some Collection<UInt8>) throws(JSONSyntaxError) {
        let result =
            bytes.withContiguousStorageIfAvailable { JSONParser.parse($0) }
            ?? Array(bytes).withUnsafeBufferPointer { JSONParser.parse($0) }
        self = try result.get()
    }
}

/// A recursive-descent parser over UTF-8 bytes.
///
/// Works on an `UnsafeBufferPointer` so the hot loops are plain byte compares; positions in
/// errors are turned into line and column only when an error is thrown.
struct JSONParser {
    static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    /// Reused for strings with escapes, so only their final `String` allocates.
    private var scratch: [UInt8] = []
    /// Members and elements of the containers being parsed, innermost last. Each container is
    /// built once at its exact size from the top of these stacks instead of growing its own storage.
    private var keyStack: [String] = []
    private var valueStack: [JSONValue] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONSyntaxError> {
        var parser = JSONParser(bytes)
        do throws(JSONSyntaxError) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error)
        }
    }

    private mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        // A UTF-8 byte order mark is allowed and ignored (RFC 8259 §8.1).
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if position < bytes.count {
            throw error("unexpected \(found(position)) after the JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard position < bytes.count else { throw error("expected a value, found end of input") }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw error("expected a value, found \(found(position))")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = position
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected -> Bool in
            guard bytes.count - start >= count else { return false }
            for i in 0..<count where bytes[start + i] != expected[i] { return false }
            return true
        }
        // A word such as `nul` or `True` is not a value; report it at its first byte.
        guard matches, start + count == bytes.count || !Self.isWordByte(bytes[start + count]) else {
            var end = start
            while end < bytes.count, Self.isWordByte(bytes[end]) { end += 1 }
            let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            throw error("expected a value, found '\(word)'", at: start)
        }
        position = start + count
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > Self.maxDepth { throw error("nesting is deeper than \(Self.maxDepth) levels") }
        position += 1  // '{'
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object([:])
        }
        let base = keyStack.count
        // Small objects find duplicates by comparing keys; large ones switch to a set.
        var seen: Set<String>? = nil
        var afterComma = false
        while true {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                if afterComma, position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    throw error("a trailing ',' before '}' is not allowed")
                }
                throw error("expected a string key for an object member, found \(found(position))")
            }
            let keyStart = position
            let key = try parseString()
            if let inserted = seen?.insert(key).inserted {
                if !inserted { throw error("duplicate key \(Self.quoted(key))", at: keyStart) }
            } else {
                for index in base..<keyStack.count where keyStack[index] == key {
                    throw error("duplicate key \(Self.quoted(key))", at: keyStart)
                }
                if keyStack.count - base == 16 { seen = Set(keyStack[base...] + [key]) }
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("expected ':' after an object key, found \(found(position))")
            }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            keyStack.append(key)
            valueStack.append(value)
            skipWhitespace()
            guard position < bytes.count else {
                throw error("expected ',' or '}' after an object member, found end of input")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                afterComma = true
            case UInt8(ascii: "}"):
                position += 1
                let count = keyStack.count - base
                let members = JSONObject(
                    uncheckedUniqueKeys: keyStack[base...], values: valueStack[(valueStack.count - count)...])
                valueStack.removeLast(count)
                keyStack.removeLast(count)
                return .object(members)
            default:
                throw error("expected ',' or '}' after an object member, found \(found(position))")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth > Self.maxDepth { throw error("nesting is deeper than \(Self.maxDepth) levels") }
        position += 1  // '['
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array([])
        }
        let base = valueStack.count
        while true {
            if position < bytes.count, bytes[position] == UInt8(ascii: "]"), valueStack.count > base {
                throw error("a trailing ',' before ']' is not allowed")
            }
            let element = try parseValue(depth: depth)
            valueStack.append(element)
            skipWhitespace()
            guard position < bytes.count else {
                throw error("expected ',' or ']' after an array element, found end of input")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                let elements = Array(valueStack[base...])
                valueStack.removeLast(valueStack.count - base)
                return .array(elements)
            default:
                throw error("expected ',' or ']' after an array element, found \(found(position))")
            }
        }
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let open = position
        position += 1
        let start = position
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            position += 1
        }
        return try parseEscapedString(open: open, start: start)
    }

    private mutating func parseEscapedString(open: Int, start: Int) throws(JSONSyntaxError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape()
            case 0..<0x20:
                if byte == UInt8(ascii: "\n") { throw error("unterminated string", at: open) }
                throw error("\(found(position)) must be escaped in a string")
            default:
                scratch.append(byte)
                position += 1
            }
        }
        throw error("unterminated string", at: open)
    }

    private mutating func parseEscape() throws(JSONSyntaxError) {
        let backslash = position
        position += 1
        guard position < bytes.count else { throw error("unterminated string") }
        let escaped = bytes[position]
        position += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: backslash)
            var scalar = Unicode.Scalar(UInt8(0))
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate pairs with an immediately following `\uDC00`…`\uDFFF`.
                if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                {
                    let save = position
                    position += 2
                    let low = try parseHex4(escapeStart: save)
                    if (0xDC00...0xDFFF).contains(low) {
                        let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                        scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                    } else {
                        scalar = "\u{FFFD}"
                        position = save  // the second escape stands on its own
                    }
                } else {
                    scalar = "\u{FFFD}"
                }
            case 0xDC00...0xDFFF:
                scalar = "\u{FFFD}"
            default:
                scalar = Unicode.Scalar(unit) ?? "\u{FFFD}"
            }
            appendUTF8(scalar)
        default:
            position = backslash
            var name = found(backslash + 1)
            if name.hasPrefix("'") { name = "'\\" + name.dropFirst() }
            throw error("invalid escape \(name) in a string")
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONSyntaxError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < bytes.count else {
                throw error("expected 4 hexadecimal digits after '\\u', found end of input")
            }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("expected 4 hexadecimal digits after '\\u', found \(found(position))")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            scratch.append(UInt8(value))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (value >> 6)))
            scratch.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (value >> 12)))
            scratch.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (value & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (value >> 18)))
            scratch.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (value & 0x3F)))
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let digitsStart = position
        guard position < bytes.count, Self.isDigit(bytes[position]) else {
            throw error("expected a digit after '-', found \(found(position))")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, Self.isDigit(bytes[position]) {
                throw error("a number cannot start with '0' followed by more digits", at: digitsStart)
            }
        } else {
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        let digitsEnd = position
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, Self.isDigit(bytes[position]) else {
                throw error("expected a digit after the decimal point, found \(found(position))")
            }
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
            isInteger = false
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, Self.isDigit(bytes[position]) else {
                throw error("expected a digit in the exponent, found \(found(position))")
            }
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
            isInteger = false
        }
        if isInteger, let value = integer(digitsStart..<digitsEnd, negative: negative) {
            return .int(value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error("the number \(text) is out of range", at: start)
        }
        return .double(value)
    }

    /// The integer made of the digits in `range`, or `nil` when it does not fit `Int64`.
    private func integer(_ range: Range<Int>, negative: Bool) -> Int64? {
        var value: Int64 = 0
        // Accumulate towards the sign so that Int64.min, whose magnitude Int64 cannot hold, fits.
        if range.count <= 18 {
            for i in range {
                let digit = Int64(bytes[i] &- UInt8(ascii: "0"))
                value = negative ? value &* 10 &- digit : value &* 10 &+ digit
            }
            return value
        }
        for i in range {
            let digit = Int64(bytes[i] &- UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
        }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: Whitespace

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
            default:
                return
            }
        }
    }

    // MARK: Errors

    /// An error at `offset` (the current position by default), with its line and column.
    private func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let offset = min(offset ?? position, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        // Count scalars, not bytes: skip UTF-8 continuation bytes.
        var column = 1
        for i in lineStart..<offset where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return JSONSyntaxError(line: line, column: column, message: message)
    }

    /// How the byte at `offset` reads in a message: `'x'`, `end of input`, `control character U+000A`.
    private func found(_ offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        switch byte {
        case 0x20..<0x7F:
            return "'\(Character(Unicode.Scalar(byte)))'"
        case 0..<0x20, 0x7F:
            return "control character U+\(Self.hex4(UInt32(byte)))"
        default:
            var iterator = UnsafeBufferPointer(rebasing: bytes[offset..<min(bytes.count, offset + 4)]).makeIterator()
            var decoder = UTF8()
            if case .scalarValue(let scalar) = decoder.decode(&iterator) { return "'\(scalar)'" }
            return "invalid UTF-8 byte 0x\(String(byte, radix: 16, uppercase: true))"
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `key` in double quotes, shortened when long, for messages.
    private static func quoted(_ key: String) -> String {
        key.count > 60 ? "\"\(key.prefix(57))...\"" : "\"\(key)\""
    }
}
