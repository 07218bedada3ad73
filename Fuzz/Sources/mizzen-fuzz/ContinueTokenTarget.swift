import FuzzSupport
@testable import Store

/// `continue` tokens of paginated lists: a token that reads is written back to one that reads
/// the same.
enum ContinueTokenTarget {
    static func run(_ bytes: [UInt8]) {
        guard let token = try? ContinueToken(decoding: utf8Text(bytes)) else { return }
        guard let again = try? ContinueToken(decoding: token.encoded) else { broken("\(token) does not read back") }
        if again != token { broken("\(token) read back as \(again)") }
    }
}
