import Foundation

/// One sign-in of a user: made when the password is checked, shared by every token and
/// refresh token that sign-in leads to. Revoking it (sign-out, end-session, a reused refresh
/// token) makes all of those stop working at once, because the bearer middleware checks it.
public struct SignInSession: Codable, Sendable, Equatable {
    public var id: String
    public var tenantId: String
    public var userId: String
    public var organizationId: String
    public var membershipId: String
    public var authTime: Date
    /// When the session stops being valid, whatever happens to it.
    public var expiresAt: Date
    public var revokedAt: Date?
    public var revokedReason: String?

    /// A session lives at most this long; a new sign-in makes a new one.
    public static let maxLifetime: TimeInterval = 30 * 24 * 3600

    public func isActive(at now: Date) -> Bool { revokedAt == nil && now < expiresAt }
}
