import APIServer
import Crypto
import Foundation
import OrderedCollections
import Resources
import Testing

/// ServiceAccount tokens and impersonation as pure functions: no server.
@Suite("ServiceAccount tokens and impersonation")
struct AuthEndpointsTokenTests {
    let key = P256.Signing.PrivateKey()
    let tokens: ServiceAccountTokens
    let issued = Date(timeIntervalSince1970: 1_800_000_000)

    init() {
        tokens = ServiceAccountTokens(key: key)
    }

    func claims(expirationSeconds: Int64 = 3600, audiences: [String] = []) -> ServiceAccountTokenClaims {
        tokens.claims(
            namespace: "web", name: "deployer", uid: "1234", audiences: audiences,
            expirationSeconds: expirationSeconds, now: issued, id: "jti-1")
    }

    @Test("a token verifies and carries kube's claims")
    func roundTrip() throws {
        let token = try tokens.sign(claims())
        let verified = try tokens.verify(token, now: issued + 60)
        #expect(verified == claims())
        #expect(verified.subject == "system:serviceaccount:web:deployer")
        #expect(verified.audiences == ["https://kubernetes.default.svc.cluster.local"])
        #expect(verified.expiry == 1_800_003_600)
        #expect(verified.credentialID == "JTI=jti-1")
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        #expect(JSONWebToken.looksLikeToken(token))
        #expect(!JSONWebToken.looksLikeToken("0123456789abcdef"))
    }

    @Test("the header names ES256 and the key id, the claims keep kube's names")
    func headerAndClaims() throws {
        let token = try tokens.sign(claims())
        let parts = token.split(separator: ".").map(String.init)
        func decode(_ part: String) throws -> JSONValue {
            var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            return try JSONValue(parsingJSON: Data(base64Encoded: base64) ?? Data())
        }
        let header = try decode(parts[0])
        #expect(header["alg"] == "ES256")
        #expect(header["kid"]?.stringValue == tokens.keyID)
        let payload = try decode(parts[1])
        #expect(payload.objectValue?.keys.elements == ["aud", "exp", "iat", "iss", "jti", "kubernetes.io", "nbf", "sub"])
        #expect(payload["kubernetes.io"]?["serviceaccount"]?["uid"] == "1234")
        #expect(payload["kubernetes.io"]?["namespace"] == "web")
    }

    @Test("a tampered signature or payload is refused")
    func tampered() throws {
        let token = try tokens.sign(claims())
        var parts = token.split(separator: ".").map(String.init)
        var signature = Array(parts[2])
        signature[10] = signature[10] == "A" ? "B" : "A"
        let badSignature = [parts[0], parts[1], String(signature)].joined(separator: ".")
        #expect(throws: ServiceAccountTokens.Failure.token(.badSignature)) {
            try tokens.verify(badSignature, now: issued)
        }
        var other = claims()
        other.name = "admin"
        let forged = try ServiceAccountTokens(key: P256.Signing.PrivateKey()).sign(other)
        parts[1] = String(forged.split(separator: ".")[1])
        #expect(throws: ServiceAccountTokens.Failure.token(.badSignature)) {
            try tokens.verify(parts.joined(separator: "."), now: issued)
        }
    }

    @Test("a token signed by another key is refused")
    func otherKey() throws {
        let token = try ServiceAccountTokens(key: P256.Signing.PrivateKey()).sign(claims())
        #expect(throws: ServiceAccountTokens.Failure.token(.badSignature)) { try tokens.verify(token, now: issued) }
    }

    @Test("a token of another issuer is refused")
    func wrongIssuer() throws {
        let elsewhere = ServiceAccountTokens(key: key, issuer: "https://elsewhere.example")
        let token = try elsewhere.sign(elsewhere.claims(
            namespace: "web", name: "deployer", uid: "1234", audiences: [], expirationSeconds: 3600, now: issued))
        #expect(throws: ServiceAccountTokens.Failure.wrongIssuer("https://elsewhere.example")) {
            try tokens.verify(token, now: issued)
        }
    }

    @Test("an expired token is refused after a minute's leeway")
    func expired() throws {
        let token = try tokens.sign(claims(expirationSeconds: 600))
        _ = try tokens.verify(token, now: issued + 600 + 59)
        #expect(throws: ServiceAccountTokens.Failure.expired) { try tokens.verify(token, now: issued + 600 + 61) }
    }

    @Test("a token from the future is refused")
    func notYetValid() throws {
        let token = try tokens.sign(claims())
        #expect(throws: ServiceAccountTokens.Failure.notYetValid) { try tokens.verify(token, now: issued - 120) }
    }

    @Test("a token for another audience is refused unless that audience is asked for")
    func audiences() throws {
        let token = try tokens.sign(claims(audiences: ["vault"]))
        #expect(throws: ServiceAccountTokens.Failure.wrongAudience(
            ["vault"], accepted: ["https://kubernetes.default.svc.cluster.local"])) { try tokens.verify(token, now: issued) }
        #expect(try tokens.verify(token, now: issued, audiences: ["vault"]).audiences == ["vault"])
    }

    @Test("garbage is malformed, not a crash")
    func malformed() {
        for text in ["", "a.b", "a.b.c", "...", "eyJhbGciOiJFUzI1NiJ9.e30.", "e30.e30.e30", "!!.??.##"] {
            #expect(throws: ServiceAccountTokens.Failure.self) { try tokens.verify(text, now: issued) }
        }
        #expect(throws: ServiceAccountTokens.Failure.token(.unsupportedAlgorithm("none"))) {
            try tokens.verify("eyJhbGciOiJub25lIn0.e30.", now: issued)
        }
    }

    @Test("the key persists in the data directory")
    func persistence() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-sa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try ServiceAccountTokens.loadOrCreate(in: directory)
        let second = try ServiceAccountTokens.loadOrCreate(in: directory)
        #expect(first.keyID == second.keyID)
        let token = try first.sign(first.claims(
            namespace: "a", name: "b", uid: "c", audiences: [], expirationSeconds: 600, now: issued))
        #expect(try second.verify(token, now: issued).name == "b")
        let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("sa.key").path)[
            .posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    // MARK: Impersonation

    @Test("impersonating a user adds system:authenticated")
    func impersonateUser() throws {
        let user = try Impersonation.user(from: [("Impersonate-User", "jane"), ("Impersonate-Group", "dev")])
        #expect(user == UserInfo(username: "jane", groups: ["dev", "system:authenticated"]))
        #expect(try Impersonation.user(from: [("Authorization", "Bearer x")]) == nil)
    }

    @Test("impersonating a ServiceAccount gives its groups; uid and extras are carried")
    func impersonateServiceAccount() throws {
        let user = try Impersonation.user(from: [
            ("impersonate-user", "system:serviceaccount:web:deployer"), ("Impersonate-Uid", "42"),
            ("Impersonate-Extra-Scopes%2Fone", "a"), ("Impersonate-Extra-Scopes%2Fone", "b"),
        ])
        #expect(user?.groups == ["system:serviceaccounts", "system:serviceaccounts:web", "system:authenticated"])
        #expect(user?.uid == "42")
        #expect(user?.extra["scopes/one"] == ["a", "b"])
    }

    @Test("impersonating groups without a user is a bad request")
    func groupsWithoutUser() {
        #expect(throws: APIError.self) { try Impersonation.user(from: [("Impersonate-Group", "dev")]) }
    }

    @Test("userInfo JSON leaves out what is empty")
    func userInfoJSON() {
        #expect(UserInfo.admin.json == ["username": "admin", "uid": "admin-uid", "groups": ["system:masters", "system:authenticated"]])
        let account = UserInfo.serviceAccount(namespace: "web", name: "deployer", uid: "1", credentialID: "JTI=x")
        #expect(account.json["extra"] == ["authentication.kubernetes.io/credential-id": ["JTI=x"]])
        #expect(UserInfo(username: "jane").json == ["username": "jane"])
    }
}
