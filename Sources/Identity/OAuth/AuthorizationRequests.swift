import Foundation
import Store

/// An authorization request that passed validation and waits for the user to sign in. It
/// is kept server-side, and the sign-in form carries only an opaque reference to it, so
/// nothing the client asked for (state, nonce, challenge) has to ride through the browser
/// twice or can be altered between the two requests.
public struct PendingAuthorization: Codable, Sendable, Equatable {
    public var tenantId: String
    public var clientId: String
    public var redirectURI: String
    public var scopes: [String]
    public var state: String?
    public var nonce: String?
    public var codeChallenge: String?
    public var createdAt: Date
    public var expiresAt: Date

    public init(
        tenantId: String, clientId: String, redirectURI: String, scopes: [String], state: String?, nonce: String?,
        codeChallenge: String?, createdAt: Date, expiresAt: Date
    ) {
        self.tenantId = tenantId
        self.clientId = clientId
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
        self.nonce = nonce
        self.codeChallenge = codeChallenge
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Pending authorization requests in LMDB, keyed by the SHA-256 of their reference alone:
/// the sign-in form is posted before anything says which tenant it is for (the global
/// `/connect/authorize` serves every tenant), so, like `clientTenants`, this table is not
/// tenant-prefixed. The record itself names its tenant.
public final class AuthorizationRequestStore: Sendable {
    public let environment: Environment
    let table: Table

    /// Long enough to type a password, short enough that an abandoned form goes stale.
    public static let lifetime: TimeInterval = 10 * 60
    static let maxReferenceBytes = 128
    static let sweepLimit = 32

    public init(environment: Environment) throws {
        self.environment = environment
        table = try environment.table("oauth.authorization_requests")
    }

    /// Stores `pending` and returns its reference (256 random bits).
    public func save(_ pending: PendingAuthorization) async throws -> String {
        let reference = ClientSecrets.generate()
        let key = Key(.string(ClientSecrets.hash(reference)))
        let table = self.table
        try await environment.write { txn in
            try txn.putJSON(table, key, pending)
            try Self.sweep(table: table, now: pending.createdAt, in: txn)
        }
        return reference
    }

    /// The pending request behind `reference`, unless it is unknown or expired.
    public func find(_ reference: String, now: Date = Date()) throws -> PendingAuthorization? {
        guard !reference.isEmpty, reference.utf8.count <= Self.maxReferenceBytes else { return nil }
        let pending = try environment.read {
            try $0.getJSON(PendingAuthorization.self, table, Key(.string(ClientSecrets.hash(reference))))
        }
        guard let pending, now < pending.expiresAt else { return nil }
        return pending
    }

    /// Removes the request inside the caller's transaction (the sign-in that completes it).
    /// False when it was not there (already used by a concurrent post).
    @discardableResult
    public func delete(_ reference: String, in txn: WriteTransaction) throws -> Bool {
        guard reference.utf8.count <= Self.maxReferenceBytes else { return false }
        return try txn.delete(table, Key(.string(ClientSecrets.hash(reference))))
    }

    /// Deletes up to `sweepLimit` expired requests among the first few records: abandoned
    /// forms leave records behind, and random keys spread the sweep over all of them in time.
    static func sweep(table: Table, now: Date, in txn: WriteTransaction) throws {
        var dead: [Key] = []
        var visited = 0
        try txn.scan(table) { key, value in
            visited += 1
            let expired = (try? StoredJSON.decode(PendingAuthorization.self, from: value)).map { $0.expiresAt <= now } ?? true
            if expired { dead.append(Key(encoded: key)) }
            return dead.count < sweepLimit && visited < sweepLimit * 4
        }
        for key in dead { _ = try txn.delete(table, key) }
    }
}
