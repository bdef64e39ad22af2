import Foundation
import Store

/// Refresh tokens with rotation and reuse detection.
///
/// A grant that signs a user in (authorization code, device code) starts a family with
/// `issue`. Every `redeem` marks the presented token rotated and mints the family's next
/// token in the same write transaction, so two concurrent redemptions of one token cannot
/// both succeed: the second sees it rotated. A rotated token presented again is taken as
/// stolen (either the thief or the rightful client is replaying it, and we cannot tell
/// which), so the whole family and its sign-in session are revoked — which also stops the
/// access tokens of that session at the bearer check.
///
/// Tokens are 256-bit random strings, kept only as their SHA-256, under the tenant of the
/// client they were issued to: a client of another tenant cannot even find them.
public final class RefreshTokenStore: Sendable {
    public let environment: Environment
    let identity: IdentityTables
    let tables: OAuthTables
    /// How long a token stays usable without being redeemed; the family as a whole lives
    /// as long as its session.
    public let idleLifetime: TimeInterval

    public static let defaultIdleLifetime: TimeInterval = 14 * 24 * 3600
    /// "rt_" + 43 base64url characters; anything much longer is not ours.
    public static let maxTokenBytes = 128
    public static let tokenPrefix = "rt_"

    public init(
        environment: Environment, identity: IdentityTables, tables: OAuthTables,
        idleLifetime: TimeInterval = RefreshTokenStore.defaultIdleLifetime
    ) {
        self.environment = environment
        self.identity = identity
        self.tables = tables
        self.idleLifetime = idleLifetime
    }

    /// True when `token` has the shape of our refresh tokens (for introspection and
    /// revocation to know which kind they were handed without a hint).
    public static func looksLikeRefreshToken(_ token: String) -> Bool {
        token.hasPrefix(tokenPrefix) && token.utf8.count <= maxTokenBytes
    }

    /// Starts a new family for `session` through `client` and returns its first token.
    /// Throws `RefreshTokenError.revoked` when the session is no longer active and
    /// `.wrongClient` when client and session are of different tenants. `dpopJkt` binds
    /// the family to a DPoP key; it is kept only for public clients (RFC 9449 §5:
    /// confidential clients' tokens are already bound to their client authentication).
    public func issue(
        client: OAuthClient, session: SignInSession, scopes: [String], dpopJkt: String? = nil, now: Date = Date()
    ) async throws -> String {
        guard client.tenantId == session.tenantId else { throw RefreshTokenError.wrongClient }
        let token = Self.tokenPrefix + ClientSecrets.generate()
        let hash = ClientSecrets.hash(token)
        let tables = self.tables
        let identity = self.identity
        let idleLifetime = self.idleLifetime
        let family = RefreshTokenFamily(
            id: RandomID.make(prefix: "rtf"), tenantId: client.tenantId, clientId: client.clientId, sessionId: session.id,
            userId: session.userId, scopes: scopes, createdAt: now, expiresAt: session.expiresAt,
            dpopJkt: client.publicClient ? dpopJkt : nil)
        try await environment.write { txn in
            // The stored session, not the caller's copy, says whether it is still live.
            guard let current = try txn.getJSON(
                SignInSession.self, identity.sessions, Key(.string(session.tenantId), .string(session.id))),
                current.isActive(at: now)
            else { throw RefreshTokenError.revoked }
            try txn.putJSON(tables.refreshFamilies, Key(.string(family.tenantId), .string(family.id)), family)
            try Self.putToken(hash: hash, family: family, now: now, idleLifetime: idleLifetime, txn: txn, tables: tables)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: family.tenantId, actor: client.clientId, action: "refresh_token.issue",
                target: family.id, reason: "session \(session.id)"))
        }
        return token
    }

    /// Redeems `token` for the next one of its family (RFC 6749 §6). Every refusal is a
    /// `RefreshTokenError`; a reused token revokes the family and its session before the
    /// error is thrown, in the same transaction that found the reuse. `dpopJkt` is the key
    /// the request's DPoP proof was made with, if any; a family bound to a key needs it.
    public func redeem(_ token: String, client: OAuthClient, dpopJkt: String? = nil, now: Date = Date()) async throws -> RefreshRedemption {
        guard Self.looksLikeRefreshToken(token) else { throw RefreshTokenError.unknown }
        let hash = ClientSecrets.hash(token)
        let next = Self.tokenPrefix + ClientSecrets.generate()
        let nextHash = ClientSecrets.hash(next)
        let tables = self.tables
        let identity = self.identity
        let idleLifetime = self.idleLifetime
        let outcome: Result<RefreshRedemption, RefreshTokenError> = try await environment.write { txn in
            let tokenKey = Key(.string(client.tenantId), .string(hash))
            guard var record = try txn.getJSON(RefreshTokenRecord.self, tables.refreshTokens, tokenKey) else {
                return .failure(.unknown)
            }
            // Bound to its client: another client learns nothing and changes nothing.
            guard record.clientId == client.clientId else { return .failure(.wrongClient) }
            let familyKey = Key(.string(record.tenantId), .string(record.familyId))
            guard var family = try txn.getJSON(RefreshTokenFamily.self, tables.refreshFamilies, familyKey) else {
                return .failure(.unknown)
            }
            // Checked before reuse: without the key, a copied token is useless, and must not
            // be able to revoke the rightful holder's family and session either.
            if let bound = family.dpopJkt, bound != dpopJkt {
                return .failure(.wrongKey)
            }
            if record.rotatedAt != nil {
                // Even when the family was already revoked (say, by the client at sign-out),
                // a replayed rotated token is a sign of theft: the session goes too.
                if family.revokedAt == nil {
                    family.revokedAt = now
                    family.revokedReason = "reuse"
                    try txn.putJSON(tables.refreshFamilies, familyKey, family)
                }
                try txn.appendAudit(AuditEvent(
                    time: now, tenantId: family.tenantId, actor: client.clientId, action: "refresh_token.reuse",
                    target: family.id, outcome: .denied, reason: "a rotated refresh token was presented again"))
                try txn.revokeSession(
                    tenantId: family.tenantId, id: family.sessionId, reason: "refresh token reuse", actor: client.clientId,
                    now: now, tables: identity)
                return .failure(.reused)
            }
            guard family.revokedAt == nil else { return .failure(.revoked) }
            let sessionKey = Key(.string(family.tenantId), .string(family.sessionId))
            guard let session = try txn.getJSON(SignInSession.self, identity.sessions, sessionKey), session.revokedAt == nil else { return .failure(.revoked) }
            guard family.isActive(at: now), session.isActive(at: now), now < record.expiresAt else {
                return .failure(.expired)
            }
            // A user who was deactivated (or removed) since signing in gets no new tokens.
            guard let user = try txn.getJSON(User.self, identity.users, Key(.string(session.tenantId), .string(session.userId))),
                  user.active,
                  try txn.contains(identity.memberships, Key(.string(session.tenantId), .string(session.membershipId)))
            else { return .failure(.revoked) }
            record.rotatedAt = now
            try txn.putJSON(tables.refreshTokens, tokenKey, record)
            let nextRecord = try Self.putToken(
                hash: nextHash, family: family, now: now, idleLifetime: idleLifetime, txn: txn, tables: tables)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: family.tenantId, actor: client.clientId, action: "refresh_token.rotate", target: family.id))
            return .success(RefreshRedemption(
                newToken: next, session: session, scopes: family.scopes, familyId: family.id, expiresAt: nextRecord.expiresAt))
        }
        return try outcome.get()
    }

    /// Revokes the family of `token` when it is a refresh token of `clientId` in `tenantId`
    /// (RFC 7009 §2.1). Unknown tokens, and tokens of another client, change nothing and
    /// are no error: the answer is the same either way. Returns whether a family was revoked
    /// now.
    @discardableResult
    public func revoke(_ token: String, clientId: String, tenantId: String, now: Date = Date()) async throws -> Bool {
        guard Self.looksLikeRefreshToken(token) else { return false }
        let hash = ClientSecrets.hash(token)
        let tables = self.tables
        return try await environment.write { txn in
            guard let record = try txn.getJSON(RefreshTokenRecord.self, tables.refreshTokens, Key(.string(tenantId), .string(hash))),
                  record.clientId == clientId
            else { return false }
            let familyKey = Key(.string(record.tenantId), .string(record.familyId))
            guard var family = try txn.getJSON(RefreshTokenFamily.self, tables.refreshFamilies, familyKey),
                  family.revokedAt == nil
            else { return false }
            family.revokedAt = now
            family.revokedReason = "revoked by client"
            try txn.putJSON(tables.refreshFamilies, familyKey, family)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: family.tenantId, actor: clientId, action: "refresh_token.revoke", target: family.id))
            return true
        }
    }

    /// The introspection view of `token` when it is a live refresh token of `tenantId`:
    /// not rotated, family and session active, not idle-expired. `nil` otherwise.
    public func describe(_ token: String, tenantId: String, now: Date = Date()) throws -> RefreshTokenDescription? {
        guard Self.looksLikeRefreshToken(token) else { return nil }
        let hash = ClientSecrets.hash(token)
        return try environment.read { txn in
            guard let record = try txn.getJSON(RefreshTokenRecord.self, tables.refreshTokens, Key(.string(tenantId), .string(hash))),
                  record.rotatedAt == nil, now < record.expiresAt,
                  let family = try txn.getJSON(
                    RefreshTokenFamily.self, tables.refreshFamilies, Key(.string(record.tenantId), .string(record.familyId))),
                  family.isActive(at: now),
                  let session = try txn.getJSON(
                    SignInSession.self, identity.sessions, Key(.string(family.tenantId), .string(family.sessionId))),
                  session.isActive(at: now)
            else { return nil }
            return RefreshTokenDescription(
                clientId: record.clientId, userId: family.userId, sessionId: family.sessionId, scopes: family.scopes,
                issuedAt: record.issuedAt, expiresAt: record.expiresAt)
        }
    }

    /// The family a token belongs to, whatever its state (for tests and operators).
    public func family(of token: String, tenantId: String) throws -> RefreshTokenFamily? {
        guard Self.looksLikeRefreshToken(token) else { return nil }
        let hash = ClientSecrets.hash(token)
        return try environment.read { txn in
            guard let record = try txn.getJSON(RefreshTokenRecord.self, tables.refreshTokens, Key(.string(tenantId), .string(hash)))
            else { return nil }
            return try txn.getJSON(RefreshTokenFamily.self, tables.refreshFamilies, Key(.string(record.tenantId), .string(record.familyId)))
        }
    }

    @discardableResult
    private static func putToken(
        hash: String, family: RefreshTokenFamily, now: Date, idleLifetime: TimeInterval, txn: WriteTransaction,
        tables: OAuthTables
    ) throws -> RefreshTokenRecord {
        let record = RefreshTokenRecord(
            familyId: family.id, tenantId: family.tenantId, clientId: family.clientId, issuedAt: now,
            expiresAt: min(now.addingTimeInterval(idleLifetime), family.expiresAt), rotatedAt: nil)
        try txn.putJSON(tables.refreshTokens, Key(.string(family.tenantId), .string(hash)), record)
        return record
    }
}
