import Resources

extension ProtobufCodec {
    /// The content type of a protobuf watch stream.
    public static let watchMediaType = "application/vnd.kubernetes.protobuf;stream=watch"

    /// Whether the resources under an API path (`/api/v1/…`, `/apis/apps/v1/…`) are built-in
    /// kinds with a protobuf form, so that a watch there can stream protobuf.
    public static func servesProtobuf(path: String) -> Bool {
        let segments = path.split(separator: "/")
        let apiVersion: String
        if segments.first == "api", segments.count > 1 {
            apiVersion = String(segments[1])
        } else if segments.first == "apis", segments.count > 2 {
            apiVersion = "\(segments[1])/\(segments[2])"
        } else {
            return false
        }
        return ProtobufSchema.builtin.apiVersions.contains(apiVersion)
    }

    /// One frame of a protobuf watch stream, as kube-apiserver writes it: a 4-byte big-endian
    /// length, then a `meta/v1 WatchEvent` message (no envelope) whose `object` is a
    /// `RawExtension` holding the object's full protobuf body (with its envelope).
    ///
    /// - Parameter event: `{"type": "ADDED", "object": {…}}`, as the JSON stream writes it.
    public static func watchFrame(for event: JSONValue) throws -> [UInt8] {
        let type = event["type"]?.stringValue ?? ""
        let object = try encode(event["object"] ?? .null)
        var raw = ProtobufWriter()
        raw.writeLengthDelimited(1, object)
        var message = ProtobufWriter()
        message.writeLengthDelimited(1, Array(type.utf8))
        message.writeLengthDelimited(2, raw.bytes)
        let length = UInt32(message.bytes.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + message.bytes
    }

    /// The events of a protobuf watch stream's bytes (whole frames only), each as
    /// `{"type": …, "object": …}`.
    public static func decodeWatchFrames(_ bytes: [UInt8]) throws -> [JSONValue] {
        var events: [JSONValue] = []
        var position = 0
        while bytes.count - position >= 4 {
            let length = Int(bytes[position]) << 24 | Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8
                | Int(bytes[position + 3])
            guard bytes.count - position - 4 >= length else { break }
            let frame = (position + 4)..<(position + 4 + length)
            position = frame.upperBound
            var reader = ProtobufReader(bytes, range: frame, path: "watch event")
            var type = ""
            var object: JSONValue = .null
            while !reader.isAtEnd {
                let (number, wireType) = try reader.readKey()
                guard wireType == .lengthDelimited, number == 1 || number == 2 else {
                    try reader.skip(wireType)
                    continue
                }
                let contents = try reader.readLengthDelimited()
                if number == 1 {
                    type = String(decoding: bytes[contents], as: UTF8.self)
                    continue
                }
                var extensionReader = ProtobufReader(bytes, range: contents, path: "watch event object")
                while !extensionReader.isAtEnd {
                    let (field, fieldType) = try extensionReader.readKey()
                    guard field == 1, fieldType == .lengthDelimited else {
                        try extensionReader.skip(fieldType)
                        continue
                    }
                    object = try decode(Array(bytes[try extensionReader.readLengthDelimited()]))
                }
            }
            events.append(["type": .string(type), "object": object])
        }
        return events
    }
}
