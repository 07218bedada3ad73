@testable import BuiltinKinds
import OrderedCollections
import Resources
import Testing

/// Malformed protobuf bodies are refused with an error that says what is wrong; nothing crashes.
@Suite("Protobuf malformed input")
struct ProtobufMalformedInputTests {
    /// A body whose envelope names `apiVersion`/`kind` and carries `raw`.
    func body(apiVersion: String = "v1", kind: String = "ConfigMap", raw: [UInt8]) -> [UInt8] {
        var typeMeta = ProtobufWriter()
        typeMeta.writeLengthDelimited(1, Array(apiVersion.utf8))
        typeMeta.writeLengthDelimited(2, Array(kind.utf8))
        var envelope = ProtobufWriter()
        envelope.bytes = ProtobufCodec.magic
        envelope.writeLengthDelimited(1, typeMeta.bytes)
        envelope.writeLengthDelimited(2, raw)
        return envelope.bytes
    }

    @Test("a body without the k8s magic is not protobuf")
    func missingMagic() {
        #expect(throws: ProtobufError.missingMagic) { try ProtobufCodec.decode(Array("{}".utf8)) }
        #expect(throws: ProtobufError.missingMagic) { try ProtobufCodec.decode([]) }
    }

    @Test("every truncation of a valid body fails cleanly or decodes a prefix, never crashes")
    func truncated() throws {
        let bytes = try ProtobufCodec.encode(try json("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","labels":{"a":"b"}},"data":{"k":"v"}}
            """))
        for length in 4..<bytes.count {
            _ = try? ProtobufCodec.decode(Array(bytes.prefix(length)))
        }
        #expect(throws: ProtobufError.self) { try ProtobufCodec.decode(Array(bytes.dropLast())) }
        // A length that runs past the end.
        #expect(throws: ProtobufError.truncated(path: "")) {
            try ProtobufCodec.decode(ProtobufCodec.magic + [0x12, 0x40, 0x01])
        }
    }

    @Test("a varint longer than ten bytes is malformed")
    func badVarint() {
        let raw: [UInt8] = [0x08] + Array(repeating: 0xFF, count: 11)
        #expect(throws: ProtobufError.self) {
            try ProtobufCodec.decode(body(kind: "ConfigMap", raw: [0x28] + raw.dropFirst()))
        }
        var reader = ProtobufReader(Array(repeating: 0xFF, count: 11))
        #expect(throws: ProtobufError.malformedVarint(path: "")) { try reader.readVarint() }
    }

    @Test("a field with the wrong wire type names its path")
    func wrongWireType() {
        // metadata (field 1 of ConfigMap) sent as a varint.
        #expect(throws: ProtobufError.wrongWireType(path: "metadata", wireType: 0)) {
            try ProtobufCodec.decode(body(raw: [0x08, 0x01]))
        }
        // metadata.name (field 1 of ObjectMeta) sent as fixed64.
        #expect(throws: ProtobufError.wrongWireType(path: "metadata.name", wireType: 1)) {
            try ProtobufCodec.decode(body(raw: [0x0A, 0x09, 0x09, 1, 2, 3, 4, 5, 6, 7, 8]))
        }
        // Groups (wire type 3) are not used by Kubernetes.
        #expect(throws: ProtobufError.wrongWireType(path: "", wireType: 3)) {
            try ProtobufCodec.decode(body(raw: [0x0B]))
        }
    }

    @Test("an unknown kind, or a compressed envelope, is refused")
    func unknownKind() {
        #expect(throws: ProtobufError.unknownKind(apiVersion: "example.com/v1", kind: "Widget")) {
            try ProtobufCodec.decode(body(apiVersion: "example.com/v1", kind: "Widget", raw: []))
        }
        var envelope = ProtobufWriter()
        envelope.bytes = ProtobufCodec.magic
        envelope.writeLengthDelimited(3, Array("gzip".utf8))
        #expect(throws: ProtobufError.unsupportedContentEncoding("gzip")) { try ProtobufCodec.decode(envelope.bytes) }
    }

    @Test("unknown fields are skipped, as protobuf readers do")
    func unknownFieldsSkipped() throws {
        var meta = ProtobufWriter()
        meta.writeLengthDelimited(1, Array("x".utf8))
        var raw = ProtobufWriter()
        raw.writeKey(99, .varint)
        raw.writeVarint(5)
        raw.writeLengthDelimited(1, meta.bytes)
        let decoded = try ProtobufCodec.decode(body(raw: raw.bytes))
        #expect(decoded["metadata"]?["name"] == "x")
    }

    @Test("messages nested past the depth limit are refused")
    func tooDeep() throws {
        // A CRD schema nested 150 levels through `not`.
        var schema: JSONValue = ["type": "string"]
        for _ in 0..<150 { schema = ["not": schema] }
        let crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "spec": ["versions": [["name": "v1", "schema": ["openAPIV3Schema": schema]]]],
        ]
        #expect(throws: ProtobufError.self) { try ProtobufCodec.encode(crd) }
        // Build the deep bytes by hand and decode them.
        var inner: [UInt8] = []
        for _ in 0..<150 {
            var writer = ProtobufWriter()
            writer.writeLengthDelimited(28, inner)
            inner = writer.bytes
        }
        let decoder = ProtobufDecoder(schema: .builtin)
        #expect(throws: ProtobufError.self) {
            try decoder.decode("apiextensions/v1.JSONSchemaProps", inner, inner.indices, path: "", depth: 0)
        }
    }

    @Test("a value of the wrong JSON type is refused when encoding, naming its path")
    func wrongJSONType() throws {
        #expect(throws: ProtobufError.invalidValue(path: "data.a", reason: "expected a string, got integer")) {
            try ProtobufCodec.encode(try json(#"{"apiVersion":"v1","kind":"ConfigMap","data":{"a":1}}"#))
        }
        #expect(throws: ProtobufError.invalidValue(path: "spec.replicas", reason: "expected an integer, got string")) {
            try ProtobufCodec.encode(try json(#"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":"3"}}"#))
        }
    }
}
