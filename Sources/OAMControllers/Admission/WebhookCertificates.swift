import Crypto
import Foundation
import SwiftASN1
import X509
import ControllerRuntime

/// A CA made for one webhook server run and the serving certificate it signed, both in memory.
///
/// The API server trusts the CA through the `caBundle` of the webhook configurations, which
/// ``WebhookRegistration`` writes at every start; so nothing is kept on disk and no cert-manager
/// is needed.
///
/// ```swift
/// let certificates = try WebhookCertificates(hosts: ["mizzen-webhook.oam-system.svc", "127.0.0.1"])
/// certificates.caCertificatePEM     // the caBundle, PEM
/// ```
public struct WebhookCertificates: Sendable {
    /// The CA certificate, PEM.
    public var caCertificatePEM: String
    /// The serving certificate, PEM.
    public var certificatePEM: String
    /// The serving certificate's private key, PEM.
    public var privateKeyPEM: String

    /// Makes a CA and a serving certificate for `hosts` (DNS names or IPv4 addresses), valid
    /// for a year.
    public init(hosts: [String]) throws {
        let now = Date()
        let caKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let caName = try DistinguishedName { CommonName("mizzen-webhook-ca") }
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caKey.publicKey,
            notValidBefore: now - 300, notValidAfter: now + 366 * 86_400, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: caKey)
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now - 300, notValidAfter: now + 365 * 86_400, issuer: caName,
            subject: try DistinguishedName { CommonName(hosts.first ?? "mizzen-webhook") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(hosts.map(Self.generalName))
            },
            issuerPrivateKey: caKey)
        caCertificatePEM = try ca.serializeAsPEM().pemString
        certificatePEM = try certificate.serializeAsPEM().pemString
        privateKeyPEM = try key.serializeAsPEM().pemString
    }

    /// An IP address SAN for a dotted quad, a DNS name otherwise.
    static func generalName(_ host: String) -> GeneralName {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        if parts.count == 4, host.split(separator: ".", omittingEmptySubsequences: false).count == 4 {
            return .ipAddress(ASN1OctetString(contentBytes: parts[...]))
        }
        return .dnsName(host)
    }
}
