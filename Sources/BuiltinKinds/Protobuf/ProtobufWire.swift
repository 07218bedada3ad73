/// The protobuf wire types Kubernetes messages use.
enum ProtobufWireType: Int, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// Reads protobuf fields from a byte range, checking every bound.
///
/// A reader never copies: a nested message is read by a new reader over a sub-range of the same
/// array.
struct ProtobufReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    /// The JSON path of the message being read, for errors.
    let path: String

    init(_ bytes: [UInt8], range: Range<Int>? = nil, path: String = "") {
        self.bytes = bytes
        let range = range ?? bytes.indices
        self.position = range.lowerBound
        self.end = range.upperBound
        self.path = path
    }

    var isAtEnd: Bool { position >= end }

    /// A varint of up to ten bytes.
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ProtobufError.truncated(path: path) }
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { throw ProtobufError.malformedVarint(path: path) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ProtobufError.malformedVarint(path: path) }
        }
    }

    /// A field's key: its number and wire type.
    mutating func readKey() throws -> (number: Int, wireType: ProtobufWireType) {
        let key = try readVarint()
        let number = key >> 3
        guard number > 0, number <= 536_870_911 else {
            throw ProtobufError.invalidValue(path: path, reason: "field number \(number) is out of range")
        }
        guard let wireType = ProtobufWireType(rawValue: Int(key & 7)) else {
            throw ProtobufError.wrongWireType(path: path, wireType: Int(key & 7))
        }
        return (Int(number), wireType)
    }

    mutating func readFixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw ProtobufError.truncated(path: path) }
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(bytes[position + offset]) << (8 * UInt64(offset)) }
        position += 8
        return value
    }

    mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw ProtobufError.truncated(path: path) }
        var value: UInt32 = 0
        for offset in 0..<4 { value |= UInt32(bytes[position + offset]) << (8 * UInt32(offset)) }
        position += 4
        return value
    }

    /// The range of a length-delimited field's contents.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else { throw ProtobufError.truncated(path: path) }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    /// Skips a field of an unknown number, as protobuf readers do.
    mutating func skip(_ wireType: ProtobufWireType) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        }
    }
}

/// Writes protobuf fields.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func writeKey(_ number: Int, _ wireType: ProtobufWireType) {
        writeVarint(UInt64(number) << 3 | UInt64(wireType.rawValue))
    }

    mutating func writeFixed64(_ value: UInt64) {
        for offset in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(offset)))) }
    }

    mutating func writeLengthDelimited(_ number: Int, _ contents: some Collection<UInt8>) {
        writeKey(number, .lengthDelimited)
        writeVarint(UInt64(contents.count))
        bytes.append(contentsOf: contents)
    }
}
