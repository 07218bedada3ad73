import OrderedCollections
/// The 32-bit FNV-1a hash, as Go's `hash/fnv.New32a` computes it.
///
/// ConfigMap names of config files end with this hash of the file path in decimal; generated
/// trait names use it too.
enum FNV1a {
    static func hash32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }

    static func hash32(_ text: String) -> UInt32 {
        hash32(text.utf8)
    }
}
