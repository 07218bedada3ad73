import FuzzSupport
import BuiltinKinds
import Resources

/// Protobuf bodies (`application/vnd.kubernetes.protobuf`) and watch frames: decoding, and
/// for a body that decodes, encoding it again and decoding that gives the same object (null
/// members aside).
enum ProtobufTarget {
    static func run(_ bytes: [UInt8]) {
        _ = try? ProtobufCodec.typeMeta(of: bytes)
        _ = try? ProtobufCodec.decodeWatchFrames(bytes)
        guard let object = try? ProtobufCodec.decode(bytes) else { return }
        guard let encoded = try? ProtobufCodec.encode(object) else { return }
        guard let again = try? ProtobufCodec.decode(encoded) else {
            broken("a re-encoded body does not decode: \(object)")
        }
        // A null member and a missing one are the same message (Go's nil pointer, as
        // `fieldsV1: null` from a FieldsV1 without raw bytes): compare without them.
        if again.withoutNulls != object.withoutNulls, object.isFinite { broken("\(object) came back as \(again)") }
    }
}

extension JSONValue {
    /// The value with every null object member removed, at any depth.
    var withoutNulls: JSONValue {
        switch self {
        case .array(let elements): return .array(elements.map(\.withoutNulls))
        case .object(let members):
            var kept = members
            kept.removeAll { $0.value.isNull }
            return .object(kept.mapValues(\.withoutNulls))
        default: return self
        }
    }
}
