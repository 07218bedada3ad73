import OrderedCollections
public import Resources

/// The hash in generated trait names (spec §4.4 step 3): FNV-32a of the canonical JSON of the
/// trait entry, printed in decimal, each digit mapped into a consonant-and-digit alphabet so that
/// names never spell words.
public enum TraitNameHash {
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    /// The hash of `entry`: stable for equal entries whatever their key order.
    public static func hash(_ entry: JSONValue) -> String {
        let digits = String(entry.canonicalHash)
        return String(decoding: digits.utf8.map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }
}
