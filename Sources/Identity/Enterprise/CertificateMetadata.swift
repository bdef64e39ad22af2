import Crypto
import Foundation
import X509

/// What Arbiter keeps of a SAML IdP's signing certificate: enough to show which
/// certificate is configured and to warn before it expires. The PEM is parsed with
/// swift-certificates and then dropped.
public struct CertificateMetadata: Codable, Sendable, Equatable {
    public var subject: String
    public var issuer: String
    /// Big-endian hex of the serial number.
    public var serialNumber: String
    public var notBefore: Date
    public var notAfter: Date
    /// SHA-256 of the DER bytes, uppercase hex pairs joined by `:` (as IdP consoles show it).
    public var sha256Fingerprint: String
    public var signatureAlgorithm: String

    public struct Failure: Error, Sendable, Equatable {
        public var message: String
    }

    /// One `CERTIFICATE` PEM block (surrounding text and whitespace tolerated).
    public static func parse(pem: String) -> Result<CertificateMetadata, Failure> {
        guard pem.utf8.count <= ConnectionRules.maxCertificatePEMBytes else {
            return .failure(Failure(message: "must be at most \(ConnectionRules.maxCertificatePEMBytes) bytes"))
        }
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        guard let start = pem.range(of: begin), let stop = pem.range(of: end, range: start.upperBound..<pem.endIndex) else {
            return .failure(Failure(message: "must be a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)"))
        }
        if pem[stop.upperBound...].contains(begin) {
            return .failure(Failure(message: "must hold exactly one certificate, the IdP's signing certificate"))
        }
        let body = pem[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)).map(Array.init), !der.isEmpty else {
            return .failure(Failure(message: "is not valid base64 between the PEM markers"))
        }
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            return .failure(Failure(message: "is not an X.509 certificate"))
        }
        return .success(CertificateMetadata(
            subject: certificate.subject.description, issuer: certificate.issuer.description,
            serialNumber: hex(certificate.serialNumber.bytes, separator: ""),
            notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter,
            sha256Fingerprint: hex(SHA256.hash(data: der), separator: ":"),
            signatureAlgorithm: String(describing: certificate.signatureAlgorithm)))
    }

    static func hex(_ bytes: some Sequence<UInt8>, separator: String) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + digits : digits
        }.joined(separator: separator)
    }
}
