import Foundation

/// One refresh-token family: the chain of refresh tokens that one grant (one sign-in
/// session through one client) leads to. Each redemption rotates the chain to its next
/// token; presenting an earlier token again means it was copied, so the family and its
/// session are revoked (OAuth 2.0 Security BCP §4.14.2).
public struct RefreshTokenFamily: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var clientId: String
    public var sessionId: String
    public var userId: String
    /// The scopes of the original grant; a refresh may narrow them, never widen them.
    public var scopes: [String]
    public var createdAt: Date
    /// The family never outlives its session.
    public var expiresAt: Date
    public var revokedAt: Date?
    public var revokedReason: String?
    /// RFC 7638 thumbprint of the DPoP key a public client proved when the family began
    /// (RFC 9449 §5: a public client's refresh tokens are bound to its DPoP key, because it
    /// has no credential that would stop a stolen token). Every redemption must prove it.
    public var dpopJkt: String?

    public func isActive(at now: Date) -> Bool { revokedAt == nil && now < expiresAt }
}

/// One refresh token of a family, stored under the SHA-256 of its value only.
public struct RefreshTokenRecord: Codable, Sendable, Equatable {
    public var familyId: String
    public var tenantId: String
    public var clientId: String
    public var issuedAt: Date
    /// A token left unused this long expires even while its family lives.
    public var expiresAt: Date
    /// Set when the token was redeemed for its successor; any later use is reuse.
    public var rotatedAt: Date?
}

/// What a successful refresh hands back: the next token of the family and the session and
/// scopes to mint the new access token from.
public struct RefreshRedemption: Sendable, Equatable {
    public var newToken: String
    public var session: SignInSession
    public var scopes: [String]
    public var familyId: String
    /// When `newToken` stops working if it is not used.
    public var expiresAt: Date
}

/// What introspection says about an active refresh token (RFC 7662).
public struct RefreshTokenDescription: Sendable, Equatable {
    public var clientId: String
    public var userId: String
    public var sessionId: String
    public var scopes: [String]
    public var issuedAt: Date
    public var expiresAt: Date
}

/// Why a refresh token was refused. Every case is `invalid_grant` on the wire.
public enum RefreshTokenError: Error, Equatable, Sendable {
    /// Not a token we know (in this tenant).
    case unknown
    /// Issued to another client (RFC 6749 §6: the token is bound to its client).
    case wrongClient
    /// Already rotated: the family and its session were revoked just now.
    case reused
    /// The family or its session was revoked earlier.
    case revoked
    /// Idle or absolute lifetime is over.
    case expired
    /// The family is bound to a DPoP key and the request did not prove it.
    case wrongKey
}

/// A revoked access token, remembered by `jti` until it would have expired anyway.
public struct RevokedAccessToken: Codable, Sendable, Equatable {
    public var expiresAt: Date
    public var revokedAt: Date
}
