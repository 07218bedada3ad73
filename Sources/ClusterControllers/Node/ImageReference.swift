/// A container image reference as the container runtime normalises it (`nginx` is
/// `docker.io/library/nginx:latest`), with the stable digest the simulated node reports as its
/// `imageID`, and whether it can be pulled: an image whose registry host is under the reserved
/// `.invalid` domain never is.
struct ImageReference: Sendable, Hashable {
    /// The reference as the Pod spec writes it.
    let original: String
    /// `docker.io`, `ghcr.io`, `localhost:5000`…
    let registry: String
    /// `library/nginx`, `org/app`…
    let repository: String
    /// `latest` when neither tag nor digest is given.
    let tag: String?
    /// `sha256:…` when the reference pins one.
    let digest: String?

    init(_ text: String) {
        original = text
        var rest = text
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = String(rest[..<at])
        } else {
            digest = nil
        }
        var parsedTag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            parsedTag = String(rest[rest.index(after: colon)...])
            rest = String(rest[..<colon])
        }
        let parts = rest.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            registry = parts[0]
            repository = parts[1]
        } else {
            registry = "docker.io"
            repository = parts.count == 1 ? "library/\(rest)" : rest
        }
        tag = parsedTag ?? (digest == nil ? "latest" : nil)
    }

    /// `docker.io/library/nginx:latest`, as the runtime reports the image of a container.
    var normalized: String {
        if let digest { return "\(registry)/\(repository)@\(digest)" }
        return "\(registry)/\(repository):\(tag ?? "latest")"
    }

    /// `docker.io/library/nginx@sha256:<64 hex digits>`: the pinned digest, or one derived
    /// from the normalised name, the same on every run.
    var imageID: String {
        "\(registry)/\(repository)@\(digest ?? "sha256:" + Self.stableHex(normalized))"
    }

    /// Whether pulling fails: the registry host is under `.invalid` (RFC 2606, never resolvable).
    var neverPulls: Bool {
        let host = registry.split(separator: ":").first.map(String.init) ?? registry
        return host == "invalid" || host.hasSuffix(".invalid")
    }

    /// The error the runtime gives for a pull of an image whose registry cannot be resolved.
    var pullError: String {
        let host = registry.split(separator: ":").first.map(String.init) ?? registry
        let reference = tag ?? digest ?? "latest"
        return "failed to pull and unpack image \"\(normalized)\": failed to resolve reference \"\(normalized)\": "
            + "failed to do request: Head \"https://\(registry)/v2/\(repository)/manifests/\(reference)\": "
            + "dial tcp: lookup \(host): no such host"
    }

    /// 64 hex digits from `text`: four FNV-1a hashes with different seeds.
    static func stableHex(_ text: String) -> String {
        var result = ""
        for seed in 0..<UInt64(4) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (seed &* 0x9e37_79b9_7f4a_7c15)
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            let digits = String(hash, radix: 16)
            result += String(repeating: "0", count: 16 - digits.count) + digits
        }
        return result
    }
}
