import Foundation
import OrderedCollections
import Resources

/// The bearer token every request must carry, and the kubeconfig that hands it to clients.
public struct Credentials: Sendable {
    /// The bearer token.
    public var token: String

    /// Loads the token of `directory` (`token`, mode 0600), creating a random one when missing.
    public static func loadOrCreate(in directory: URL) throws -> Credentials {
        let file = directory.appendingPathComponent("token")
        if let existing = try? String(contentsOf: file, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), existing.count >= 32
        {
            return Credentials(token: existing)
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        try ServingCertificates.write(token + "\n", to: file, mode: 0o600)
        return Credentials(token: token)
    }

    /// A kubeconfig for `server` (an `https://` or `http://` URL) trusting `caCertificatePEM`.
    public func kubeconfig(server: String, caCertificatePEM: String?, context: String = "mizzen") -> JSONValue {
        var cluster: JSONObject = ["server": .string(server)]
        if let caCertificatePEM {
            cluster["certificate-authority-data"] = .string(Data(caCertificatePEM.utf8).base64EncodedString())
        }
        return [
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [["name": .string(context), "cluster": .object(cluster)]],
            "users": [["name": .string(context), "user": ["token": .string(token)]]],
            "contexts": [[
                "name": .string(context),
                "context": ["cluster": .string(context), "user": .string(context), "namespace": "default"],
            ]],
            "current-context": .string(context),
            "preferences": [:],
        ]
    }

    /// Writes the kubeconfig to `file` with mode 0600.
    public func writeKubeconfig(to file: URL, server: String, caCertificatePEM: String?) throws {
        let text = kubeconfig(server: server, caCertificatePEM: caCertificatePEM).yamlString()
        try ServingCertificates.write(text, to: file, mode: 0o600)
    }

    /// Whether an `Authorization` header value carries this token. Compares in constant time.
    public func authorizes(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let presented = Array(header.dropFirst("Bearer ".count).utf8)
        let expected = Array(token.utf8)
        guard presented.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(presented, expected) { difference |= a ^ b }
        return difference == 0
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
