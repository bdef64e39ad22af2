import Foundation
import Store

/// The SCIM bearer token of an enterprise connection: `scim_` + 32 random bytes base64url,
/// shown once when rotated, stored only as its SHA-256 in the connection's record. Rotating
/// replaces the hash, so the previous token stops working with that commit; deleting the
/// connection deletes the hash with it.
public struct SCIMTokens: Sendable {
    public static let prefix = "scim_"
    /// Longer presented tokens are refused before hashing.
    static let maxTokenBytes = 256

    public let environment: Environment
    public let tables: EnterpriseTables

    public init(environment: Environment, tables: EnterpriseTables) {
        self.environment = environment
        self.tables = tables
    }

    public static func generate() -> String { prefix + ClientSecrets.generate() }

    /// Makes a new token for the tenant's connection and returns it (the only time it is
    /// seen); throws `EnterpriseConnectionError.unknownConnection` for any other id.
    public func rotate(tenantId: String, connectionId: String, actor: String, now: Date = Date()) async throws -> String {
        let tables = self.tables
        return try await environment.write { txn in
            try txn.rotateSCIMToken(tenantId: tenantId, connectionId: connectionId, actor: actor, now: now, tables: tables)
        }
    }

    /// The connection whose SCIM token `token` is, if `connectionId` names it; nil for an
    /// unknown connection, one without a token, or any other token. The digest comparison
    /// takes the same time wherever the digests differ, and a hash is computed even when
    /// there is nothing to compare with.
    public func authenticate(connectionId: String, token: String) throws -> EnterpriseConnection? {
        let tables = self.tables
        return try environment.read { txn in
            try txn.scimConnection(connectionId: connectionId, token: token, tables: tables)
        }
    }
}

extension TransactionReading {
    /// `SCIMTokens.authenticate` inside a caller's transaction.
    public func scimConnection(connectionId: String, token: String, tables: EnterpriseTables) throws -> EnterpriseConnection? {
        guard token.utf8.count <= SCIMTokens.maxTokenBytes else { return nil }
        let presented = Array(ClientSecrets.hash(token).utf8)
        let connection = try enterpriseConnection(id: connectionId, tables: tables)
        let stored = connection?.scimToken.map { Array($0.hash.utf8) } ?? Array(repeating: 0, count: presented.count)
        let equal = ClientSecrets.constantTimeEqual(presented, stored)
        guard equal, let connection, connection.scimToken != nil else { return nil }
        return connection
    }
}

extension WriteTransaction {
    public func rotateSCIMToken(tenantId: String, connectionId: String, actor: String, now: Date, tables: EnterpriseTables) throws -> String {
        guard var connection = try enterpriseConnection(tenantId: tenantId, id: connectionId, tables: tables) else {
            throw EnterpriseConnectionError.unknownConnection(connectionId)
        }
        let token = SCIMTokens.generate()
        let replaced = connection.scimToken != nil
        connection.scimToken = SCIMTokenRecord(hash: ClientSecrets.hash(token), createdAt: now)
        connection.updatedAt = now
        try putJSON(tables.connections, Key(.string(tenantId), .string(connectionId)), connection)
        try appendAudit(AuditEvent(
            time: now, tenantId: tenantId, actor: actor, action: "enterprise_connection.scim_token.rotate", target: connectionId,
            reason: replaced ? "previous token revoked" : "first token"))
        return token
    }
}
