import Foundation
import Store

/// What a browser's session cookie stands for: a sign-in session of one tenant.
public struct BrowserSessionRecord: Codable, Sendable, Equatable {
    public var tenantId: String
    public var sessionId: String
    public var createdAt: Date
    public var expiresAt: Date
}

/// The link between a browser and its sign-in session, so a second authorization request
/// from the same browser needs no password.
///
/// The cookie is a random secret of its own, never the session id: the session id travels
/// in tokens (`sid`, `session_id`) that every relying party sees, and must not be enough to
/// act as the browser. Keyed by the cookie's SHA-256 alone, since the cookie arrives before
/// anything names a tenant.
public final class BrowserSessionStore: Sendable {
    public let environment: Environment
    let identity: IdentityTables
    let table: Table

    static let maxCookieBytes = 128

    public init(environment: Environment, identity: IdentityTables) throws {
        self.environment = environment
        self.identity = identity
        table = try environment.table("identity.browser_sessions")
    }

    /// A new cookie value for `session` and the record to store under it.
    public func make(for session: SignInSession, now: Date = Date()) -> (cookie: String, record: BrowserSessionRecord) {
        (ClientSecrets.generate(),
         BrowserSessionRecord(tenantId: session.tenantId, sessionId: session.id, createdAt: now, expiresAt: session.expiresAt))
    }

    /// Stores the cookie's record inside the caller's transaction.
    public func insert(_ cookie: String, _ record: BrowserSessionRecord, in txn: WriteTransaction) throws {
        try txn.putJSON(table, Key(.string(ClientSecrets.hash(cookie))), record)
        // Browsers that never sign out leave records behind: each sign-in sweeps a few.
        var dead: [Key] = []
        var visited = 0
        try txn.scan(table) { key, value in
            visited += 1
            let expired = (try? StoredJSON.decode(BrowserSessionRecord.self, from: value)).map { $0.expiresAt <= record.createdAt } ?? true
            if expired { dead.append(Key(encoded: key)) }
            return dead.count < 32 && visited < 128
        }
        for key in dead { _ = try txn.delete(table, key) }
    }

    /// The active session this cookie stands for, or nil (unknown cookie, ended session).
    public func session(cookie: String, now: Date = Date()) throws -> SignInSession? {
        guard !cookie.isEmpty, cookie.utf8.count <= Self.maxCookieBytes else { return nil }
        return try environment.read { txn in
            guard let record = try txn.getJSON(BrowserSessionRecord.self, table, Key(.string(ClientSecrets.hash(cookie)))),
                  now < record.expiresAt,
                  let session = try txn.getJSON(
                    SignInSession.self, identity.sessions, Key(.string(record.tenantId), .string(record.sessionId))),
                  session.isActive(at: now)
            else { return nil }
            return session
        }
    }

    /// Forgets the cookie (sign-out). The session itself is revoked separately.
    public func delete(cookie: String, in txn: WriteTransaction) throws {
        guard !cookie.isEmpty, cookie.utf8.count <= Self.maxCookieBytes else { return }
        _ = try txn.delete(table, Key(.string(ClientSecrets.hash(cookie))))
    }

    /// The record behind a cookie even when its session has ended (sign-out revokes it).
    public func record(cookie: String) throws -> BrowserSessionRecord? {
        guard !cookie.isEmpty, cookie.utf8.count <= Self.maxCookieBytes else { return nil }
        return try environment.read { try $0.getJSON(BrowserSessionRecord.self, table, Key(.string(ClientSecrets.hash(cookie)))) }
    }
}
