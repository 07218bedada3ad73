import Crypto
import Foundation
import Resources

/// Compact JSON Web Signatures (RFC 7515) of JSON claims, signed with ES256 (ECDSA P-256 and
/// SHA-256, the signature as the 64 bytes `r ‖ s`): `base64url(header).base64url(claims).base64url(signature)`.
///
/// Only what ServiceAccount tokens need: one algorithm, a `kid` in the header, no other JOSE
/// features.
///
/// ```swift
/// let token = try JSONWebToken.sign(["sub": "me"], key: key, keyID: "k1")
/// let claims = try JSONWebToken.verify(token, publicKey: key.publicKey)   // ["sub": "me"]
/// ```
public enum JSONWebToken {
    /// Why a token is not accepted.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not three base64url parts of JSON objects.
        case malformed(String)
        /// A header `alg` other than ES256.
        case unsupportedAlgorithm(String)
        /// The signature does not verify with the key.
        case badSignature

        public var description: String {
            switch self {
            case .malformed(let detail): "malformed token: \(detail)"
            case .unsupportedAlgorithm(let name): "unsupported signing algorithm \"\(name)\""
            case .badSignature: "invalid signature"
            }
        }
    }

    /// The `alg` of every token written here.
    public static let algorithm = "ES256"

    /// Signs `claims` (a JSON object) with `key`, the header naming `keyID`.
    public static func sign(_ claims: JSONValue, key: P256.Signing.PrivateKey, keyID: String) throws -> String {
        let header: JSONValue = ["alg": .string(algorithm), "kid": .string(keyID)]
        let signingInput = Base64URL.encode(header.jsonBytes()) + "." + Base64URL.encode(claims.jsonBytes())
        let signature = try key.signature(for: Data(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// Whether `text` has the shape of a compact JWS (three dot-separated parts, the first a
    /// base64url JSON object); a cheap check before verifying.
    public static func looksLikeToken(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(parts[0]) else { return false }
        return header.first == UInt8(ascii: "{")
    }

    /// The claims of `token` once its signature verifies with `publicKey`.
    ///
    /// - Throws: ``Failure`` when the token is malformed, not ES256 or not signed by the key.
    public static func verify(_ token: String, publicKey: P256.Signing.PublicKey) throws(Failure) -> JSONValue {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("expected 3 parts, found \(parts.count)") }
        guard let headerBytes = Base64URL.decode(parts[0]), let header = try? JSONValue(parsingJSON: headerBytes),
            header.objectValue != nil
        else { throw .malformed("the header is not base64url-encoded JSON") }
        guard let alg = header["alg"]?.stringValue, alg == algorithm else {
            throw .unsupportedAlgorithm(header["alg"]?.stringValue ?? "")
        }
        guard let signatureBytes = Base64URL.decode(parts[2]),
            let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes)
        else { throw .badSignature }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        guard publicKey.isValidSignature(signature, for: signingInput) else { throw .badSignature }
        guard let claimsBytes = Base64URL.decode(parts[1]), let claims = try? JSONValue(parsingJSON: claimsBytes),
            claims.objectValue != nil
        else { throw .malformed("the claims are not base64url-encoded JSON") }
        return claims
    }
}

/// Base64 with the URL alphabet and no padding (RFC 4648 §5), as JWS writes its parts.
enum Base64URL {
    static func encode(_ bytes: some DataProtocol) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// The bytes of `text`; `nil` when it holds characters outside the alphabet.
    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = base64.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { base64 += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
