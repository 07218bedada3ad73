import Resources

/// The `pod-template-hash` of a Deployment's template: what names its ReplicaSets
/// (`<deployment>-<hash>`) and labels their Pods.
///
/// Like kube it is the 32-bit FNV-1a hash of the template, with the Deployment's
/// `status.collisionCount` appended when set, written in decimal and each digit mapped to
/// kube's alphabet of consonants and digits (`bcdfghjklmnpqrstvwxz2456789`), so that the
/// values look like kube's (up to ten characters: `7887448d46`) and are stable for a template.
/// kube hashes Go's printing of its typed struct, which nothing outside Go reproduces; this
/// hashes the template's canonical JSON (sorted keys) instead, so the values differ from a
/// cluster's for the same template.
enum DeploymentPodTemplateHash {
    /// The characters kube's `rand.SafeEncodeString` maps to.
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    /// The hash of `template` (a `PodTemplateSpec`) with `collisionCount`.
    static func hash(of template: JSONValue, collisionCount: Int64?) -> String {
        var hasher = FNV1a.Hasher32()
        template.writeJSON(to: &hasher, sortedKeys: true)
        if let collisionCount {
            // kube writes the count as four little-endian bytes in an eight-byte buffer.
            let count = UInt32(truncatingIfNeeded: collisionCount)
            for shift in stride(from: 0, to: 32, by: 8) { hasher.append(UInt8(truncatingIfNeeded: count >> UInt32(shift))) }
            for _ in 0..<4 { hasher.append(0) }
        }
        return safeEncode(String(hasher.hash))
    }

    /// Each character of `text` mapped to the alphabet by its code, as kube's `SafeEncodeString`.
    static func safeEncode(_ text: String) -> String {
        String(decoding: text.utf8.map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }

    /// The ReplicaSet's name: the Deployment's, cut so that the whole stays a valid name
    /// (253 characters), `-` and the hash.
    static func replicaSetName(deployment: String, hash: String) -> String {
        let room = 253 - 1 - hash.count
        let prefix = deployment.count > room && room > 0 ? String(deployment.prefix(room)) : deployment
        return "\(prefix)-\(hash)"
    }
}
