import Foundation

/// What a client is for, which fixes the grants it may use and how it authenticates.
public enum ClientPurpose: String, Codable, Sendable, CaseIterable {
    /// A web or native app signing users in: authorization code + PKCE (+ refresh tokens),
    /// public (PKCE only) or confidential (a secret), with exact redirect URIs.
    case interactiveWeb = "interactive_web"
    /// A service calling Arbiter: client credentials, with a secret (`client_secret_basic`
    /// or `client_secret_post`) or a registered certificate (RFC 8705 mTLS).
    case automation
    /// A CI job publishing feature manifests: client credentials with HTTP Basic only.
    case manifestPublisher = "manifest_publisher"
    /// A device or CLI with no browser: the device authorization grant (RFC 8628), public.
    case device

    public static let authorizationCode = "authorization_code"
    public static let refreshToken = "refresh_token"
    public static let clientCredentials = "client_credentials"
    public static let deviceCode = "urn:ietf:params:oauth:grant-type:device_code"

    public var grantTypes: [String] {
        switch self {
        case .interactiveWeb: return [Self.authorizationCode, Self.refreshToken]
        case .automation, .manifestPublisher: return [Self.clientCredentials]
        case .device: return [Self.deviceCode, Self.refreshToken]
        }
    }

    /// True when the purpose signs users in (and so may hold user scopes such as `openid`).
    public var hasUsers: Bool { self == .interactiveWeb || self == .device }
}

/// How a client proves itself at the token endpoint (RFC 6749 §2.3.1, RFC 8705 §2).
public enum ClientAuthMethod: String, Codable, Sendable, CaseIterable {
    case clientSecretBasic = "client_secret_basic"
    case clientSecretPost = "client_secret_post"
    /// A public client: it authenticates nothing, PKCE or the device code protects the grant.
    case none
    /// mTLS with a certificate from the configured client CA, matched by subject DN.
    case tlsClientAuth = "tls_client_auth"
    /// mTLS with a self-signed certificate, matched by its SHA-256 thumbprint.
    case selfSignedTLSClientAuth = "self_signed_tls_client_auth"
}

/// One secret of a client: only its SHA-256 is kept. After a rotation with a grace period
/// the old secret carries `expiresAt` and is accepted until then.
public struct ClientSecretRecord: Codable, Sendable, Equatable {
    public var id: String
    /// Lowercase hex SHA-256 of the secret's UTF-8 bytes.
    public var sha256: String
    public var createdAt: Date
    public var expiresAt: Date?

    public func isValid(at now: Date) -> Bool { expiresAt.map { now < $0 } ?? true }
}

/// The certificate an mTLS client (RFC 8705 §2.1) authenticates with.
public struct ClientCertificateBinding: Codable, Sendable, Equatable {
    /// `tls_client_auth`: the expected subject distinguished name (RFC 4514 string).
    public var subjectDN: String?
    /// `self_signed_tls_client_auth`: base64url SHA-256 of the certificate's DER bytes.
    public var thumbprintS256: String?

    public init(subjectDN: String? = nil, thumbprintS256: String? = nil) {
        self.subjectDN = subjectDN
        self.thumbprintS256 = thumbprintS256
    }
}

/// An OAuth client of a tenant's application.
public struct OAuthClient: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case active
        /// Authenticates but may not obtain tokens (`unauthorized_client`).
        case disabled
    }

    public var clientId: String
    public var tenantId: String
    public var applicationId: String
    public var name: String
    public var purpose: ClientPurpose
    public var status: Status
    /// The scopes this client was granted; it can never receive others.
    public var scopes: [String]
    /// Secrets of a confidential client; empty for public and certificate clients.
    public var secrets: [ClientSecretRecord]
    public var createdAt: Date
    /// A public client (interactive_web without a secret, device) has no secret and must use PKCE.
    public var isPublic: Bool?
    /// Exact redirect URIs (interactive_web).
    public var redirectURIs: [String]?
    /// Exact post-logout redirect URIs for RP-initiated logout (interactive_web).
    public var postLogoutRedirectURIs: [String]?
    /// The certificate of an mTLS automation client.
    public var certificate: ClientCertificateBinding?
    /// The application environment (development, staging, production) the client belongs to.
    public var environmentId: String?

    public init(
        clientId: String, tenantId: String, applicationId: String, name: String, purpose: ClientPurpose, status: Status,
        scopes: [String], secrets: [ClientSecretRecord], createdAt: Date, isPublic: Bool? = nil,
        redirectURIs: [String]? = nil, postLogoutRedirectURIs: [String]? = nil,
        certificate: ClientCertificateBinding? = nil, environmentId: String? = nil
    ) {
        self.clientId = clientId
        self.tenantId = tenantId
        self.applicationId = applicationId
        self.name = name
        self.purpose = purpose
        self.status = status
        self.scopes = scopes
        self.secrets = secrets
        self.createdAt = createdAt
        self.isPublic = isPublic
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.certificate = certificate
        self.environmentId = environmentId
    }

    public var grantTypes: [String] { purpose.grantTypes }

    public var publicClient: Bool { isPublic ?? (purpose == .device) }

    /// How this client authenticates at the token endpoint.
    public var authMethods: [ClientAuthMethod] {
        if publicClient { return [.none] }
        if let certificate {
            return certificate.thumbprintS256 != nil ? [.selfSignedTLSClientAuth] : [.tlsClientAuth]
        }
        switch purpose {
        case .manifestPublisher: return [.clientSecretBasic]
        default: return [.clientSecretBasic, .clientSecretPost]
        }
    }
}
