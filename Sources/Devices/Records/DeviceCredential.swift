import Foundation

/// A key or certificate a device proves itself with. Only public material and metadata
/// are kept: a JWK's thumbprint (and the public JWK itself, needed to verify signatures),
/// or an X.509 certificate's parsed metadata — the certificate body is discarded.
public struct DeviceCredential: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A public JWK; `thumbprint` is its RFC 7638 SHA-256 thumbprint (DPoP `jkt`).
        case jwk
        /// An X.509 certificate; `thumbprint` is the base64url SHA-256 of its DER (`x5t#S256`).
        case x509
    }

    public enum Status: String, Codable, Sendable {
        case active
        /// Replaced by `replacedBy` through rotation.
        case rotated
        case revoked
    }

    public var id: String
    public var tenantId: String
    public var deviceId: String
    public var kind: Kind
    public var thumbprint: String
    /// The public JWK as JSON text (kind `jwk` only).
    public var publicJWK: String?
    public var certificate: CertificateMetadata?
    public var status: Status
    public var createdAt: Date
    public var createdBy: String
    public var rotatedAt: Date?
    public var replacedBy: String?
    public var revokedAt: Date?
    public var revokedBy: String?
    public var revokeReason: String?

    public init(id: String, tenantId: String, deviceId: String, kind: Kind, thumbprint: String, publicJWK: String?,
                certificate: CertificateMetadata?, status: Status, createdAt: Date, createdBy: String) {
        self.id = id
        self.tenantId = tenantId
        self.deviceId = deviceId
        self.kind = kind
        self.thumbprint = thumbprint
        self.publicJWK = publicJWK
        self.certificate = certificate
        self.status = status
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// What is kept of an uploaded X.509 certificate.
public struct CertificateMetadata: Codable, Sendable, Equatable {
    public var subject: String
    public var issuer: String
    /// Hex serial number.
    public var serialNumber: String
    /// base64url SHA-256 of the DER bytes (`x5t#S256`).
    public var sha256Thumbprint: String
    public var notBefore: Date
    public var notAfter: Date
    /// When to start warning that it expires (30 days before `notAfter`, or its midpoint
    /// for certificates shorter than 60 days).
    public var expiryWarningAt: Date
}
