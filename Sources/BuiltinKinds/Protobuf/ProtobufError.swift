/// Why a protobuf body could not be read or an object could not be written as protobuf.
///
/// Each case says where (the message and field, as a dotted JSON path) and what is wrong, so that
/// the API server can answer a 400 that a user can act on.
public enum ProtobufError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The body does not start with the `k8s\0` magic of Kubernetes protobuf.
    case missingMagic
    /// The bytes end inside a field.
    case truncated(path: String)
    /// A varint longer than ten bytes.
    case malformedVarint(path: String)
    /// A wire type this codec does not know (3, 4: groups; 6, 7: reserved), or one that does not
    /// fit the field's type.
    case wrongWireType(path: String, wireType: Int)
    /// No message is known for this apiVersion and kind (custom resources have none).
    case unknownKind(apiVersion: String, kind: String)
    /// A field's value cannot be read (bad UTF-8, bad timestamp, bad embedded JSON, …).
    case invalidValue(path: String, reason: String)
    /// Messages nested deeper than ``ProtobufCodec/maxDepth``.
    case tooDeep(path: String)
    /// The envelope names an encoding this codec does not read (for example gzip).
    case unsupportedContentEncoding(String)

    public var description: String {
        switch self {
        case .missingMagic: "the body is not Kubernetes protobuf: it does not start with \"k8s\\0\""
        case .truncated(let path): "the protobuf body ends in the middle of \(path.isEmpty ? "the object" : path)"
        case .malformedVarint(let path): "malformed varint in \(path.isEmpty ? "the object" : path)"
        case .wrongWireType(let path, let wireType):
            "unexpected protobuf wire type \(wireType) for \(path.isEmpty ? "the object" : path)"
        case .unknownKind(let apiVersion, let kind):
            "no protobuf serialization is known for \(kind) in \(apiVersion.isEmpty ? "the core group" : apiVersion)"
        case .invalidValue(let path, let reason): "invalid value for \(path.isEmpty ? "the object" : path): \(reason)"
        case .tooDeep(let path): "the object is nested too deeply at \(path)"
        case .unsupportedContentEncoding(let encoding): "unsupported protobuf content encoding \"\(encoding)\""
        }
    }
}
