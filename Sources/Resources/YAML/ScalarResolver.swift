/// How plain (unquoted, untagged) YAML scalars become JSON values.
///
/// The rules follow Kubernetes, which reads YAML with go-yaml v2 (YAML 1.1 flavoured): `yes`/`on`/`y`
/// are Booleans, `012` is octal, `1e3` is a float, `~` and the empty scalar are null. Timestamps and
/// everything else stay strings. Written by hand over UTF-8 bytes because the regular-expression
/// resolver in Yams dominates decoding time.
enum ScalarResolver {
    /// The value of a plain scalar.
    static func resolvePlain(_ text: String) -> JSONValue {
        if text.isEmpty { return .null }
        var copy = text
        return copy.withUTF8 { resolve(bytes: $0) ?? .string(text) }
    }

    /// The value of a plain scalar, or `nil` when it is a string.
    static func resolve(bytes b: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        guard let first = b.first else { return .null }
        switch first {
        case UInt8(ascii: "~"):
            return b.count == 1 ? .null : nil
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "y"), UInt8(ascii: "Y"),
            UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
            UInt8(ascii: "o"), UInt8(ascii: "O"):
            if isNull(b) { return .null }
            if let bool = bool(b) { return .bool(bool) }
            return nil
        case UInt8(ascii: "."):
            if let special = specialFloat(b, from: 0) { return .double(special) }
            return dotFloat(b).map(JSONValue.double)
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if first == UInt8(ascii: "+") || first == UInt8(ascii: "-"), b.count > 1, b[1] == UInt8(ascii: ".") {
                if let special = specialFloat(b, from: 1), !special.isNaN {
                    return .double(first == UInt8(ascii: "-") ? -special : special)
                }
            }
            return number(b)
        default:
            return nil
        }
    }

    // MARK: Words

    static func isNull(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        switch b.count {
        case 0: return true
        case 1: return b[0] == UInt8(ascii: "~")
        case 4: return equals(b, "null") || equals(b, "Null") || equals(b, "NULL")
        default: return false
        }
    }

    static func bool(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        switch b.count {
        case 1:
            switch b[0] {
            case UInt8(ascii: "y"), UInt8(ascii: "Y"): return true
            case UInt8(ascii: "n"), UInt8(ascii: "N"): return false
            default: return nil
            }
        case 2:
            if equals(b, "on") || equals(b, "On") || equals(b, "ON") { return true }
            if equals(b, "no") || equals(b, "No") || equals(b, "NO") { return false }
        case 3:
            if equals(b, "yes") || equals(b, "Yes") || equals(b, "YES") { return true }
            if equals(b, "off") || equals(b, "Off") || equals(b, "OFF") { return false }
        case 4:
            if equals(b, "true") || equals(b, "True") || equals(b, "TRUE") { return true }
        case 5:
            if equals(b, "false") || equals(b, "False") || equals(b, "FALSE") { return false }
        default:
            break
        }
        return nil
    }

    /// `.inf`, `.Inf`, `.INF`, `.nan`, `.NaN`, `.NAN` starting at `offset` (which holds the dot).
    private static func specialFloat(_ b: UnsafeBufferPointer<UInt8>, from offset: Int) -> Double? {
        guard b.count - offset == 4 else { return nil }
        let rest = UnsafeBufferPointer(rebasing: b[(offset + 1)...])
        if equals(rest, "inf") || equals(rest, "Inf") || equals(rest, "INF") { return .infinity }
        if equals(rest, "nan") || equals(rest, "NaN") || equals(rest, "NAN") { return .nan }
        return nil
    }

    private static func equals(_ b: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard b.count == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for i in 0..<b.count where b[i] != w[i] { return false }
        return true
    }

    // MARK: Numbers

    /// `.5`, `.5e3`: what Go's `ParseFloat` accepts after a leading dot (no underscores).
    private static func dotFloat(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        guard isFloatSyntax(b, from: 1) else { return nil }
        return finiteDouble(b)
    }

    /// An integer or a float, as go-yaml v2 reads a scalar starting with a digit or a sign:
    /// underscores are dropped, then Go's `ParseInt(_, 0, 64)`, then a YAML-style float.
    private static func number(_ b: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        if b.contains(UInt8(ascii: "_")) {
            var stripped = [UInt8]()
            stripped.reserveCapacity(b.count)
            for byte in b where byte != UInt8(ascii: "_") { stripped.append(byte) }
            return stripped.withUnsafeBufferPointer { numberWithoutUnderscores($0) }
        }
        return numberWithoutUnderscores(b)
    }

    private static func numberWithoutUnderscores(_ b: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        switch integer(b) {
        case .int(let value): return .int(value)
        case .tooLarge(let value): return .double(value)
        case nil: break
        }
        // YAML-style float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        var start = 0
        if let first = b.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { start = 1 }
        guard isFloatSyntax(b, from: start) else { return nil }
        return finiteDouble(b).map(JSONValue.double)
    }

    enum Integer: Equatable {
        case int(Int64)
        /// Valid integer syntax whose value does not fit in `Int64`.
        case tooLarge(Double)
    }

    /// An integer in Go's base-0 syntax: optional sign, then `0x`/`0o`/`0b` prefixed digits, a
    /// leading-zero octal number or a decimal number. Underscores must already be removed.
    static func integer(_ b: UnsafeBufferPointer<UInt8>) -> Integer? {
        var i = 0
        var negative = false
        if let first = b.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            i = 1
        }
        guard i < b.count else { return nil }
        var base: UInt64 = 10
        if b[i] == UInt8(ascii: "0"), i + 1 < b.count {
            switch b[i + 1] | 0x20 {
            case UInt8(ascii: "x"): base = 16; i += 2
            case UInt8(ascii: "o"): base = 8; i += 2
            case UInt8(ascii: "b"): base = 2; i += 2
            default: base = 8; i += 1
            }
            guard i < b.count else { return nil }
        }
        var magnitude: UInt64 = 0
        var overflow = false
        var approximate: Double = 0
        while i < b.count {
            let c = b[i]
            let digit: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < base else { return nil }
            approximate = approximate * Double(base) + Double(digit)
            if !overflow {
                let (m1, o1) = magnitude.multipliedReportingOverflow(by: base)
                let (m2, o2) = m1.addingReportingOverflow(digit)
                if o1 || o2 { overflow = true } else { magnitude = m2 }
            }
            i += 1
        }
        if !overflow {
            if negative, magnitude <= UInt64(Int64.max) + 1 {
                return .int(magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude))
            }
            if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
        }
        if base == 10, let exact = Double(String(decoding: b, as: UTF8.self)) {
            return .tooLarge(exact)
        }
        return .tooLarge(negative ? -approximate : approximate)
    }

    /// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` from `start` to the end.
    private static func isFloatSyntax(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        var i = start
        var intDigits = 0
        while i < b.count, isDigit(b[i]) { i += 1; intDigits += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var fracDigits = 0
            while i < b.count, isDigit(b[i]) { i += 1; fracDigits += 1 }
            if intDigits == 0 && fracDigits == 0 { return false }
        } else if intDigits == 0 {
            return false
        }
        if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            var expDigits = 0
            while i < b.count, isDigit(b[i]) { i += 1; expDigits += 1 }
            if expDigits == 0 { return false }
        }
        return i == b.count
    }

    private static func isDigit(_ c: UInt8) -> Bool {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
    }

    /// The double, unless it overflows (Go's `ParseFloat` fails then, and the scalar stays a string).
    private static func finiteDouble(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let value = Double(String(decoding: b, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    // MARK: Explicit tags

    /// The value of a scalar with an explicit core-schema tag, or `nil` when the text does not fit
    /// the tag.
    static func resolve(_ text: String, tag: ExplicitTag) -> JSONValue? {
        var copy = text
        return copy.withUTF8 { b -> JSONValue? in
            switch tag {
            case .str:
                return .string(text)
            case .null:
                return isNull(b) ? .null : nil
            case .bool:
                return bool(b).map(JSONValue.bool)
            case .int:
                switch resolve(bytes: b) {
                case .int(let value):
                    return .int(value)
                case .double(let value):
                    // Integer syntax too large for Int64 resolves to a double; a real float does not fit.
                    let stripped = text.filter { $0 != "_" }
                    var s = stripped
                    return s.withUTF8 { integer($0) } != nil ? .double(value) : nil
                default:
                    return nil
                }
            case .float:
                switch resolve(bytes: b) {
                case .int(let value): return .double(Double(value))
                case .double(let value): return .double(value)
                default: return nil
                }
            }
        }
    }

    /// The core-schema tags honoured on scalars.
    enum ExplicitTag: String {
        case str = "tag:yaml.org,2002:str"
        case int = "tag:yaml.org,2002:int"
        case float = "tag:yaml.org,2002:float"
        case bool = "tag:yaml.org,2002:bool"
        case null = "tag:yaml.org,2002:null"

        /// The tag as written in YAML's short form.
        var shortName: String {
            switch self {
            case .str: "!!str"
            case .int: "!!int"
            case .float: "!!float"
            case .bool: "!!bool"
            case .null: "!!null"
            }
        }
    }
}
