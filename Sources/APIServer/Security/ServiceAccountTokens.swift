import Crypto
import Foundation
import OrderedCollections
import Resources

/// The claims of a ServiceAccount token, as kube-apiserver writes them: `aud`, `exp`, `iat`,
/// `iss`, `jti`, `kubernetes.io.{namespace, serviceaccount.{name, uid}}`, `nbf`, `sub`. Times are
/// seconds since 1970.
public struct ServiceAccountTokenClaims: Sendable, Hashable {
    public var issuer: String
    public var audiences: [String]
    public var issuedAt: Int64
    public var notBefore: Int64
    public var expiry: Int64
    /// `jti`: a fresh UUID per token.
    public var id: String
    public var namespace: String
    public var name: String
    /// The ServiceAccount's uid: a token dies with the object it was issued for.
    public var uid: String
    /// The Pod or Secret the token is bound to (`kubectl create token --bound-object-kind`): it
    /// dies with that object too.
    public var boundObject: BoundObject?

    /// An object a token is bound to.
    public struct BoundObject: Sendable, Hashable {
        /// `Pod` or `Secret`.
        public var kind: String
        public var name: String
        public var uid: String

        public init(kind: String, name: String, uid: String) {
            self.kind = kind
            self.name = name
            self.uid = uid
        }

        /// The member of `kubernetes.io` naming it: `pod` or `secret`.
        var claimName: String { kind.lowercased() }
    }

    public init(
        issuer: String, audiences: [String], issuedAt: Int64, notBefore: Int64, expiry: Int64, id: String,
        namespace: String, name: String, uid: String, boundObject: BoundObject? = nil
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.expiry = expiry
        self.id = id
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.boundObject = boundObject
    }

    /// `system:serviceaccount:<namespace>:<name>`.
    public var subject: String { ServiceAccountName.username(namespace: namespace, name: name) }

    /// `JTI=<id>`: the credential id kube reports in a user's `extra`.
    public var credentialID: String { "JTI=\(id)" }

    /// The claims object, keys in the order kube-apiserver's tokens have them.
    public var json: JSONValue {
        var kubernetes: JSONObject = ["namespace": .string(namespace)]
        if let boundObject {
            kubernetes[boundObject.claimName] = ["name": .string(boundObject.name), "uid": .string(boundObject.uid)]
        }
        kubernetes["serviceaccount"] = ["name": .string(name), "uid": .string(uid)]
        return [
            "aud": .array(audiences.map(JSONValue.string)), "exp": .int(expiry), "iat": .int(issuedAt),
            "iss": .string(issuer), "jti": .string(id), "kubernetes.io": .object(kubernetes),
            "nbf": .int(notBefore), "sub": .string(subject),
        ]
    }

    /// Reads the claims of a verified token.
    ///
    /// - Throws: ``ServiceAccountTokens/Failure/missingClaims(_:)`` naming what is absent.
    public init(json: JSONValue) throws(ServiceAccountTokens.Failure) {
        func string(_ value: JSONValue?, _ name: String) throws(ServiceAccountTokens.Failure) -> String {
            guard let text = value?.stringValue, !text.isEmpty else { throw .missingClaims(name) }
            return text
        }
        func time(_ name: String) throws(ServiceAccountTokens.Failure) -> Int64 {
            if let seconds = json[name]?.intValue { return seconds }
            if let seconds = json[name]?.doubleValue { return Int64(seconds) }
            throw .missingClaims(name)
        }
        let audiences: [String]
        switch json["aud"] {
        case .string(let single)?: audiences = [single]
        case .array(let many)?: audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        let kubernetes = json["kubernetes.io"]
        var bound: BoundObject?
        for kind in ["Pod", "Secret"] {
            guard let reference = kubernetes?[kind.lowercased()] else { continue }
            bound = BoundObject(
                kind: kind, name: try string(reference["name"], "kubernetes.io.\(kind.lowercased()).name"),
                uid: try string(reference["uid"], "kubernetes.io.\(kind.lowercased()).uid"))
        }
        self.init(
            issuer: try string(json["iss"], "iss"), audiences: audiences, issuedAt: try time("iat"),
            notBefore: json["nbf"] == nil ? try time("iat") : try time("nbf"), expiry: try time("exp"),
            id: json["jti"]?.stringValue ?? "",
            namespace: try string(kubernetes?["namespace"], "kubernetes.io.namespace"),
            name: try string(kubernetes?["serviceaccount"]?["name"], "kubernetes.io.serviceaccount.name"),
            uid: try string(kubernetes?["serviceaccount"]?["uid"], "kubernetes.io.serviceaccount.uid"), boundObject: bound)
        guard subject == json["sub"]?.stringValue else { throw .missingClaims("sub") }
    }
}

/// Issues and verifies the plane's ServiceAccount tokens (`kubectl create token`): JWTs signed
/// with ES256 by a key kept beside the plane's CA in its data directory (`sa.key`, mode 0600), so
/// tokens stay valid across restarts.
///
/// kube-apiserver signs with RS256; the claims, issuer and default audience here are kube's,
/// and clients treat the token as opaque.
///
/// ```swift
/// let tokens = try ServiceAccountTokens.loadOrCreate(in: dataDirectory)
/// let claims = tokens.claims(namespace: "web", name: "deployer", uid: uid, audiences: [],
///                            expirationSeconds: 3600, now: Date())
/// let jwt = try tokens.sign(claims)
/// try tokens.verify(jwt, now: Date()).subject   // "system:serviceaccount:web:deployer"
/// ```
public struct ServiceAccountTokens: Sendable {
    /// Why a token is not accepted; the request then gets 401 Unauthorized.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case token(JSONWebToken.Failure)
        case wrongIssuer(String)
        case missingClaims(String)
        case expired
        case notYetValid
        case issuedInTheFuture
        /// The token's audiences, and those the server (or a TokenReview) accepts.
        case wrongAudience([String], accepted: [String])

        /// `["a" "b"]`, as Go's `%q` prints a list of strings.
        static func quoted(_ values: [String]) -> String {
            "[" + values.map { "\"\($0)\"" }.joined(separator: " ") + "]"
        }

        public var description: String {
            switch self {
            case .token(let failure): "\(failure)"
            case .wrongIssuer(let issuer): "token issuer \"\(issuer)\" is not this server's"
            case .missingClaims(let name): "the token lacks the claim \(name)"
            case .expired: "service account token has expired"
            case .notYetValid: "service account token is not valid yet"
            case .issuedInTheFuture: "service account token is issued in the future"
            case .wrongAudience(let audiences, let accepted):
                "token audiences \(Self.quoted(audiences)) is invalid for the target audiences \(Self.quoted(accepted))"
            }
        }
    }

    /// kube-apiserver's usual `--service-account-issuer` (the reference kit's too).
    public static let defaultIssuer = "https://kubernetes.default.svc.cluster.local"
    /// How far clocks may disagree: go-jose's default leeway, which kube uses.
    public static let leeway: Int64 = 60
    /// `spec.expirationSeconds` when a TokenRequest gives none: one hour.
    public static let defaultExpirationSeconds: Int64 = 3600
    /// The shortest lifetime a TokenRequest may ask for: ten minutes.
    public static let minimumExpirationSeconds: Int64 = 600
    /// The longest lifetime a TokenRequest may ask for: 2^32 seconds.
    public static let maximumExpirationSeconds: Int64 = 1 << 32

    public let issuer: String
    /// The audiences the server accepts, and gives tokens that ask for none.
    public let audiences: [String]
    /// The `kid` of the tokens: base64url of the SHA-256 of the public key's DER, as kube computes it.
    public let keyID: String
    let key: P256.Signing.PrivateKey

    public init(key: P256.Signing.PrivateKey, issuer: String = defaultIssuer, audiences: [String]? = nil) {
        self.key = key
        self.issuer = issuer
        self.audiences = audiences ?? [issuer]
        self.keyID = Base64URL.encode(Array(SHA256.hash(data: key.publicKey.derRepresentation)))
    }

    /// The signer of `directory` (`sa.key`), creating its key when missing.
    public static func loadOrCreate(in directory: URL) throws -> ServiceAccountTokens {
        let file = directory.appendingPathComponent("sa.key")
        if let pem = try? String(contentsOf: file, encoding: .utf8) {
            return ServiceAccountTokens(key: try P256.Signing.PrivateKey(pemRepresentation: pem))
        }
        let key = P256.Signing.PrivateKey()
        try ServingCertificates.write(key.pemRepresentation + "\n", to: file, mode: 0o600)
        return ServiceAccountTokens(key: key)
    }

    /// The claims of a new token for a ServiceAccount, valid from `now` for `expirationSeconds`;
    /// empty `audiences` means the server's own.
    public func claims(
        namespace: String, name: String, uid: String, audiences: [String], expirationSeconds: Int64, now: Date,
        boundObject: ServiceAccountTokenClaims.BoundObject? = nil, id: String = UUID().uuidString.lowercased()
    ) -> ServiceAccountTokenClaims {
        let issuedAt = Int64(now.timeIntervalSince1970.rounded(.down))
        return ServiceAccountTokenClaims(
            issuer: issuer, audiences: audiences.isEmpty ? self.audiences : audiences, issuedAt: issuedAt,
            notBefore: issuedAt, expiry: issuedAt + expirationSeconds, id: id, namespace: namespace, name: name,
            uid: uid, boundObject: boundObject)
    }

    /// The signed token of `claims`.
    public func sign(_ claims: ServiceAccountTokenClaims) throws -> String {
        try JSONWebToken.sign(claims.json, key: key, keyID: keyID)
    }

    /// The claims of `token` when it is signed by this key, issued by this issuer for one of
    /// the server's audiences, and valid at `now` (give or take ``leeway``). Whether its
    /// ServiceAccount still exists is the caller's to check. `audiences` replaces the server's
    /// (a TokenReview may name others).
    public func verify(_ token: String, now: Date, audiences: [String]? = nil) throws(Failure)
        -> ServiceAccountTokenClaims
    {
        let accepted = audiences ?? self.audiences
        let json: JSONValue
        do {
            json = try JSONWebToken.verify(token, publicKey: key.publicKey)
        } catch {
            throw .token(error)
        }
        let claims = try ServiceAccountTokenClaims(json: json)
        guard claims.issuer == issuer else { throw .wrongIssuer(claims.issuer) }
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        guard seconds <= claims.expiry + Self.leeway else { throw .expired }
        guard seconds + Self.leeway >= claims.notBefore else { throw .notYetValid }
        guard seconds + Self.leeway >= claims.issuedAt else { throw .issuedInTheFuture }
        guard claims.audiences.contains(where: accepted.contains) else { throw .wrongAudience(claims.audiences, accepted: accepted) }
        return claims
    }
}
