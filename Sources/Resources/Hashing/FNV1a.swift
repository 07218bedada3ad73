/// The 32-bit FNV-1a hash, as Go's `hash/fnv.New32a` computes it.
///
/// OAM names things with it: ConfigMaps of config files end with the hash of the file path, and
/// generated trait names with the hash of the trait entry's canonical JSON.
public enum FNV1a {
    /// The hash of `bytes`.
    public static func hash32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var hasher = Hasher32()
        for byte in bytes { hasher.append(byte) }
        return hasher.hash
    }

    /// The hash of the UTF-8 bytes of `text`.
    public static func hash32(_ text: String) -> UInt32 {
        hash32(text.utf8)
    }

    /// An FNV-1a state that JSON can be written into, so that hashing a value builds no text.
    public struct Hasher32: JSONOutput {
        public private(set) var hash: UInt32 = 2_166_136_261

        public init() {}

        public mutating func append(_ byte: UInt8) {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }

        public mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
            for byte in bytes { append(byte) }
        }
    }
}

extension JSONValue {
    /// The FNV-1a hash of the value's compact JSON with sorted keys: equal for equal values,
    /// whatever their member order.
    public var canonicalHash: UInt32 {
        var hasher = FNV1a.Hasher32()
        writeJSON(to: &hasher, sortedKeys: true)
        return hasher.hash
    }
}
