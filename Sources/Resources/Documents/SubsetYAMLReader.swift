import OrderedCollections

/// A fast reader for the part of YAML that Kubernetes manifests are written in, giving exactly
/// what the Yams path gives (the same ``JSONValue``s, the same ``SourceMap`` positions) or
/// nothing at all.
///
/// Yams builds a tree of class instances for every node, which costs several times more than
/// reading the text. This reader goes over the UTF-8 bytes once and builds the values directly.
/// It understands block mappings and sequences (indentless ones too), flow collections on one or
/// more lines, plain scalars on one line, single- and double-quoted scalars on one line (with
/// every escape of YAML 1.1), literal and folded block scalars with their indicators, comments,
/// and `---`/`...` document markers.
///
/// Whenever the text steps outside that subset (anchors, aliases, tags, merge keys, complex keys,
/// multi-line plain or quoted scalars, tabs, carriage returns, directives, a byte order mark…)
/// or is malformed in any way (duplicate keys, bad indentation, a stray `:`), ``read(_:file:lineOffset:)``
/// returns `nil` and the caller decodes the text with Yams, so errors and their positions always
/// come from one place and behaviour never depends on which path ran.
///
/// Positions follow libyaml: lines and columns count from 1, columns count Unicode scalars, a
/// container starts at its first key or `-` (or its bracket), a missing value starts just after
/// its `:` or `-`.
struct SubsetYAMLReader {
    /// The text needs the full YAML parser: it is outside the subset or malformed.
    struct NeedsFullParser: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private let end: Int
    /// Whether every byte is ASCII, so that a column is a byte offset.
    private let isASCII: Bool
    /// Lines of the stream before the text being read.
    private let lineOffset: Int
    /// The next byte to read.
    private var pos = 0
    /// The 0-based line of `pos`.
    private var line = 0
    /// Where the line of `pos` starts.
    private var lineStart = 0
    private var builder = SourceMapBuilder()
    /// Collections open around `pos`; deeper texts are left to the Yams path.
    private var depth = 0
    private static let maximumDepth = 200

    private init(bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool, lineOffset: Int) {
        self.bytes = bytes
        self.end = bytes.count
        self.isASCII = isASCII
        self.lineOffset = lineOffset
    }

    /// The non-empty documents of `text`, or `nil` when the text needs the full YAML parser.
    ///
    /// - Parameter lineOffset: lines before `text` in the whole stream, added to every position.
    static func read(_ text: String, file: String?, lineOffset: Int) -> [Document]? {
        let result = text.utf8.withContiguousStorageIfAvailable { bytes -> [Document]? in
            guard let isASCII = prescan(bytes) else { return nil }
            var reader = SubsetYAMLReader(bytes: bytes, isASCII: isASCII, lineOffset: lineOffset)
            return try? reader.readStream(file: file)
        }
        return result ?? nil
    }

    /// Whether the text is all ASCII; `nil` when it holds a character the reader leaves to libyaml:
    /// control characters (tabs and carriage returns included), DEL, C1 controls, the Unicode line
    /// and paragraph separators, byte order marks, U+FFFE/U+FFFF and characters beyond the BMP.
    private static func prescan(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        var ascii = true
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c >= 0x20 && c < 0x7F || c == 0x0A {
                i += 1
                continue
            }
            if c < 0x80 { return nil }
            ascii = false
            switch c {
            case 0xC2:
                if i + 1 < n, b[i + 1] < 0xA0 { return nil }
            case 0xE2:
                if i + 2 < n, b[i + 1] == 0x80, b[i + 2] == 0xA8 || b[i + 2] == 0xA9 { return nil }
            case 0xEF:
                if i + 2 < n, b[i + 1] == 0xBB, b[i + 2] == 0xBF { return nil }
                if i + 2 < n, b[i + 1] == 0xBF, b[i + 2] >= 0xBE { return nil }
            case 0xF0...:
                return nil
            default:
                break
            }
            i += 1
        }
        return ascii
    }

    // MARK: Bytes and positions

    private static let space = UInt8(ascii: " ")
    private static let newline = UInt8(ascii: "\n")
    private static let dash = UInt8(ascii: "-")
    private static let colon = UInt8(ascii: ":")
    private static let hash = UInt8(ascii: "#")
    private static let comma = UInt8(ascii: ",")
    private static let doubleQuote = UInt8(ascii: "\"")
    private static let singleQuote = UInt8(ascii: "'")
    private static let backslash = UInt8(ascii: "\\")

    /// The byte at `i`, or 0 past the end (the text holds no NUL bytes).
    @inline(__always)
    private func byte(at i: Int) -> UInt8 {
        i < end ? bytes[i] : 0
    }

    /// Whether `i` is a space, a line break or the end.
    @inline(__always)
    private func isBlankOrEnd(_ i: Int) -> Bool {
        i >= end || bytes[i] == Self.space || bytes[i] == Self.newline
    }

    /// The 0-based column of `i`, on the line of `pos`.
    private func column(_ i: Int) -> Int {
        if isASCII { return i - lineStart }
        var count = 0
        for j in lineStart..<i where bytes[j] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// A scalar entry for a node starting at `i` on the current line.
    private func entry(at i: Int) -> SourceMap.Entry {
        .scalar(line: line + 1 + lineOffset, column: column(i) + 1)
    }

    private func string(_ start: Int, _ stop: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
    }

    private mutating func newLine() {
        pos += 1
        line += 1
        lineStart = pos
    }

    private mutating func skipSpaces() {
        while pos < end, bytes[pos] == Self.space { pos += 1 }
    }

    /// Whether a `#` at `i` starts a comment the way the reader accepts: at the start of a line or
    /// after a space (libyaml also takes `"a"#b` as a comment; that is left to it).
    private func startsComment(_ i: Int) -> Bool {
        i == lineStart || bytes[i - 1] == Self.space
    }

    /// Skips blank and comment lines from `pos` (at a line start or after the spaces of one), and
    /// leaves `pos` at the first character of the next line with content, or at the end.
    private mutating func skipToContent() {
        while true {
            skipSpaces()
            guard pos < end else { return }
            switch bytes[pos] {
            case Self.newline:
                newLine()
            case Self.hash:
                while pos < end, bytes[pos] != Self.newline { pos += 1 }
            default:
                return
            }
        }
    }

    /// Ends the current line, which may only hold spaces and a comment from `pos` on, and moves to
    /// the next line with content.
    private mutating func finishLine() throws(NeedsFullParser) {
        skipSpaces()
        if pos < end, bytes[pos] == Self.hash {
            guard startsComment(pos) else { throw NeedsFullParser() }
            while pos < end, bytes[pos] != Self.newline { pos += 1 }
        }
        guard pos >= end || bytes[pos] == Self.newline else { throw NeedsFullParser() }
        skipToContent()
    }

    /// Whether `pos` is at `---` or `...` in column 0, followed by a blank or the end.
    private func atDocumentMarker() -> Bool {
        guard pos == lineStart, pos + 2 < end, isBlankOrEnd(pos + 3) else { return false }
        let c = bytes[pos]
        guard c == Self.dash || c == UInt8(ascii: ".") else { return false }
        return bytes[pos + 1] == c && bytes[pos + 2] == c
    }

    /// The column of the content at `pos`, or `nil` at the end of the text or at a document marker.
    private func contentColumn() -> Int? {
        guard pos < end, !atDocumentMarker() else { return nil }
        return column(pos)
    }

    /// After a node that ended its line: what follows must belong to an enclosing collection.
    private func checkNothingMoreIndented(than parentIndent: Int) throws(NeedsFullParser) {
        if let next = contentColumn(), next > parentIndent { throw NeedsFullParser() }
    }

    // MARK: Stream and documents

    private mutating func readStream(file: String?) throws(NeedsFullParser) -> [Document] {
        var documents: [Document] = []
        // Content without `---` may only open the stream; `...` may only close a document.
        var mayStartImplicitly = true
        skipToContent()
        while pos < end {
            if atDocumentMarker() {
                let isStart = bytes[pos] == Self.dash
                guard isStart || !mayStartImplicitly else { throw NeedsFullParser() }
                pos += 3
                try finishLine()
                mayStartImplicitly = false
                if !isStart { continue }
                // An empty document (another marker or the end) is skipped, as the Yams path does.
                if contentColumn() == nil { continue }
                documents.append(try readDocument(file: file, index: documents.count))
            } else {
                guard mayStartImplicitly, bytes[pos] != UInt8(ascii: "%") else { throw NeedsFullParser() }
                mayStartImplicitly = false
                documents.append(try readDocument(file: file, index: documents.count))
            }
        }
        return documents
    }

    private mutating func readDocument(file: String?, index: Int) throws(NeedsFullParser) -> Document {
        builder = SourceMapBuilder()
        let (value, root) = try readBlockNode(parentIndent: -1)
        // Whatever follows the root must be a marker or the end.
        guard pos >= end || atDocumentMarker() else { throw NeedsFullParser() }
        let sourceMap = builder.build(file: file, root: root)
        return Document(value: value, sourceMap: sourceMap, location: sourceMap.rootLocation, index: index)
    }

    // MARK: Block nodes

    /// The node whose content starts at `pos`, more indented than `parentIndent` (the column of
    /// the enclosing block collection, -1 at the root). Leaves `pos` at the next content.
    private mutating func readBlockNode(parentIndent: Int) throws(NeedsFullParser) -> (JSONValue, SourceMap.Entry) {
        try enter()
        defer { depth -= 1 }
        if bytes[pos] == Self.dash, isBlankOrEnd(pos + 1) {
            return try readBlockSequence(indentless: false)
        }
        let start = pos
        if let key = try scanKey() {
            return try readBlockMapping(firstKey: key, start: start)
        }
        return try readValue(parentIndent: parentIndent)
    }

    /// A block mapping whose first key, starting at `start`, has just been read.
    private mutating func readBlockMapping(firstKey: String, start: Int) throws(NeedsFullParser) -> (JSONValue, SourceMap.Entry) {
        let indent = column(start)
        let startEntry = entry(at: start)
        let mark = builder.open()
        var members = JSONObject()
        var key = firstKey
        while true {
            // `pos` is just after the key's `:`.
            let missing = entry(at: pos)
            skipSpaces()
            let value: JSONValue
            let valueEntry: SourceMap.Entry
            if pos >= end || bytes[pos] == Self.newline || bytes[pos] == Self.hash {
                try finishLine()
                if let next = contentColumn(), next > indent {
                    (value, valueEntry) = try readBlockNode(parentIndent: indent)
                } else if contentColumn() == indent, bytes[pos] == Self.dash, isBlankOrEnd(pos + 1) {
                    (value, valueEntry) = try readBlockSequence(indentless: true)
                } else {
                    (value, valueEntry) = (.null, missing)
                }
            } else {
                (value, valueEntry) = try readValue(parentIndent: indent)
            }
            guard members.updateValue(value, forKey: key) == nil else { throw NeedsFullParser() }
            builder.push(valueEntry, key: key)

            guard let next = contentColumn(), next >= indent else { break }
            guard next == indent, let nextKey = try scanKey() else { throw NeedsFullParser() }
            key = nextKey
        }
        let entry = builder.close(mark, line: Int(startEntry.line), column: Int(startEntry.column), kind: .object)
        return (.object(members), entry)
    }

    /// A block sequence whose first `-` is at `pos`. An indentless sequence (the value of a mapping
    /// key, at the key's column) ends at the next key.
    private mutating func readBlockSequence(indentless: Bool) throws(NeedsFullParser) -> (JSONValue, SourceMap.Entry) {
        try enter()
        defer { depth -= 1 }
        let indent = column(pos)
        let startEntry = entry(at: pos)
        let mark = builder.open()
        var elements: [JSONValue] = []
        while true {
            pos += 1
            let missing = entry(at: pos)
            skipSpaces()
            let value: JSONValue
            let valueEntry: SourceMap.Entry
            if pos >= end || bytes[pos] == Self.newline || bytes[pos] == Self.hash {
                try finishLine()
                if let next = contentColumn(), next > indent {
                    (value, valueEntry) = try readBlockNode(parentIndent: indent)
                } else {
                    (value, valueEntry) = (.null, missing)
                }
            } else if bytes[pos] == Self.dash, isBlankOrEnd(pos + 1) {
                (value, valueEntry) = try readBlockSequence(indentless: false)
            } else {
                let start = pos
                if let key = try scanKey() {
                    (value, valueEntry) = try readBlockMapping(firstKey: key, start: start)
                } else {
                    (value, valueEntry) = try readValue(parentIndent: indent)
                }
            }
            elements.append(value)
            builder.push(valueEntry, key: nil)

            guard let next = contentColumn(), next >= indent else { break }
            guard next == indent else { throw NeedsFullParser() }
            guard bytes[pos] == Self.dash, isBlankOrEnd(pos + 1) else {
                if indentless { break }
                throw NeedsFullParser()
            }
        }
        let entry = builder.close(mark, line: Int(startEntry.line), column: Int(startEntry.column), kind: .array)
        return (.array(elements), entry)
    }

    /// Counts one more level of nesting; the recursion stays far from the stack's limit.
    private mutating func enter() throws(NeedsFullParser) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            depth -= 1
            throw NeedsFullParser()
        }
    }

    /// If a mapping key starts at `pos` (a plain or quoted scalar on this line followed by `:` and
    /// a blank), the key, with `pos` just after the `:`; otherwise `nil` and `pos` unchanged.
    private mutating func scanKey() throws(NeedsFullParser) -> String? {
        let start = pos
        let first = bytes[pos]
        if first == Self.doubleQuote || first == Self.singleQuote {
            guard let key = try? (first == Self.doubleQuote ? scanDoubleQuoted() : scanSingleQuoted()) else {
                pos = start
                return nil
            }
            skipSpaces()
            guard pos < end, bytes[pos] == Self.colon, isBlankOrEnd(pos + 1) else {
                pos = start
                return nil
            }
            // libyaml looks for the `:` of a key at most 1024 characters ahead.
            guard pos - start < 1000 else { throw NeedsFullParser() }
            pos += 1
            return key
        }
        guard canStartBlockPlain(at: pos) else { return nil }
        var i = pos
        while i < end {
            let c = bytes[i]
            if c == Self.newline { return nil }
            if c == Self.colon, isBlankOrEnd(i + 1) { break }
            if c == Self.hash, bytes[i - 1] == Self.space { return nil }
            i += 1
        }
        guard i < end else { return nil }
        guard i - start < 1000 else { throw NeedsFullParser() }
        var stop = i
        while bytes[stop - 1] == Self.space { stop -= 1 }
        let key = string(start, stop)
        // `<<` is a merge key, which the Yams path handles.
        if key == "<<" { throw NeedsFullParser() }
        pos = i + 1
        return key
    }

    /// Whether a plain scalar may start at `i` in block context.
    private func canStartBlockPlain(at i: Int) -> Bool {
        switch bytes[i] {
        case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
            return !isBlankOrEnd(i + 1)
        case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
            UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
            UInt8(ascii: "`"), Self.space, Self.newline:
            return false
        default:
            return true
        }
    }

    /// A node that is not a block collection, starting at `pos`: a scalar, a flow collection or a
    /// block scalar. Leaves `pos` at the next content, which must not be more indented than
    /// `parentIndent`.
    private mutating func readValue(parentIndent: Int) throws(NeedsFullParser) -> (JSONValue, SourceMap.Entry) {
        let start = pos
        let startEntry = entry(at: start)
        let value: JSONValue
        switch bytes[pos] {
        case Self.doubleQuote:
            value = .string(try scanDoubleQuoted())
        case Self.singleQuote:
            value = .string(try scanSingleQuoted())
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let (flow, flowEntry) = try readFlowNode(parentIndent: parentIndent)
            try finishLine()
            try checkNothingMoreIndented(than: parentIndent)
            return (flow, flowEntry)
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            value = .string(try readBlockScalar(parentIndent: parentIndent))
            try checkNothingMoreIndented(than: parentIndent)
            return (value, startEntry)
        default:
            guard canStartBlockPlain(at: pos) else { throw NeedsFullParser() }
            var i = pos
            while i < end {
                let c = bytes[i]
                if c == Self.newline { break }
                // A `: ` here would make a mapping where none may start.
                if c == Self.colon, isBlankOrEnd(i + 1) { throw NeedsFullParser() }
                if c == Self.hash, bytes[i - 1] == Self.space { break }
                i += 1
            }
            var stop = i
            while bytes[stop - 1] == Self.space { stop -= 1 }
            value = resolvePlain(start, stop)
            pos = i
        }
        try finishLine()
        try checkNothingMoreIndented(than: parentIndent)
        return (value, startEntry)
    }

    /// A plain scalar's value, by the rules of ``ScalarResolver``.
    private func resolvePlain(_ start: Int, _ stop: Int) -> JSONValue {
        ScalarResolver.resolve(bytes: UnsafeBufferPointer(rebasing: bytes[start..<stop])) ?? .string(string(start, stop))
    }

    // MARK: Quoted scalars

    /// A double-quoted scalar on one line starting at `pos`; `pos` ends after the closing quote.
    private mutating func scanDoubleQuoted() throws(NeedsFullParser) -> String {
        pos += 1
        let start = pos
        while pos < end {
            let c = bytes[pos]
            if c == Self.doubleQuote {
                pos += 1
                return string(start, pos - 1)
            }
            if c == Self.backslash || c == Self.newline { break }
            pos += 1
        }
        guard pos < end, bytes[pos] == Self.backslash else { throw NeedsFullParser() }
        var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < end {
            let c = bytes[pos]
            switch c {
            case Self.doubleQuote:
                pos += 1
                return String(decoding: out, as: UTF8.self)
            case Self.newline:
                throw NeedsFullParser()
            case Self.backslash:
                let escape = byte(at: pos + 1)
                pos += 2
                switch escape {
                case UInt8(ascii: "0"): out.append(0)
                case UInt8(ascii: "a"): out.append(0x07)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "v"): out.append(0x0B)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "e"): out.append(0x1B)
                case UInt8(ascii: " "): out.append(0x20)
                case UInt8(ascii: "\""): out.append(Self.doubleQuote)
                case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
                case UInt8(ascii: "\\"): out.append(Self.backslash)
                case UInt8(ascii: "N"): appendScalar(0x85, to: &out)
                case UInt8(ascii: "_"): appendScalar(0xA0, to: &out)
                case UInt8(ascii: "L"): appendScalar(0x2028, to: &out)
                case UInt8(ascii: "P"): appendScalar(0x2029, to: &out)
                case UInt8(ascii: "x"): appendScalar(try hexValue(digits: 2), to: &out)
                case UInt8(ascii: "u"): appendScalar(try hexValue(digits: 4), to: &out)
                case UInt8(ascii: "U"): appendScalar(try hexValue(digits: 8), to: &out)
                default: throw NeedsFullParser()
                }
            default:
                out.append(c)
                pos += 1
            }
        }
        throw NeedsFullParser()
    }

    /// The value of `digits` hexadecimal digits at `pos`, which must be a Unicode scalar.
    private mutating func hexValue(digits: Int) throws(NeedsFullParser) -> UInt32 {
        guard pos + digits <= end else { throw NeedsFullParser() }
        var value: UInt32 = 0
        for _ in 0..<digits {
            let c = bytes[pos]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw NeedsFullParser()
            }
            value = value << 4 | digit
            pos += 1
        }
        guard Unicode.Scalar(value) != nil else { throw NeedsFullParser() }
        return value
    }

    private func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
        guard let scalar = Unicode.Scalar(value) else { return }
        out.append(contentsOf: UTF8.encode(scalar)!)
    }

    /// A single-quoted scalar on one line starting at `pos`; `pos` ends after the closing quote.
    private mutating func scanSingleQuoted() throws(NeedsFullParser) -> String {
        pos += 1
        let start = pos
        var out: [UInt8]? = nil
        var runStart = start
        while pos < end {
            let c = bytes[pos]
            if c == Self.newline { throw NeedsFullParser() }
            if c == Self.singleQuote {
                if byte(at: pos + 1) == Self.singleQuote {
                    // `''` is one quote.
                    if out == nil { out = [] }
                    out!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...pos]))
                    pos += 2
                    runStart = pos
                    continue
                }
                pos += 1
                guard var collected = out else { return string(start, pos - 1) }
                collected.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<(pos - 1)]))
                return String(decoding: collected, as: UTF8.self)
            }
            pos += 1
        }
        throw NeedsFullParser()
    }

    // MARK: Block scalars

    /// A literal (`|`) or folded (`>`) scalar whose indicator is at `pos`, with libyaml's rules for
    /// indentation, folding and chomping. Leaves `pos` at the next content.
    private mutating func readBlockScalar(parentIndent: Int) throws(NeedsFullParser) -> String {
        let literal = bytes[pos] == UInt8(ascii: "|")
        pos += 1
        // -1 strip, 0 clip, 1 keep.
        var chomping = 0
        var increment = 0
        var hasIndentationIndicator = false
        func chompingIndicator(_ c: UInt8) -> Int? {
            c == UInt8(ascii: "+") ? 1 : c == UInt8(ascii: "-") ? -1 : nil
        }
        if let value = chompingIndicator(byte(at: pos)) {
            chomping = value
            pos += 1
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte(at: pos)) {
                increment = Int(bytes[pos] - UInt8(ascii: "0"))
                hasIndentationIndicator = true
                pos += 1
            }
        } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte(at: pos)) {
            increment = Int(bytes[pos] - UInt8(ascii: "0"))
            hasIndentationIndicator = true
            pos += 1
            if let value = chompingIndicator(byte(at: pos)) {
                chomping = value
                pos += 1
            }
        }
        // An explicit indentation indicator of 0 (`|0`, `>0-`, `|+0`) is an error libyaml reports.
        if hasIndentationIndicator, increment == 0 { throw NeedsFullParser() }
        // The rest of the header line: spaces and a comment.
        skipSpaces()
        if pos < end, bytes[pos] == Self.hash {
            guard startsComment(pos) else { throw NeedsFullParser() }
            while pos < end, bytes[pos] != Self.newline { pos += 1 }
        }
        guard pos >= end || bytes[pos] == Self.newline else { throw NeedsFullParser() }
        if pos < end { newLine() }

        var indent = increment > 0 ? (parentIndent >= 0 ? parentIndent + increment : increment) : 0
        var out: [UInt8] = []
        // Whether the last content line ended with a line break, and the empty lines after it.
        var leadingBreak = false
        var trailingBreaks = 0
        var leadingBlank = false
        scanBlockScalarBreaks(indent: &indent, breaks: &trailingBreaks, parentIndent: parentIndent)
        while pos < end, column(pos) == indent {
            let trailingBlank = bytes[pos] == Self.space
            if !literal && leadingBreak && !leadingBlank && !trailingBlank {
                // A line break between two lines of text folds into a space, unless empty lines follow it.
                if trailingBreaks == 0 { out.append(Self.space) }
            } else if leadingBreak {
                out.append(Self.newline)
            }
            leadingBreak = false
            out.append(contentsOf: repeatElement(Self.newline, count: trailingBreaks))
            trailingBreaks = 0
            leadingBlank = bytes[pos] == Self.space
            let start = pos
            while pos < end, bytes[pos] != Self.newline { pos += 1 }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<pos]))
            if pos < end {
                newLine()
                leadingBreak = true
            }
            scanBlockScalarBreaks(indent: &indent, breaks: &trailingBreaks, parentIndent: parentIndent)
        }
        if chomping != -1, leadingBreak { out.append(Self.newline) }
        if chomping == 1 { out.append(contentsOf: repeatElement(Self.newline, count: trailingBreaks)) }
        // `pos` is after the indentation of a less indented line: a comment there is still a comment.
        skipToContent()
        return String(decoding: out, as: UTF8.self)
    }

    /// Skips indentation and empty lines, counting them; sets the content indentation from the
    /// deepest of them when no indicator gave it.
    private mutating func scanBlockScalarBreaks(indent: inout Int, breaks: inout Int, parentIndent: Int) {
        var maxIndent = 0
        while true {
            while pos < end, bytes[pos] == Self.space, indent == 0 || column(pos) < indent { pos += 1 }
            maxIndent = max(maxIndent, column(pos))
            guard pos < end, bytes[pos] == Self.newline else { break }
            newLine()
            breaks += 1
        }
        if indent == 0 {
            indent = max(maxIndent, parentIndent + 1, 1)
        }
    }

    // MARK: Flow collections

    /// A flow node at `pos`, inside or at the top of a flow collection, whose lines must be more
    /// indented than `parentIndent`.
    private mutating func readFlowNode(parentIndent: Int) throws(NeedsFullParser) -> (JSONValue, SourceMap.Entry) {
        try enter()
        defer { depth -= 1 }
        let startEntry = entry(at: pos)
        switch byte(at: pos) {
        case UInt8(ascii: "["):
            let mark = builder.open()
            var elements: [JSONValue] = []
            pos += 1
            try skipFlowSpace(parentIndent: parentIndent)
            if byte(at: pos) == UInt8(ascii: "]") {
                pos += 1
            } else {
                while true {
                    let (value, valueEntry) = try readFlowNode(parentIndent: parentIndent)
                    elements.append(value)
                    builder.push(valueEntry, key: nil)
                    guard try flowSeparator(closing: UInt8(ascii: "]"), parentIndent: parentIndent) else { break }
                }
            }
            let entry = builder.close(mark, line: Int(startEntry.line), column: Int(startEntry.column), kind: .array)
            return (.array(elements), entry)
        case UInt8(ascii: "{"):
            let mark = builder.open()
            var members = JSONObject()
            pos += 1
            try skipFlowSpace(parentIndent: parentIndent)
            if byte(at: pos) == UInt8(ascii: "}") {
                pos += 1
            } else {
                while true {
                    let key: String
                    switch byte(at: pos) {
                    case Self.doubleQuote: key = try scanDoubleQuoted()
                    case Self.singleQuote: key = try scanSingleQuoted()
                    default:
                        let (start, stop) = try scanFlowPlain()
                        key = string(start, stop)
                    }
                    skipSpaces()
                    guard byte(at: pos) == Self.colon else { throw NeedsFullParser() }
                    pos += 1
                    try skipFlowSpace(parentIndent: parentIndent)
                    // A missing value is left to the Yams path.
                    let next = byte(at: pos)
                    guard next != Self.comma, next != UInt8(ascii: "}") else { throw NeedsFullParser() }
                    let (value, valueEntry) = try readFlowNode(parentIndent: parentIndent)
                    guard members.updateValue(value, forKey: key) == nil else { throw NeedsFullParser() }
                    builder.push(valueEntry, key: key)
                    guard try flowSeparator(closing: UInt8(ascii: "}"), parentIndent: parentIndent) else { break }
                }
            }
            let entry = builder.close(mark, line: Int(startEntry.line), column: Int(startEntry.column), kind: .object)
            return (.object(members), entry)
        case Self.doubleQuote:
            return (.string(try scanDoubleQuoted()), startEntry)
        case Self.singleQuote:
            return (.string(try scanSingleQuoted()), startEntry)
        default:
            let (start, stop) = try scanFlowPlain()
            return (resolvePlain(start, stop), startEntry)
        }
    }

    /// After an entry of a flow collection: `true` at a `,` followed by another entry, `false`
    /// once the closing bracket is consumed.
    private mutating func flowSeparator(closing: UInt8, parentIndent: Int) throws(NeedsFullParser) -> Bool {
        try skipFlowSpace(parentIndent: parentIndent)
        let c = byte(at: pos)
        if c == closing {
            pos += 1
            return false
        }
        guard c == Self.comma else { throw NeedsFullParser() }
        pos += 1
        try skipFlowSpace(parentIndent: parentIndent)
        if byte(at: pos) == closing {
            pos += 1
            return false
        }
        return true
    }

    /// A plain scalar in a flow collection, on one line: its bytes. It ends before `,`, `]`, `}`,
    /// a `:` followed by a blank, a comment or the end of the line.
    private mutating func scanFlowPlain() throws(NeedsFullParser) -> (Int, Int) {
        let start = pos
        guard pos < end else { throw NeedsFullParser() }
        switch bytes[pos] {
        case UInt8(ascii: "-"):
            let next = byte(at: pos + 1)
            guard next > Self.space, !Self.isFlowIndicator(next), next != Self.colon, next != Self.hash else {
                throw NeedsFullParser()
            }
        case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"),
            UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""),
            UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), Self.space, Self.newline:
            throw NeedsFullParser()
        default:
            break
        }
        var i = pos
        scan: while i < end {
            let c = bytes[i]
            switch c {
            case Self.newline, Self.comma, UInt8(ascii: "]"), UInt8(ascii: "}"):
                break scan
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                throw NeedsFullParser()
            case Self.colon:
                let next = byte(at: i + 1)
                if isBlankOrEnd(i + 1) { break scan }
                if Self.isFlowIndicator(next) || next == UInt8(ascii: "?") { throw NeedsFullParser() }
            case Self.hash:
                if bytes[i - 1] == Self.space { break scan }
            default:
                break
            }
            i += 1
        }
        var stop = i
        while bytes[stop - 1] == Self.space { stop -= 1 }
        pos = i
        return (start, stop)
    }

    private static func isFlowIndicator(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "[") || c == UInt8(ascii: "]") || c == UInt8(ascii: "{")
            || c == UInt8(ascii: "}")
    }

    /// Skips spaces, line breaks and comments inside a flow collection. A continuation line must
    /// be more indented than the enclosing block collection (libyaml is laxer; those texts go to it).
    private mutating func skipFlowSpace(parentIndent: Int) throws(NeedsFullParser) {
        var crossedLine = false
        while pos < end {
            switch bytes[pos] {
            case Self.space:
                pos += 1
            case Self.newline:
                newLine()
                crossedLine = true
            case Self.hash:
                guard startsComment(pos) else { return }
                while pos < end, bytes[pos] != Self.newline { pos += 1 }
            default:
                if crossedLine {
                    guard column(pos) > parentIndent, !atDocumentMarker(), column(pos) > 0 || parentIndent < 0 else {
                        throw NeedsFullParser()
                    }
                }
                return
            }
        }
        throw NeedsFullParser()
    }
}
