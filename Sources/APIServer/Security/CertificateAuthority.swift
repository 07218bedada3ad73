import Crypto
import Foundation
import SwiftASN1
import X509

/// The certificates the embedded API server serves TLS with: a CA made for this data directory
/// and a serving certificate it signed for `localhost` and `127.0.0.1`.
///
/// Both are kept in the data directory (keys with mode 0600) and reused on the next start, so a
/// kubeconfig written earlier stays valid. Nothing here calls openssl.
public struct ServingCertificates: Sendable {
    /// The CA certificate, PEM.
    public var caCertificatePEM: String
    /// The serving certificate, PEM.
    public var certificatePEM: String
    /// The serving certificate's private key, PEM.
    public var privateKeyPEM: String

    /// Loads the certificates of `directory`, creating them when missing or when the serving
    /// certificate does not cover `hosts`.
    ///
    /// - Parameters:
    ///   - directory: the data directory (`ca.crt`, `ca.key`, `apiserver.crt`, `apiserver.key`).
    ///   - hosts: names and IP addresses the serving certificate must cover.
    public static func loadOrCreate(in directory: URL, hosts: [String]) throws -> ServingCertificates {
        let files = Files(directory: directory)
        let (ca, caKey) = try loadOrCreateAuthority(files)
        if let existing = try? loadServing(files, ca: ca), existing.covers(hosts) {
            return ServingCertificates(
                caCertificatePEM: try ca.serializeAsPEM().pemString,
                certificatePEM: try existing.certificate.serializeAsPEM().pemString,
                privateKeyPEM: try String(contentsOf: files.servingKey, encoding: .utf8))
        }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now - 300, notValidAfter: now + 3 * 365 * 86_400, issuer: ca.subject,
            subject: try DistinguishedName { CommonName("mizzen-apiserver") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(hosts.map(Self.generalName))
            },
            issuerPrivateKey: caKey)
        let certificatePEM = try certificate.serializeAsPEM().pemString
        let keyPEM = try key.serializeAsPEM().pemString
        try write(certificatePEM, to: files.servingCertificate, mode: 0o644)
        try write(keyPEM, to: files.servingKey, mode: 0o600)
        return ServingCertificates(
            caCertificatePEM: try ca.serializeAsPEM().pemString, certificatePEM: certificatePEM,
            privateKeyPEM: keyPEM)
    }

    struct Files {
        var directory: URL
        var caCertificate: URL { directory.appendingPathComponent("ca.crt") }
        var caKey: URL { directory.appendingPathComponent("ca.key") }
        var servingCertificate: URL { directory.appendingPathComponent("apiserver.crt") }
        var servingKey: URL { directory.appendingPathComponent("apiserver.key") }
    }

    struct Serving {
        var certificate: Certificate

        func covers(_ hosts: [String]) -> Bool {
            guard let names = try? certificate.extensions.subjectAlternativeNames else { return false }
            let present = Set(names.map { "\($0)" })
            return hosts.allSatisfy { present.contains("\(ServingCertificates.generalName($0))") }
                && certificate.notValidAfter > Date() + 86_400
        }
    }

    static func generalName(_ host: String) -> GeneralName {
        if let address = IPv4(host) { return .ipAddress(ASN1OctetString(contentBytes: address[...])) }
        return .dnsName(host)
    }

    static func loadOrCreateAuthority(_ files: Files) throws -> (Certificate, Certificate.PrivateKey) {
        if let certificatePEM = try? String(contentsOf: files.caCertificate, encoding: .utf8),
            let keyPEM = try? String(contentsOf: files.caKey, encoding: .utf8)
        {
            return (try Certificate(pemEncoded: certificatePEM), try Certificate.PrivateKey(pemEncoded: keyPEM))
        }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName("mizzen-ca") }
        let now = Date()
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now - 300, notValidAfter: now + 10 * 365 * 86_400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: key)
        try write(try ca.serializeAsPEM().pemString, to: files.caCertificate, mode: 0o644)
        try write(try key.serializeAsPEM().pemString, to: files.caKey, mode: 0o600)
        return (ca, key)
    }

    static func loadServing(_ files: Files, ca: Certificate) throws -> Serving {
        let pem = try String(contentsOf: files.servingCertificate, encoding: .utf8)
        let certificate = try Certificate(pemEncoded: pem)
        guard certificate.issuer == ca.subject else { throw CocoaError(.fileReadCorruptFile) }
        _ = try String(contentsOf: files.servingKey, encoding: .utf8)
        return Serving(certificate: certificate)
    }

    /// Writes `text` to `url` with the permissions `mode`, replacing the file atomically.
    static func write(_ text: String, to url: URL, mode: Int) throws {
        let temporary = url.appendingPathExtension("tmp")
        guard FileManager.default.createFile(
            atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
        else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary.path]) }
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary.path)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temporary, to: url)
    }
}

/// The four bytes of a dotted-quad IPv4 address.
private func IPv4(_ text: String) -> [UInt8]? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    var bytes: [UInt8] = []
    for part in parts {
        guard let byte = UInt8(part) else { return nil }
        bytes.append(byte)
    }
    return bytes
}
