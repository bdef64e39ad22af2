import Foundation
import Store

/// Access tokens revoked before their time (RFC 7009), remembered by `jti` until they
/// would have expired anyway, when the entry is pruned. The bearer check reads this table
/// on every request; a session's tokens are revoked through the session instead.
public final class AccessTokenRevocations: Sendable {
    public let environment: Environment
    let tables: OAuthTables

    /// Expired entries removed per revocation, so pruning stays a bounded amount of work.
    static let pruneBatch = 256

    public init(environment: Environment, tables: OAuthTables) {
        self.environment = environment
        self.tables = tables
    }

    /// Remembers the token's `jti` as revoked until its `exp`. Revoking twice is fine.
    public func revoke(_ claims: AccessTokenClaims, tenantId: String, actor: String, now: Date = Date()) async throws {
        let tables = self.tables
        let entry = RevokedAccessToken(expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp)), revokedAt: now)
        let jti = claims.jti
        try await environment.write { txn in
            var expired: [Key] = []
            try txn.scan(tables.revokedAccessTokens, prefix: Key(.string(tenantId))) { key, value in
                if let old = try? StoredJSON.decode(RevokedAccessToken.self, from: value), old.expiresAt < now {
                    expired.append(Key(encoded: key))
                }
                return expired.count < Self.pruneBatch
            }
            for key in expired { try txn.delete(tables.revokedAccessTokens, key) }
            let key = Key(.string(tenantId), .string(jti))
            guard try !txn.contains(tables.revokedAccessTokens, key) else { return }
            try txn.putJSON(tables.revokedAccessTokens, key, entry)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "access_token.revoke", target: jti))
        }
    }

    public func isRevoked(tenantId: String, jti: String) throws -> Bool {
        try environment.read { try $0.isAccessTokenRevoked(tenantId: tenantId, jti: jti, tables: tables) }
    }
}

extension TransactionReading {
    public func isAccessTokenRevoked(tenantId: String, jti: String, tables: OAuthTables) throws -> Bool {
        try contains(tables.revokedAccessTokens, Key(.string(tenantId), .string(jti)))
    }
}
