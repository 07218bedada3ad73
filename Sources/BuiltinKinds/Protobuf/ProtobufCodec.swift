import OrderedCollections
import Resources

/// Kubernetes protobuf (`application/vnd.kubernetes.protobuf`) for the built-in kinds, to and
/// from the `JSONValue` the rest of Mizzen works with.
///
/// A body is the magic `k8s\0` followed by a `runtime.Unknown` envelope: `typeMeta` (apiVersion,
/// kind), `raw` (the object's message), `contentEncoding` and `contentType`. The messages come
/// from a table generated from the Go API types (`scripts/gen-protobuf-table.py`); custom
/// resources have none, as in kube-apiserver.
///
/// ```swift
/// let bytes = try ProtobufCodec.encode(["apiVersion": "v1", "kind": "ConfigMap",
///                                       "metadata": ["name": "settings"], "data": ["a": "1"]])
/// let object = try ProtobufCodec.decode(bytes)   // the same object, as kube-apiserver's JSON
/// ```
public enum ProtobufCodec {
    /// The media type of Kubernetes protobuf.
    public static let mediaType = "application/vnd.kubernetes.protobuf"
    /// The four bytes every Kubernetes protobuf body starts with.
    public static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]
    /// How deeply messages may nest before a body is refused.
    public static let maxDepth = 100

    /// Whether objects of this apiVersion and kind have a protobuf form.
    public static func hasMessage(apiVersion: String, kind: String) -> Bool {
        ProtobufSchema.builtin.message(apiVersion: apiVersion, kind: kind) != nil
    }

    /// The apiVersion and kind named by a protobuf body's envelope.
    public static func typeMeta(of bytes: [UInt8]) throws -> (apiVersion: String, kind: String) {
        let envelope = try Envelope(bytes)
        return (envelope.apiVersion, envelope.kind)
    }

    /// The object in a protobuf body, as kube-apiserver's JSON encoding would write it (starting
    /// with `kind` and `apiVersion`).
    ///
    /// - Throws: ``ProtobufError`` for a body that is not protobuf, is malformed, or names a kind
    ///   with no protobuf form.
    public static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        try decode(bytes, depth: 0)
    }

    static func decode(_ bytes: [UInt8], depth: Int) throws -> JSONValue {
        let envelope = try Envelope(bytes)
        let schema = ProtobufSchema.builtin
        guard let message = schema.message(apiVersion: envelope.apiVersion, kind: envelope.kind) else {
            throw ProtobufError.unknownKind(apiVersion: envelope.apiVersion, kind: envelope.kind)
        }
        let body = try ProtobufDecoder(schema: schema).decode(message.name, bytes, envelope.raw, path: "", depth: depth)
        var object: JSONObject = ["kind": .string(envelope.kind), "apiVersion": .string(envelope.apiVersion)]
        if case .object(let members) = body {
            for (key, value) in members { object[key] = value }
        }
        return .object(object)
    }

    /// A protobuf body for an object of a built-in kind (its `apiVersion` and `kind` name the
    /// message), its list, or a `Status`.
    ///
    /// - Throws: ``ProtobufError/unknownKind(apiVersion:kind:)`` for a kind with no protobuf form,
    ///   ``ProtobufError/invalidValue(path:reason:)`` for a member of the wrong type.
    public static func encode(_ object: JSONValue) throws -> [UInt8] {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        let schema = ProtobufSchema.builtin
        guard let message = schema.message(apiVersion: apiVersion, kind: kind) else {
            throw ProtobufError.unknownKind(apiVersion: apiVersion, kind: kind)
        }
        let raw = try ProtobufEncoder(schema: schema).encode(message.name, object, path: "", depth: 0)
        var typeMeta = ProtobufWriter()
        typeMeta.writeLengthDelimited(1, Array(apiVersion.utf8))
        typeMeta.writeLengthDelimited(2, Array(kind.utf8))
        var envelope = ProtobufWriter()
        envelope.bytes = magic
        envelope.writeLengthDelimited(1, typeMeta.bytes)
        envelope.writeLengthDelimited(2, raw)
        envelope.writeLengthDelimited(3, [UInt8]())
        envelope.writeLengthDelimited(4, [UInt8]())
        return envelope.bytes
    }

    /// The `runtime.Unknown` envelope after the magic.
    struct Envelope {
        var apiVersion = ""
        var kind = ""
        var raw: Range<Int> = 0..<0

        init(_ bytes: [UInt8]) throws {
            guard bytes.starts(with: ProtobufCodec.magic) else { throw ProtobufError.missingMagic }
            var reader = ProtobufReader(bytes, range: ProtobufCodec.magic.count..<bytes.count)
            var contentEncoding = ""
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readKey()
                guard (1...4).contains(number) else {
                    try reader.skip(wireType)
                    continue
                }
                guard wireType == .lengthDelimited else {
                    throw ProtobufError.wrongWireType(path: "", wireType: wireType.rawValue)
                }
                let contents = try reader.readLengthDelimited()
                switch number {
                case 1:
                    var typeMeta = ProtobufReader(bytes, range: contents)
                    while !typeMeta.isAtEnd {
                        let (field, type) = try typeMeta.readKey()
                        guard field == 1 || field == 2 else {
                            try typeMeta.skip(type)
                            continue
                        }
                        guard type == .lengthDelimited else {
                            throw ProtobufError.wrongWireType(path: field == 1 ? "apiVersion" : "kind", wireType: type.rawValue)
                        }
                        let text = String(decoding: bytes[try typeMeta.readLengthDelimited()], as: UTF8.self)
                        if field == 1 { apiVersion = text } else { kind = text }
                    }
                case 2: raw = contents
                case 3: contentEncoding = String(decoding: bytes[contents], as: UTF8.self)
                default: break
                }
            }
            guard contentEncoding.isEmpty else { throw ProtobufError.unsupportedContentEncoding(contentEncoding) }
        }
    }
}
