import OrderedCollections

extension JSONValue {
    /// The value as JSON text.
    ///
    /// The compact form has no whitespace at all, like Go's `encoding/json`; the pretty form puts
    /// each member and element on its own line, indented by two spaces, with `"key": value`, and
    /// prints empty containers as `{}` and `[]`. Neither form ends with a newline.
    ///
    /// Strings escape `"`, `\` and control characters (`\b \f \n \r \t`, others as `\u00XX`);
    /// `/` and non-ASCII characters are written as they are. Doubles use Swift's shortest
    /// round-trip form, which always has a `.` or an exponent (`3.0`, `1e+20`), so they read back
    /// as doubles and `JSONValue(parsingJSON: v.jsonString()) == v` for every finite value. NaN
    /// and infinities are not JSON and print as `null`.
    ///
    /// `sortedKeys: true` orders members by the UTF-8 bytes of their keys, which gives a canonical
    /// text for equal values — use it for hashing and comparing.
    ///
    /// ```swift
    /// let value: JSONValue = ["b": 1, "a": [true, nil]]
    /// value.jsonString()                   // {"b":1,"a":[true,null]}
    /// value.jsonString(sortedKeys: true)   // {"a":[true,null],"b":1}
    /// ```
    public func jsonString(pretty: Bool = false, sortedKeys: Bool = false) -> String {
        String(decoding: jsonBytes(pretty: pretty, sortedKeys: sortedKeys), as: UTF8.self)
    }

    /// The value as UTF-8 JSON text; see ``jsonString(pretty:sortedKeys:)``.
    public func jsonBytes(pretty: Bool = false, sortedKeys: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        writeJSON(to: &bytes, pretty: pretty, sortedKeys: sortedKeys)
        return bytes
    }

    /// Writes the JSON text into `output` without building it first, for example into a hasher.
    public func writeJSON<Output: JSONOutput>(to output: inout Output, pretty: Bool = false, sortedKeys: Bool = false) {
        var writer = JSONWriter(pretty: pretty, sortedKeys: sortedKeys, output: output)
        writer.write(self, indent: 0)
        output = writer.output
    }
}

/// Where JSON text is written: a byte array, a hasher…
public protocol JSONOutput {
    mutating func append(_ byte: UInt8)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONOutput where Element == UInt8 {}

extension JSONOutput {
    mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        for byte in bytes { append(byte) }
    }
}

/// Appends JSON text for values to an output.
struct JSONWriter<Output: JSONOutput> {
    let pretty: Bool
    let sortedKeys: Bool
    var output: Output

    mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null:
            append("null")
        case .bool(let b):
            append(b ? "true" : "false")
        case .int(let i):
            writeInteger(i)
        case .double(let d):
            writeDouble(d)
        case .string(let s):
            writeString(s)
        case .array(let elements):
            writeArray(elements, indent: indent)
        case .object(let members):
            writeObject(members, indent: indent)
        }
    }

    private mutating func writeArray(_ elements: [JSONValue], indent: Int) {
        guard !elements.isEmpty else {
            append("[]")
            return
        }
        output.append(UInt8(ascii: "["))
        for (offset, element) in elements.enumerated() {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            newline(indent + 1)
            write(element, indent: indent + 1)
        }
        newline(indent)
        output.append(UInt8(ascii: "]"))
    }

    private mutating func writeObject(_ members: JSONObject, indent: Int) {
        guard !members.isEmpty else {
            append("{}")
            return
        }
        output.append(UInt8(ascii: "{"))
        let precedes: (String, String) -> Bool = { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        // Kubernetes objects are often written in key order already (apiVersion, kind, metadata, spec).
        if sortedKeys, !zip(members.keys, members.keys.dropFirst()).allSatisfy({ precedes($0, $1) }) {
            let keys = members.keys.sorted(by: precedes)
            for (offset, key) in keys.enumerated() {
                // Every key comes from `members`, so the lookup cannot fail.
                writeMember(key, members[key] ?? .null, first: offset == 0, indent: indent)
            }
        } else {
            for (offset, (key, value)) in members.enumerated() {
                writeMember(key, value, first: offset == 0, indent: indent)
            }
        }
        newline(indent)
        output.append(UInt8(ascii: "}"))
    }

    private mutating func writeMember(_ key: String, _ value: JSONValue, first: Bool, indent: Int) {
        if !first { output.append(UInt8(ascii: ",")) }
        newline(indent + 1)
        writeString(key)
        output.append(UInt8(ascii: ":"))
        if pretty { output.append(UInt8(ascii: " ")) }
        write(value, indent: indent + 1)
    }

    private mutating func newline(_ indent: Int) {
        guard pretty else { return }
        output.append(UInt8(ascii: "\n"))
        for _ in 0..<(indent * 2) { output.append(UInt8(ascii: " ")) }
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    private mutating func writeInteger(_ value: Int64) {
        if value >= 0, value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        // Digits of the magnitude, written backwards into a small buffer; UInt64 holds |Int64.min|.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { output.append(UInt8(ascii: "-")) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index...]))
        }
    }

    private mutating func writeDouble(_ value: Double) {
        guard value.isFinite else {
            append("null")
            return
        }
        // `description` is the shortest text that reads back as the same Double, and is valid
        // JSON for finite values: `3.0`, `0.1`, `1e+20`, `5e-324`.
        var text = value.description
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    private mutating func writeString(_ string: String) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    hex.withUTF8Buffer { digits in
                        output.append(UInt8(ascii: "u"))
                        output.append(UInt8(ascii: "0"))
                        output.append(UInt8(ascii: "0"))
                        output.append(digits[Int(byte >> 4)])
                        output.append(digits[Int(byte & 0x0F)])
                    }
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        output.append(UInt8(ascii: "\""))
    }
}
