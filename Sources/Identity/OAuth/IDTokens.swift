import Crypto
import Foundation
import JWTKit
import Store

/// The claims of an ID token (OpenID Connect Core §2, §5.1), signed ES256 with `typ: JWT`
/// so that it can never be taken for an access token (`at+jwt`).
public struct IDTokenClaims: JWTPayload, Equatable {
    public var iss: String
    public var sub: String
    /// The client the token is for. One audience, written as a string.
    public var aud: String
    public var exp: Int64
    public var iat: Int64
    public var auth_time: Int64
    public var nonce: String?
    /// Left half of the SHA-256 of the access token issued with it, base64url (§3.1.3.6).
    public var at_hash: String?
    /// The sign-in session (OIDC Front-/Back-Channel Logout `sid`).
    public var sid: String?
    public var azp: String?
    /// With `profile`.
    public var name: String?
    public var preferred_username: String?
    /// With `email`. Arbiter does not verify addresses, so `email_verified` is always false.
    public var email: String?
    public var email_verified: Bool?

    public init(
        iss: String, sub: String, aud: String, exp: Int64, iat: Int64, auth_time: Int64, nonce: String? = nil,
        at_hash: String? = nil, sid: String? = nil, azp: String? = nil, name: String? = nil,
        preferred_username: String? = nil, email: String? = nil, email_verified: Bool? = nil
    ) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.auth_time = auth_time
        self.nonce = nonce
        self.at_hash = at_hash
        self.sid = sid
        self.azp = azp
        self.name = name
        self.preferred_username = preferred_username
        self.email = email
        self.email_verified = email_verified
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(String.self, forKey: .iss)
        sub = try container.decode(String.self, forKey: .sub)
        // RFC 7519: `aud` may be an array; ours carry one audience, so take the first.
        if let one = try? container.decode(String.self, forKey: .aud) {
            aud = one
        } else {
            guard let first = try container.decode([String].self, forKey: .aud).first else {
                throw DecodingError.dataCorruptedError(forKey: .aud, in: container, debugDescription: "empty aud")
            }
            aud = first
        }
        exp = try container.decode(Int64.self, forKey: .exp)
        iat = try container.decode(Int64.self, forKey: .iat)
        auth_time = try container.decode(Int64.self, forKey: .auth_time)
        nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        at_hash = try container.decodeIfPresent(String.self, forKey: .at_hash)
        sid = try container.decodeIfPresent(String.self, forKey: .sid)
        azp = try container.decodeIfPresent(String.self, forKey: .azp)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        preferred_username = try container.decodeIfPresent(String.self, forKey: .preferred_username)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        email_verified = try container.decodeIfPresent(Bool.self, forKey: .email_verified)
    }

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, auth_time, nonce, at_hash, sid, azp, name, preferred_username, email, email_verified
    }

    /// Expiry is the caller's business: an `id_token_hint` at end-session may be expired.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Building ID tokens.
public enum IDTokens {
    /// ID tokens live as long as access tokens, so a retired signing key stays published
    /// for as long as any ID token it signed is still valid.
    public static let lifetime: TimeInterval = AccessTokenLifetime.seconds

    /// OIDC Core §3.1.3.6: base64url of the left 128 bits of the SHA-256 of the token's ASCII.
    public static func atHash(_ accessToken: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(accessToken.utf8))).prefix(16))
    }

    /// The user claims a set of scopes releases (OIDC Core §5.4), shared with userinfo.
    public static func userClaims(_ user: User, scopes: [String]) -> (name: String?, preferredUsername: String?, email: String?, emailVerified: Bool?) {
        let profile = scopes.contains(OAuthScopes.profile)
        let email = scopes.contains(OAuthScopes.email)
        return (profile ? user.userName : nil, profile ? user.userName : nil, email ? user.email : nil, email ? false : nil)
    }

    public static func claims(
        issuer: String, client: OAuthClient, session: SignInSession, user: User, scopes: [String], nonce: String?,
        accessToken: String?, now: Date
    ) -> IDTokenClaims {
        let issuedAt = Int64(now.timeIntervalSince1970)
        let released = userClaims(user, scopes: scopes)
        return IDTokenClaims(
            iss: issuer, sub: user.id, aud: client.clientId, exp: issuedAt + Int64(lifetime), iat: issuedAt,
            auth_time: Int64(session.authTime.timeIntervalSince1970), nonce: nonce, at_hash: accessToken.map(atHash),
            sid: session.id, azp: client.clientId, name: released.name, preferred_username: released.preferredUsername,
            email: released.email, email_verified: released.emailVerified)
    }
}

extension AccessTokenIssuer {
    /// An ID token for `user` signed in through `session`, issued to `client` alongside
    /// `accessToken` (whose `at_hash` it carries).
    public func issueIDToken(
        client: OAuthClient, tenantSlug: String, session: SignInSession, user: User, scopes: [String], nonce: String?,
        accessToken: String?, now: Date = Date()
    ) async throws -> String {
        let claims = IDTokens.claims(
            issuer: naming.issuer(slug: tenantSlug), client: client, session: session, user: user, scopes: scopes, nonce: nonce,
            accessToken: accessToken, now: now)
        return try await sign(claims, tenantId: client.tenantId, typ: "JWT", now: now)
    }
}

/// Checks an `id_token_hint` (RP-Initiated Logout §2): one of our ID tokens, signed by a key
/// its tenant still publishes, with a matching issuer. Expiry is not checked: the spec lets
/// an expired hint through, since logging out after the token expired is normal.
public final class IDTokenHintVerifier: Sendable {
    let keys: SigningKeyStore
    let identity: IdentityTables
    let naming: IssuerNaming
    let collections = KeyCollections()

    public init(keys: SigningKeyStore, identity: IdentityTables, naming: IssuerNaming) {
        self.keys = keys
        self.identity = identity
        self.naming = naming
    }

    public struct Verified: Sendable, Equatable {
        public var tenant: Tenant
        public var claims: IDTokenClaims
    }

    /// The verified hint, or nil for anything else (malformed, another type, unknown issuer
    /// or key, bad signature).
    public func verify(_ token: String, now: Date = Date()) async -> Verified? {
        guard token.utf8.count <= AccessTokenVerifier.maxTokenBytes else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64URL.decode(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
              header["alg"] as? String == "ES256",
              (header["typ"] as? String)?.uppercased() == "JWT",
              let kid = header["kid"] as? String,
              let payloadBytes = Base64URL.decode(parts[1]),
              let unverified = try? JSONDecoder().decode(IDTokenClaims.self, from: Data(payloadBytes)),
              let slug = naming.slug(fromIssuer: unverified.iss),
              let tenant = try? keys.environment.read({ try identity.tenant(slug: slug, in: $0) }),
              let key = try? keys.publishedKeys(tenantId: tenant.id, now: now).first(where: { $0.kid == kid }),
              let claims = try? await collections.verifier(for: key).verify(token, as: IDTokenClaims.self),
              claims.iss == naming.issuer(slug: slug)
        else { return nil }
        return Verified(tenant: tenant, claims: claims)
    }
}
