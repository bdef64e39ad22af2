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

/// The claims of an access token: the RFC 9068 profile plus `tenant_id` when the
/// `tenant_context` scope was granted.
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
    }

    public init(iss: String, sub: String, aud: [String], exp: Int64, iat: Int64, nbf: Int64?, jti: String, client_id: String, scope: String, tenant_id: String?) {
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
    }

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf, jti, client_id, scope, tenant_id
    }

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
    public func issue(client: OAuthClient, tenantSlug: String, scopes: [String], now: Date = Date()) async throws -> IssuedAccessToken {
        let key = try await keys.activeKey(tenantId: client.tenantId, now: now)
        let issuedAt = Int64(now.timeIntervalSince1970)
        let lifetime = Int(AccessTokenLifetime.seconds)
        let claims = AccessTokenClaims(
            iss: naming.issuer(slug: tenantSlug), sub: client.clientId, aud: [naming.audience],
            exp: issuedAt + Int64(lifetime), iat: issuedAt, nbf: issuedAt, jti: RandomID.make(prefix: "at"),
            client_id: client.clientId, scope: scopes.joined(separator: " "),
            tenant_id: scopes.contains(OAuthScopes.tenantContext) ? client.tenantId : nil)
        var header = JWTHeader()
        header.typ = "at+jwt"
        let token = try await collections.signer(for: key).sign(claims, kid: JWKIdentifier(string: key.kid), header: header)
        return IssuedAccessToken(token: token, claims: claims, expiresIn: lifetime)
    }
}
