import Crypto
import Foundation
import X509

/// Reads what Arbiter keeps of an uploaded device certificate: one PEM `CERTIFICATE`
/// block, parsed with swift-certificates into `CertificateMetadata`. The DER bytes live
/// only for the duration of the call (hashing them gives `x5t#S256`); the body itself is
/// never stored.
public enum CertificateParser {
    /// Bigger than any sane leaf certificate, small enough to bound the parser's work.
    public static let maxPEMBytes = 16 * 1024

    public static func metadata(pem: String, now: Date = Date()) throws(DeviceCredentialError) -> CertificateMetadata {
        guard pem.utf8.count <= maxPEMBytes else {
            throw .invalidCertificate("the certificate is larger than \(maxPEMBytes) bytes")
        }
        if pem.contains("PRIVATE KEY") {
            throw .invalidCertificate("the upload carries a private key; send the certificate only")
        }
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        let blocks = pem.components(separatedBy: begin).count - 1
        guard blocks == 1, let start = pem.range(of: begin), let stop = pem.range(of: end), start.upperBound <= stop.lowerBound else {
            throw .invalidCertificate(blocks > 1
                ? "send exactly one certificate, not a chain"
                : "not a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)")
        }
        let body = pem[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)), !der.isEmpty else {
            throw .invalidCertificate("the PEM body is not base64")
        }
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: Array(der))
        } catch {
            throw .invalidCertificate("the PEM block is not an X.509 certificate")
        }
        let notBefore = certificate.notValidBefore, notAfter = certificate.notValidAfter
        guard notBefore < notAfter else { throw .invalidCertificate("the certificate's validity period is empty") }
        guard notAfter > now else { throw .invalidCertificate("the certificate expired at \(ISO8601DateFormatter().string(from: notAfter))") }
        let lifetime = notAfter.timeIntervalSince(notBefore)
        let warning = lifetime < 60 * 86400
            ? notBefore.addingTimeInterval(lifetime / 2)
            : notAfter.addingTimeInterval(-30 * 86400)
        return CertificateMetadata(
            subject: String(certificate.subject.description.prefix(1024)),
            issuer: String(certificate.issuer.description.prefix(1024)),
            serialNumber: serialHex(Array(certificate.serialNumber.bytes)),
            sha256Thumbprint: thumbprint(der: Array(der)),
            notBefore: notBefore, notAfter: notAfter, expiryWarningAt: warning)
    }

    /// The serial as hex without the sign byte DER adds before a high bit (as `openssl x509
    /// -serial` prints it).
    static func serialHex(_ bytes: [UInt8]) -> String {
        var bytes = bytes[...]
        while bytes.count > 1, bytes.first == 0 { bytes = bytes.dropFirst() }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// `x5t#S256`: base64url (no padding) of the SHA-256 of the DER bytes.
    public static func thumbprint(der: [UInt8]) -> String {
        Data(SHA256.hash(data: der)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
