import Foundation
import Store

/// Sign-in sessions in LMDB: started when a password checks out, revoked by sign-out,
/// end-session or refresh-token reuse, and looked up by the bearer middleware on every
/// request that carries a user token (one point read, no lock).
public final class SessionStore: Sendable {
    public let environment: Environment
    let tables: IdentityTables

    public init(environment: Environment, tables: IdentityTables) {
        self.environment = environment
        self.tables = tables
    }

    /// Starts a session for a user who just proved who they are.
    public func start(_ user: SignedInUser, now: Date = Date()) async throws -> SignInSession {
        let session = SignInSession(
            id: RandomID.make(prefix: "ses"), tenantId: user.tenant.id, userId: user.user.id,
            organizationId: user.membership.organizationId, membershipId: user.membership.id, authTime: now,
            expiresAt: now.addingTimeInterval(SignInSession.maxLifetime))
        let tables = self.tables
        try await environment.write { txn in
            try txn.putJSON(tables.sessions, Key(.string(session.tenantId), .string(session.id)), session)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: session.tenantId, actor: session.userId, action: "session.start", target: session.id))
        }
        return session
    }

    public func session(tenantId: String, id: String) throws -> SignInSession? {
        guard id.utf8.count <= 64 else { return nil }
        return try environment.read { try $0.getJSON(SignInSession.self, tables.sessions, Key(.string(tenantId), .string(id))) }
    }

    /// True when the session exists, is not revoked and has not expired.
    public func isActive(tenantId: String, id: String, now: Date = Date()) throws -> Bool {
        try session(tenantId: tenantId, id: id)?.isActive(at: now) ?? false
    }

    /// Revokes the session; every token issued under it stops working. Revoking twice is fine.
    public func revoke(tenantId: String, id: String, reason: String, actor: String, now: Date = Date()) async throws {
        let tables = self.tables
        try await environment.write { txn in
            try txn.revokeSession(tenantId: tenantId, id: id, reason: reason, actor: actor, now: now, tables: tables)
        }
    }

    /// The user behind an active session, with the user's current versions: what a
    /// refresh or a device-code redemption needs to mint a fresh token. Versions are kept
    /// per user (the graph's `User::"usr_…"` is the principal of a check), so a change to
    /// any of the user's memberships or groups moves them.
    public func subject(of session: SignInSession) throws -> UserTokenSubject {
        let versions = try environment.read {
            try $0.subjectVersions(tenantId: session.tenantId, subjectId: session.userId, tables: tables)
        }
        return UserTokenSubject(
            userId: session.userId, organizationId: session.organizationId, membershipId: session.membershipId,
            sessionId: session.id, authTime: session.authTime, versions: versions)
    }
}

extension WriteTransaction {
    /// Revokes a session inside the caller's transaction (refresh-token reuse revokes the
    /// family and its session together).
    public func revokeSession(
        tenantId: String, id: String, reason: String, actor: String, now: Date, tables: IdentityTables
    ) throws {
        let key = Key(.string(tenantId), .string(id))
        guard var session = try getJSON(SignInSession.self, tables.sessions, key), session.revokedAt == nil else { return }
        session.revokedAt = now
        session.revokedReason = reason
        try putJSON(tables.sessions, key, session)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "session.revoke", target: id, reason: reason))
    }
}
