import Crypto
import Foundation

/// The public material a credential is registered from, reduced to what is stored: a
/// P-256 public key (given as a JWK or an SPKI PEM; kept as its JWK and RFC 7638
/// thumbprint) or a certificate (kept as `CertificateMetadata`, body discarded).
public enum CredentialMaterial: Sendable {
    case jwk(DevicePublicKey)
    case certificate(CertificateMetadata)

    public var kind: DeviceCredential.Kind {
        switch self {
        case .jwk: .jwk
        case .certificate: .x509
        }
    }

    public var thumbprint: String {
        switch self {
        case .jwk(let key): key.thumbprint
        case .certificate(let metadata): metadata.sha256Thumbprint
        }
    }

    /// From a JWK's members; `hasPrivateMember` when the JWK had any non-string `d` etc.
    public static func jwk(members: [String: String], hasPrivateMember: Bool) throws(DeviceCredentialError) -> CredentialMaterial {
        do {
            return .jwk(try DevicePublicKey(jwk: members, hasPrivateMember: hasPrivateMember))
        } catch {
            throw .invalidKey(Self.message(error))
        }
    }

    /// From an SPKI `PUBLIC KEY` PEM of a P-256 key.
    public static func publicKeyPEM(_ pem: String) throws(DeviceCredentialError) -> CredentialMaterial {
        guard pem.utf8.count <= 4096 else { throw .invalidKey("the public key PEM is larger than 4096 bytes") }
        if pem.contains("PRIVATE KEY") { throw .invalidKey("the upload carries a private key; send the public key only") }
        guard let key = try? P256.Signing.PublicKey(pemRepresentation: pem) else {
            throw .invalidKey("not a PEM P-256 public key (-----BEGIN PUBLIC KEY-----)")
        }
        let raw = Array(key.rawRepresentation)
        func b64url(_ bytes: ArraySlice<UInt8>) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        return try jwk(members: ["kty": "EC", "crv": "P-256", "x": b64url(raw[0..<32]), "y": b64url(raw[32..<64])], hasPrivateMember: false)
    }

    public static func certificatePEM(_ pem: String, now: Date = Date()) throws(DeviceCredentialError) -> CredentialMaterial {
        .certificate(try CertificateParser.metadata(pem: pem, now: now))
    }

    private static func message(_ error: DeviceError) -> String {
        if case .invalidKey(let message) = error { return message }
        return "the key is not a P-256 public JWK"
    }
}
