/// The 32-bit FNV-1a hash of a string's UTF-8 bytes, as Go's `hash/fnv.New32a` computes it.
///
/// ConfigMap names of config files end with this hash of the file path in decimal.
enum FNV1a {
    static func hash32(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }
}
