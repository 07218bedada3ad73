import OrderedCollections
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server-assigned identifiers and timestamps of new objects.
enum Identifiers {
    /// A random (version 4) UUID, lower-case, as Kubernetes writes uids.
    static func uid() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The characters of generated names: kube's set, without vowels and look-alikes.
    private static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// `prefix` and five random characters, as `metadata.generateName` asks.
    static func generatedName(prefix: String) -> String {
        var suffix = ""
        for _ in 0..<5 { suffix.append(nameAlphabet.randomElement()!) }
        return prefix + suffix
    }

    /// Now, in RFC 3339 UTC with seconds (`2025-01-02T03:04:05Z`).
    static func timestamp() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
