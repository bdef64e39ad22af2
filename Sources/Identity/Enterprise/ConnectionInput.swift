import Foundation

/// A new connection as the management API reads it (before validation).
public struct ConnectionDraft: Sendable {
    public var type: EnterpriseConnection.Kind
    public var name: String
    public var providerKey: String
    public var oidc: OIDCInput?
    public var saml: SAMLInput?
    public var jit: JITDefaults?

    public init(
        type: EnterpriseConnection.Kind, name: String, providerKey: String, oidc: OIDCInput? = nil, saml: SAMLInput? = nil,
        jit: JITDefaults? = nil
    ) {
        self.type = type
        self.name = name
        self.providerKey = providerKey
        self.oidc = oidc
        self.saml = saml
        self.jit = jit
    }
}

/// OIDC settings of a draft or a patch: nil fields are absent (a patch keeps the stored value).
public struct OIDCInput: Sendable {
    public var issuer: String?
    public var clientId: String?
    /// The secret in clear, hashed before it is stored.
    public var clientSecret: String?
    public var scopes: [String]?
    public var claimMappings: [String: String]?

    public init(
        issuer: String? = nil, clientId: String? = nil, clientSecret: String? = nil, scopes: [String]? = nil,
        claimMappings: [String: String]? = nil
    ) {
        self.issuer = issuer
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.claimMappings = claimMappings
    }
}

/// SAML settings of a draft or a patch.
public struct SAMLInput: Sendable {
    public var idpEntityId: String?
    public var ssoUrl: String?
    /// PEM text of the IdP's signing certificate; parsed, never stored.
    public var signingCertificate: String?
    public var nameIdFormat: String?
    public var attributeMappings: [String: String]?

    public init(
        idpEntityId: String? = nil, ssoUrl: String? = nil, signingCertificate: String? = nil, nameIdFormat: String? = nil,
        attributeMappings: [String: String]? = nil
    ) {
        self.idpEntityId = idpEntityId
        self.ssoUrl = ssoUrl
        self.signingCertificate = signingCertificate
        self.nameIdFormat = nameIdFormat
        self.attributeMappings = attributeMappings
    }
}

/// A change to a connection; the type never changes. `oidc`/`saml` change only the fields
/// they name; `jit` replaces the defaults.
public struct ConnectionPatch: Sendable {
    public var name: String?
    public var providerKey: String?
    public var oidc: OIDCInput?
    public var saml: SAMLInput?
    public var jit: JITDefaults?

    public init(name: String? = nil, providerKey: String? = nil, oidc: OIDCInput? = nil, saml: SAMLInput? = nil, jit: JITDefaults? = nil) {
        self.name = name
        self.providerKey = providerKey
        self.oidc = oidc
        self.saml = saml
        self.jit = jit
    }

    public var isEmpty: Bool { name == nil && providerKey == nil && oidc == nil && saml == nil && jit == nil }
}
