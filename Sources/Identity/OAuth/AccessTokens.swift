import Foundation
import JWTKit
import Store
import Synchronization

/// How tenants map to issuers: each tenant is its own OpenID issuer at
/// `{publicBaseURL}/t/{slug}`, with discovery at `{issuer}/.well-known/openid-configuration`,
/// which is what stock OIDC client libraries expect of one issuer. Access tokens are meant
/// for Arbiter's API, whose audience is the public base URL itself.
public struct IssuerNaming: Sendable, Equatable {
    public let baseURL: String
    /// The `aud` of access tokens for Arbiter's API: the public base URL unless told otherwise.
    public let audience: String

    public init(baseURL: String, audience: String? = nil) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.audience = audience ?? base
    }

    public func issuer(slug: String) -> String { baseURL + "/t/" + slug }

    /// The slug when `issuer` is one of ours.
    public func slug(fromIssuer issuer: String) -> String? {
        let prefix = baseURL + "/t/"
        guard issuer.hasPrefix(prefix) else { return nil }
        let slug = String(issuer.dropFirst(prefix.count))
        return slug.isEmpty || slug.contains("/") ? nil : slug
    }
}

/// The confirmation claim of a sender-constrained token: certificate-bound (RFC 8705 §3.1)
/// and/or bound to a DPoP key (RFC 9449 §6.1).
public struct TokenConfirmation: Codable, Sendable, Equatable {
    /// base64url SHA-256 of the client certificate's DER bytes.
    public var x5tS256: String?
    /// RFC 7638 SHA-256 thumbprint of the DPoP public key.
    public var jkt: String?

    public init(x5tS256: String? = nil, jkt: String? = nil) {
        self.x5tS256 = x5tS256
        self.jkt = jkt
    }

    enum CodingKeys: String, CodingKey {
        case x5tS256 = "x5t#S256"
        case jkt
    }
}

/// What a token is bound to beyond its certificate: a DPoP key and, when that key (or the
/// mTLS certificate) is a registered device credential, the device. Built by the server
/// (which knows devices); the issuer only copies it into the claims.
public struct TokenBinding: Sendable, Equatable {
    /// RFC 7638 thumbprint of the DPoP proof's key (`cnf.jkt`).
    public var jkt: String?
    public var deviceId: String?
    public var deviceRiskState: String?
    public var deviceTrustLevel: Int64?
    /// The device's license activation whose key this is, when there is one.
    public var deviceActivationId: String?
    /// The device's organization: a user token may bind only a device of the organization
    /// it signed into (`TokenBindingError.organizationMismatch`).
    public var deviceOrganizationId: String?

    public init(jkt: String? = nil, deviceId: String? = nil, deviceRiskState: String? = nil, deviceTrustLevel: Int64? = nil,
                deviceActivationId: String? = nil, deviceOrganizationId: String? = nil) {
        self.jkt = jkt
        self.deviceId = deviceId
        self.deviceRiskState = deviceRiskState
        self.deviceTrustLevel = deviceTrustLevel
        self.deviceActivationId = deviceActivationId
        self.deviceOrganizationId = deviceOrganizationId
    }
}

public enum TokenBindingError: Error, Equatable, Sendable {
    /// The device belongs to another organization than the user's sign-in.
    case organizationMismatch
}

/// The claims of an access token: the RFC 9068 profile, plus the tenant context
/// (`tenant_id`, and for a signed-in user `organization_id`, `membership_id`, `session_id`,
/// `perm_ver`, `ent_ver`) when the `tenant_context` scope was granted, and `cnf` when the
/// token is bound to a client certificate.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: String
    public var sub: String
    public var aud: [String]
    public var exp: Int64
    public var iat: Int64
    public var nbf: Int64?
    public var jti: String
    public var client_id: String
    public var scope: String
    public var tenant_id: String?
    public var organization_id: String?
    public var membership_id: String?
    /// The sign-in session a user token belongs to; revoking the session revokes the token.
    public var session_id: String?
    public var perm_ver: Int64?
    public var ent_ver: Int64?
    /// When the user authenticated (OIDC `auth_time`), for user tokens.
    public var auth_time: Int64?
    public var cnf: TokenConfirmation?
    /// Device-bound tokens (issue 7): the device whose registered key or certificate the
    /// token is bound to, its risk state and trust level when the token was issued, and
    /// the activation of that key. Resource routes re-read the live state on every request.
    public var device_id: String?
    public var device_risk_state: String?
    public var device_trust_level: Int64?
    public var device_activation_id: String?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(String.self, forKey: .iss)
        sub = try container.decode(String.self, forKey: .sub)
        // RFC 7519: `aud` is a string or an array of strings.
        if let one = try? container.decode(String.self, forKey: .aud) {
            aud = [one]
        } else {
            aud = try container.decode([String].self, forKey: .aud)
        }
        exp = try container.decode(Int64.self, forKey: .exp)
        iat = try container.decode(Int64.self, forKey: .iat)
        nbf = try container.decodeIfPresent(Int64.self, forKey: .nbf)
        jti = try container.decode(String.self, forKey: .jti)
        client_id = try container.decode(String.self, forKey: .client_id)
        scope = try container.decode(String.self, forKey: .scope)
        tenant_id = try container.decodeIfPresent(String.self, forKey: .tenant_id)
        organization_id = try container.decodeIfPresent(String.self, forKey: .organization_id)
        membership_id = try container.decodeIfPresent(String.self, forKey: .membership_id)
        session_id = try container.decodeIfPresent(String.self, forKey: .session_id)
        perm_ver = try container.decodeIfPresent(Int64.self, forKey: .perm_ver)
        ent_ver = try container.decodeIfPresent(Int64.self, forKey: .ent_ver)
        auth_time = try container.decodeIfPresent(Int64.self, forKey: .auth_time)
        cnf = try container.decodeIfPresent(TokenConfirmation.self, forKey: .cnf)
        device_id = try container.decodeIfPresent(String.self, forKey: .device_id)
        device_risk_state = try container.decodeIfPresent(String.self, forKey: .device_risk_state)
        device_trust_level = try container.decodeIfPresent(Int64.self, forKey: .device_trust_level)
        device_activation_id = try container.decodeIfPresent(String.self, forKey: .device_activation_id)
    }

    public init(
        iss: String, sub: String, aud: [String], exp: Int64, iat: Int64, nbf: Int64?, jti: String, client_id: String,
        scope: String, tenant_id: String?, organization_id: String? = nil, membership_id: String? = nil,
        session_id: String? = nil, perm_ver: Int64? = nil, ent_ver: Int64? = nil, auth_time: Int64? = nil,
        cnf: TokenConfirmation? = nil, device_id: String? = nil, device_risk_state: String? = nil,
        device_trust_level: Int64? = nil, device_activation_id: String? = nil
    ) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.jti = jti
        self.client_id = client_id
        self.scope = scope
        self.tenant_id = tenant_id
        self.organization_id = organization_id
        self.membership_id = membership_id
        self.session_id = session_id
        self.perm_ver = perm_ver
        self.ent_ver = ent_ver
        self.auth_time = auth_time
        self.cnf = cnf
        self.device_id = device_id
        self.device_risk_state = device_risk_state
        self.device_trust_level = device_trust_level
        self.device_activation_id = device_activation_id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iss, forKey: .iss)
        try container.encode(sub, forKey: .sub)
        if aud.count == 1 { try container.encode(aud[0], forKey: .aud) } else { try container.encode(aud, forKey: .aud) }
        try container.encode(exp, forKey: .exp)
        try container.encode(iat, forKey: .iat)
        try container.encodeIfPresent(nbf, forKey: .nbf)
        try container.encode(jti, forKey: .jti)
        try container.encode(client_id, forKey: .client_id)
        try container.encode(scope, forKey: .scope)
        try container.encodeIfPresent(tenant_id, forKey: .tenant_id)
        try container.encodeIfPresent(organization_id, forKey: .organization_id)
        try container.encodeIfPresent(membership_id, forKey: .membership_id)
        try container.encodeIfPresent(session_id, forKey: .session_id)
        try container.encodeIfPresent(perm_ver, forKey: .perm_ver)
        try container.encodeIfPresent(ent_ver, forKey: .ent_ver)
        try container.encodeIfPresent(auth_time, forKey: .auth_time)
        try container.encodeIfPresent(cnf, forKey: .cnf)
        try container.encodeIfPresent(device_id, forKey: .device_id)
        try container.encodeIfPresent(device_risk_state, forKey: .device_risk_state)
        try container.encodeIfPresent(device_trust_level, forKey: .device_trust_level)
        try container.encodeIfPresent(device_activation_id, forKey: .device_activation_id)
    }

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf, jti, client_id, scope, tenant_id
        case organization_id, membership_id, session_id, perm_ver, ent_ver, auth_time, cnf
        case device_id, device_risk_state, device_trust_level, device_activation_id
    }

    /// Whether the token is bound to a registered device (continuous evaluation applies).
    public var isDeviceBound: Bool { device_id != nil }

    /// Claims are checked by `AccessTokenVerifier` against its clock and expectations.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    public var scopes: [String] { scope.split(separator: " ").map(String.init) }
}

/// A token just issued.
public struct IssuedAccessToken: Sendable, Equatable {
    public var token: String
    public var claims: AccessTokenClaims
    public var expiresIn: Int
}

/// Parsed private and public keys by kid, so PEM parsing and key-collection setup happen
/// once per key, not once per token.
final class KeyCollections: Sendable {
    private let signing = Mutex<[String: JWTKeyCollection]>([:])
    private let verifying = Mutex<[String: JWTKeyCollection]>([:])

    func signer(for key: SigningKey) async throws -> JWTKeyCollection {
        if let found = signing.withLock({ $0[key.kid] }) { return found }
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: try ES256PrivateKey(pem: key.privateKeyPEM), kid: JWKIdentifier(string: key.kid))
        signing.withLock { $0[key.kid] = collection }
        return collection
    }

    func verifier(for key: SigningKey) async throws -> JWTKeyCollection {
        if let found = verifying.withLock({ $0[key.kid] }) { return found }
        let collection = JWTKeyCollection()
        let publicKey = try ES256PrivateKey(pem: key.privateKeyPEM).publicKey
        await collection.add(ecdsa: publicKey, kid: JWKIdentifier(string: key.kid))
        verifying.withLock { $0[key.kid] = collection }
        return collection
    }
}

/// Signs RFC 9068 access tokens with the tenant's active ES256 key.
public final class AccessTokenIssuer: Sendable {
    let keys: SigningKeyStore
    let collections: KeyCollections
    public let naming: IssuerNaming

    public init(keys: SigningKeyStore, naming: IssuerNaming) {
        self.keys = keys
        self.naming = naming
        collections = KeyCollections()
    }

    /// A client-credentials token: the client is the subject (RFC 9068 §2.2).
    public func issue(
        client: OAuthClient, tenantSlug: String, scopes: [String], certificateThumbprint: String? = nil, now: Date = Date()
    ) async throws -> IssuedAccessToken {
        try await issue(
            TokenGrant(client: client, tenantSlug: tenantSlug, scopes: scopes, user: nil, certificateThumbprint: certificateThumbprint),
            now: now)
    }

    /// An access token for whatever `grant` describes: a client alone, or a signed-in user
    /// through a client. The tenant-context claims are added only when `tenant_context`
    /// was granted; `cnf` only when the token is bound to a certificate or a DPoP key, and the
    /// device claims only when `grant.binding` names a device.
    public func issue(_ grant: TokenGrant, now: Date = Date()) async throws -> IssuedAccessToken {
        let client = grant.client
        let key = try await keys.activeKey(tenantId: client.tenantId, now: now)
        let issuedAt = Int64(now.timeIntervalSince1970)
        let lifetime = Int(AccessTokenLifetime.seconds)
        let tenantContext = grant.scopes.contains(OAuthScopes.tenantContext)
        let user = grant.user
        let binding = grant.binding
        if let deviceOrganization = binding?.deviceOrganizationId, let user, user.organizationId != deviceOrganization {
            throw TokenBindingError.organizationMismatch
        }
        let confirmation = grant.certificateThumbprint != nil || binding?.jkt != nil
            ? TokenConfirmation(x5tS256: grant.certificateThumbprint, jkt: binding?.jkt) : nil
        let claims = AccessTokenClaims(
            iss: naming.issuer(slug: grant.tenantSlug), sub: user?.userId ?? client.clientId, aud: [naming.audience],
            exp: issuedAt + Int64(lifetime), iat: issuedAt, nbf: issuedAt, jti: RandomID.make(prefix: "at"),
            client_id: client.clientId, scope: grant.scopes.joined(separator: " "),
            tenant_id: tenantContext ? client.tenantId : nil,
            organization_id: tenantContext ? user?.organizationId : nil,
            membership_id: tenantContext ? user?.membershipId : nil,
            session_id: user?.sessionId,
            perm_ver: tenantContext ? user?.versions.permVer : nil,
            ent_ver: tenantContext ? user?.versions.entVer : nil,
            auth_time: user.map { Int64($0.authTime.timeIntervalSince1970) },
            cnf: confirmation, device_id: binding?.deviceId, device_risk_state: binding?.deviceRiskState,
            device_trust_level: binding?.deviceTrustLevel, device_activation_id: binding?.deviceActivationId)
        var header = JWTHeader()
        header.typ = "at+jwt"
        let token = try await collections.signer(for: key).sign(claims, kid: JWKIdentifier(string: key.kid), header: header)
        return IssuedAccessToken(token: token, claims: claims, expiresIn: lifetime)
    }

    /// Signs any other JWT (an ID token, say) with the tenant's active key, with `typ`
    /// set as given, so it can never pass for an access token.
    public func sign(_ payload: some JWTPayload, tenantId: String, typ: String = "JWT", now: Date = Date()) async throws -> String {
        let key = try await keys.activeKey(tenantId: tenantId, now: now)
        var header = JWTHeader()
        header.typ = typ
        return try await collections.signer(for: key).sign(payload, kid: JWKIdentifier(string: key.kid), header: header)
    }
}

/// Who a token is for and what it may carry.
public struct TokenGrant: Sendable {
    public var client: OAuthClient
    public var tenantSlug: String
    public var scopes: [String]
    /// The signed-in user, for user grants (authorization code, refresh, device code).
    public var user: UserTokenSubject?
    /// base64url SHA-256 of the client certificate the token is bound to (RFC 8705).
    public var certificateThumbprint: String?
    /// A DPoP key and/or device the token is bound to (RFC 9449, issue 7).
    public var binding: TokenBinding?

    public init(client: OAuthClient, tenantSlug: String, scopes: [String], user: UserTokenSubject?, certificateThumbprint: String? = nil,
                binding: TokenBinding? = nil) {
        self.client = client
        self.tenantSlug = tenantSlug
        self.scopes = scopes
        self.user = user
        self.certificateThumbprint = certificateThumbprint
        self.binding = binding
    }
}

/// The user side of a user token: who signed in, into which membership, in which session.
public struct UserTokenSubject: Sendable, Equatable {
    public var userId: String
    public var organizationId: String
    public var membershipId: String
    public var sessionId: String
    public var authTime: Date
    public var versions: SubjectVersions

    public init(userId: String, organizationId: String, membershipId: String, sessionId: String, authTime: Date, versions: SubjectVersions) {
        self.userId = userId
        self.organizationId = organizationId
        self.membershipId = membershipId
        self.sessionId = sessionId
        self.authTime = authTime
        self.versions = versions
    }
}
