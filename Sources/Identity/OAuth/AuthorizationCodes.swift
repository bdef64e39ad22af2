import Crypto
import Foundation
import Store

/// One authorization code (RFC 6749 §4.1.2), as stored: everything the token endpoint must
/// check the redemption against, and the sign-in session the tokens will belong to.
public struct AuthorizationCode: Codable, Sendable, Equatable {
    public var tenantId: String
    public var clientId: String
    /// The `redirect_uri` of the authorization request; the token request must repeat it.
    public var redirectURI: String
    /// The S256 `code_challenge` (RFC 7636), nil when the confidential client sent none.
    public var codeChallenge: String?
    public var nonce: String?
    public var scopes: [String]
    public var sessionId: String
    public var createdAt: Date
    public var expiresAt: Date
    /// Set by the one successful redemption; a second one finds it and revokes the session.
    public var redeemedAt: Date?

    public init(
        tenantId: String, clientId: String, redirectURI: String, codeChallenge: String?, nonce: String?, scopes: [String],
        sessionId: String, createdAt: Date, expiresAt: Date, redeemedAt: Date? = nil
    ) {
        self.tenantId = tenantId
        self.clientId = clientId
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.scopes = scopes
        self.sessionId = sessionId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.redeemedAt = redeemedAt
    }
}

/// Why a code was not redeemed. Every case is `invalid_grant` to the client; the cases
/// exist for logs and tests.
public enum AuthorizationCodeError: Error, Equatable, Sendable {
    case unknown
    case expired
    /// Redeemed before: the session (and everything issued under it) has been revoked.
    case reused
    case wrongClient
    case wrongRedirectURI
    /// The code was bound to a challenge and no verifier came, or one came for a code without.
    case verifierMissing
    case verifierUnexpected
    case verifierMalformed
    case verifierMismatch
    case sessionEnded
}

/// A successful redemption: the code as it was, and its still-active session.
public struct RedeemedAuthorizationCode: Sendable, Equatable {
    public var code: AuthorizationCode
    public var session: SignInSession
}

/// Authorization codes in LMDB, keyed (tenant id, SHA-256 of the code). A code lives 60 s
/// and is redeemable once. A redeemed record is kept a while longer so that a second
/// redemption is recognised as a replay (RFC 6749 §4.1.2: the authorization server should
/// then revoke what the first one issued), which it does by revoking the sign-in session,
/// stopping its access and refresh tokens together.
public final class AuthorizationCodeStore: Sendable {
    public let environment: Environment
    let identity: IdentityTables
    let table: Table

    public static let lifetime: TimeInterval = 60
    /// How long a code's record outlives its expiry, to catch replays of it.
    public static let replayWindow: TimeInterval = 10 * 60
    /// Codes are 43 characters; anything much longer is not ours.
    public static let maxCodeBytes = 128
    /// Expired records swept per issued code, so the table cannot grow without bound.
    static let sweepLimit = 32

    public init(environment: Environment, identity: IdentityTables) throws {
        self.environment = environment
        self.identity = identity
        table = try environment.table("oauth.authorization_codes")
    }

    /// A fresh code (256 random bits, base64url) and the record to store under its hash.
    public func make(
        client: OAuthClient, redirectURI: String, codeChallenge: String?, nonce: String?, scopes: [String], sessionId: String,
        now: Date = Date()
    ) -> (code: String, record: AuthorizationCode) {
        let record = AuthorizationCode(
            tenantId: client.tenantId, clientId: client.clientId, redirectURI: redirectURI, codeChallenge: codeChallenge,
            nonce: nonce, scopes: scopes, sessionId: sessionId, createdAt: now, expiresAt: now.addingTimeInterval(Self.lifetime))
        return (ClientSecrets.generate(), record)
    }

    /// Stores a code made by `make` inside the caller's write transaction (the sign-in that
    /// led to it is written in the same one), and sweeps a few long-dead records.
    public func insert(_ code: String, _ record: AuthorizationCode, in txn: WriteTransaction) throws {
        try txn.putJSON(table, Key(.string(record.tenantId), .string(ClientSecrets.hash(code))), record)
        try txn.appendAudit(AuditEvent(
            time: record.createdAt, tenantId: record.tenantId, actor: record.clientId, action: "authorization_code.issue",
            target: record.sessionId, reason: "scopes \(record.scopes.joined(separator: " "))"))
        try sweep(tenantId: record.tenantId, now: record.createdAt, in: txn)
    }

    /// Convenience for callers with nothing else to write.
    public func issue(
        client: OAuthClient, redirectURI: String, codeChallenge: String?, nonce: String?, scopes: [String], sessionId: String,
        now: Date = Date()
    ) async throws -> String {
        let (code, record) = make(
            client: client, redirectURI: redirectURI, codeChallenge: codeChallenge, nonce: nonce, scopes: scopes,
            sessionId: sessionId, now: now)
        try await environment.write { txn in try self.insert(code, record, in: txn) }
        return code
    }

    /// Redeems `code` for `clientId`, checking everything RFC 6749 §4.1.3 and RFC 7636 §4.6
    /// ask, in one write transaction so two concurrent redemptions cannot both succeed.
    /// A failed check leaves the code as it was (a stolen code presented by the wrong client
    /// or with a wrong verifier must not lock out the rightful one); only a replay of a
    /// redeemed code changes anything: it revokes the session.
    public func redeem(
        _ code: String, client: OAuthClient, redirectURI: String?, codeVerifier: String?, now: Date = Date()
    ) async throws -> RedeemedAuthorizationCode {
        guard code.utf8.count <= Self.maxCodeBytes else { throw AuthorizationCodeError.unknown }
        // Looked up under the client's own tenant: another tenant's code is simply not found.
        let tenantId = client.tenantId
        let clientId = client.clientId
        let key = Key(.string(tenantId), .string(ClientSecrets.hash(code)))
        let table = self.table
        let identity = self.identity
        let outcome: Result<RedeemedAuthorizationCode, AuthorizationCodeError> = try await environment.write { txn in
            guard var record = try txn.getJSON(AuthorizationCode.self, table, key) else { return .failure(.unknown) }
            if record.redeemedAt != nil {
                try txn.revokeSession(
                    tenantId: tenantId, id: record.sessionId, reason: "authorization code replayed", actor: clientId, now: now,
                    tables: identity)
                try txn.appendAudit(AuditEvent(
                    time: now, tenantId: tenantId, actor: clientId, action: "authorization_code.replay",
                    target: record.sessionId, outcome: .denied, reason: "a redeemed authorization code was presented again"))
                return .failure(.reused)
            }
            guard now < record.expiresAt else { return .failure(.expired) }
            guard record.clientId == clientId else { return .failure(.wrongClient) }
            guard redirectURI == record.redirectURI else { return .failure(.wrongRedirectURI) }
            if let failure = PKCE.check(verifier: codeVerifier, challenge: record.codeChallenge) { return .failure(failure) }
            guard let session = try txn.getJSON(
                SignInSession.self, identity.sessions, Key(.string(tenantId), .string(record.sessionId))),
                session.isActive(at: now)
            else { return .failure(.sessionEnded) }
            record.redeemedAt = now
            try txn.putJSON(table, key, record)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: clientId, action: "authorization_code.redeem", target: record.sessionId))
            return .success(RedeemedAuthorizationCode(code: record, session: session))
        }
        return try outcome.get()
    }

    /// Deletes up to `sweepLimit` records of the tenant that are past their replay window.
    func sweep(tenantId: String, now: Date, in txn: WriteTransaction) throws {
        var dead: [Key] = []
        var seen = 0
        for entry in try txn.entries(table, prefix: Key(.string(tenantId)), limit: Self.sweepLimit * 4) {
            seen += 1
            guard let record = try? StoredJSON.decode(AuthorizationCode.self, from: entry.value) else {
                dead.append(entry.key)
                continue
            }
            if now.timeIntervalSince(record.expiresAt) > Self.replayWindow { dead.append(entry.key) }
            if dead.count >= Self.sweepLimit { break }
        }
        for key in dead { _ = try txn.delete(table, key) }
    }
}

/// Proof Key for Code Exchange (RFC 7636), S256 only.
public enum PKCE {
    /// RFC 7636 §4.1: 43–128 characters of ALPHA / DIGIT / "-" / "." / "_" / "~".
    public static func isValidVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count) && verifier.utf8.allSatisfy(isUnreserved)
    }

    /// An S256 challenge is the base64url SHA-256 of a verifier: exactly 43 characters.
    public static func isValidChallenge(_ challenge: String) -> Bool {
        challenge.utf8.count == 43 && challenge.utf8.allSatisfy { isUnreserved($0) && $0 != 0x2E && $0 != 0x7E }
    }

    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    /// Nil when `verifier` answers `challenge` (or neither is there); otherwise why not.
    static func check(verifier: String?, challenge: String?) -> AuthorizationCodeError? {
        switch (verifier, challenge) {
        case (nil, nil): return nil
        case (nil, _?): return .verifierMissing
        // RFC 9700 §2.1.1: a verifier for a code that had no challenge is refused, against PKCE downgrade.
        case (_?, nil): return .verifierUnexpected
        case let (verifier?, challenge?):
            guard isValidVerifier(verifier) else { return .verifierMalformed }
            return ClientSecrets.constantTimeEqual(Array(Self.challenge(for: verifier).utf8), Array(challenge.utf8))
                ? nil : .verifierMismatch
        }
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
    }
}
