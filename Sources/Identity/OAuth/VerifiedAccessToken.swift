/// A verified access token: who it is for and what it allows.
///
/// A value type whose fields live in one shared, immutable box: a check hands its token
/// from the verifier's cache to the caller, the server-filled context and the decision,
/// and with some twenty strings and arrays inline every copy retained (and every end
/// released) each of them, ≈3% of a check's server CPU in profiles. Boxed, a copy is one
/// retain. Reads borrow the box's fields (`_read`, inlinable: across modules a non-inlinable
/// accessor made callers copy the whole claims to read one of them), so reading
/// `claims.exp` copies nothing. Read-only: nothing changes a token once verified.
public struct VerifiedAccessToken: Sendable, Equatable {
    @usableFromInline
    final class Box: Sendable {
        @usableFromInline let tenantId: String
        @usableFromInline let tenantSlug: String
        @usableFromInline let subject: String
        @usableFromInline let clientId: String
        @usableFromInline let scopes: [String]
        @usableFromInline let claims: AccessTokenClaims

        init(tenantId: String, tenantSlug: String, subject: String, clientId: String, scopes: [String], claims: AccessTokenClaims) {
            self.tenantId = tenantId
            self.tenantSlug = tenantSlug
            self.subject = subject
            self.clientId = clientId
            self.scopes = scopes
            self.claims = claims
        }
    }

    @usableFromInline let box: Box

    public init(tenantId: String, tenantSlug: String, subject: String, clientId: String, scopes: [String], claims: AccessTokenClaims) {
        box = Box(tenantId: tenantId, tenantSlug: tenantSlug, subject: subject, clientId: clientId, scopes: scopes, claims: claims)
    }

    public var tenantId: String {
        @inlinable _read { yield box.tenantId }
    }
    public var tenantSlug: String {
        @inlinable _read { yield box.tenantSlug }
    }
    public var subject: String {
        @inlinable _read { yield box.subject }
    }
    public var clientId: String {
        @inlinable _read { yield box.clientId }
    }
    public var scopes: [String] {
        @inlinable _read { yield box.scopes }
    }
    public var claims: AccessTokenClaims {
        @inlinable _read { yield box.claims }
    }

    public static func == (lhs: VerifiedAccessToken, rhs: VerifiedAccessToken) -> Bool {
        lhs.box === rhs.box
            || (lhs.tenantId == rhs.tenantId && lhs.tenantSlug == rhs.tenantSlug && lhs.subject == rhs.subject
                && lhs.clientId == rhs.clientId && lhs.scopes == rhs.scopes && lhs.claims == rhs.claims)
    }
}
