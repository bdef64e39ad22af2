import Foundation

/// How an enterprise identity provider is connected to a tenant: OIDC or SAML setup data,
/// the just-in-time membership defaults SCIM provisioning uses, and the SCIM token's hash.
///
/// Only setup metadata is kept: federated OIDC and SAML sign-in are out of scope, so the
/// OIDC client secret is kept as a SHA-256 hash with a 4-character hint (enough to tell
/// which secret is configured, never to use it), and of a SAML signing certificate only
/// what was parsed from it.
public struct EnterpriseConnection: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case oidc, saml
    }

    public var id: String
    public var tenantId: String
    public var type: Kind
    public var name: String
    /// Names the identity provider product (`okta`, `entra-id`, `google-workspace`, …).
    public var providerKey: String
    public var oidc: OIDCSettings?
    public var saml: SAMLSettings?
    public var jit: JITDefaults?
    public var scimToken: SCIMTokenRecord?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, tenantId: String, type: Kind, name: String, providerKey: String, oidc: OIDCSettings? = nil,
        saml: SAMLSettings? = nil, jit: JITDefaults? = nil, scimToken: SCIMTokenRecord? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantId = tenantId
        self.type = type
        self.name = name
        self.providerKey = providerKey
        self.oidc = oidc
        self.saml = saml
        self.jit = jit
        self.scimToken = scimToken
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct OIDCSettings: Codable, Sendable, Equatable {
    public var issuer: String
    public var clientId: String
    /// SHA-256 (hex) of the client secret, when one was given.
    public var clientSecretHash: String?
    /// The secret's last 4 characters.
    public var clientSecretHint: String?
    public var clientSecretSetAt: Date?
    public var scopes: [String]
    /// Arbiter user attribute → the provider's claim name.
    public var claimMappings: [String: String]

    public init(
        issuer: String, clientId: String, clientSecretHash: String? = nil, clientSecretHint: String? = nil,
        clientSecretSetAt: Date? = nil, scopes: [String], claimMappings: [String: String]
    ) {
        self.issuer = issuer
        self.clientId = clientId
        self.clientSecretHash = clientSecretHash
        self.clientSecretHint = clientSecretHint
        self.clientSecretSetAt = clientSecretSetAt
        self.scopes = scopes
        self.claimMappings = claimMappings
    }
}

public struct SAMLSettings: Codable, Sendable, Equatable {
    public var idpEntityId: String
    public var ssoUrl: String
    /// What was parsed from the signing certificate (the PEM itself is not kept).
    public var signingCertificate: CertificateMetadata?
    public var nameIdFormat: String
    /// Arbiter user attribute → the provider's SAML attribute name.
    public var attributeMappings: [String: String]

    public init(
        idpEntityId: String, ssoUrl: String, signingCertificate: CertificateMetadata?, nameIdFormat: String,
        attributeMappings: [String: String]
    ) {
        self.idpEntityId = idpEntityId
        self.ssoUrl = ssoUrl
        self.signingCertificate = signingCertificate
        self.nameIdFormat = nameIdFormat
        self.attributeMappings = attributeMappings
    }
}

/// The membership a provisioned user gets: an organization of the tenant and its roles.
public struct JITDefaults: Codable, Sendable, Equatable {
    public var organizationId: String
    public var roles: [String]

    public init(organizationId: String, roles: [String]) {
        self.organizationId = organizationId
        self.roles = roles
    }
}

/// The connection's SCIM bearer token, as its SHA-256 only.
public struct SCIMTokenRecord: Codable, Sendable, Equatable {
    public var hash: String
    public var createdAt: Date

    public init(hash: String, createdAt: Date) {
        self.hash = hash
        self.createdAt = createdAt
    }
}
