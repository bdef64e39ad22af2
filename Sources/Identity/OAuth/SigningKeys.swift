import Crypto
import Foundation
import Store

/// One ES256 (P-256) signing key of a tenant.
///
/// The private key is stored as PKCS#8 PEM in the data directory's LMDB file, protected
/// only by file permissions. Encrypting keys at rest (envelope encryption under a key kept
/// outside the data directory) is future work.
public struct SigningKey: Codable, Sendable, Equatable {
    public var kid: String
    public var tenantId: String
    public var algorithm: String
    public var createdAt: Date
    /// When a rotation replaced this key. A retired key signs nothing more but stays
    /// published until every token it signed has expired.
    public var retiredAt: Date?
    public var privateKeyPEM: String

    public var isActive: Bool { retiredAt == nil }

    /// The public half as a JSON Web Key (RFC 7517/7518).
    public func publicJWK() throws -> JSONWebKey {
        let key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        let point = Array(key.publicKey.x963Representation)  // 0x04 ‖ x ‖ y
        return JSONWebKey(
            kty: "EC", crv: "P-256", x: Base64URL.encode(point[1..<33]), y: Base64URL.encode(point[33..<65]),
            kid: kid, use: "sig", alg: algorithm)
    }
}

/// A public JSON Web Key, as published in JWKS.
public struct JSONWebKey: Codable, Sendable, Equatable {
    public var kty: String
    public var crv: String
    public var x: String
    public var y: String
    public var kid: String
    public var use: String
    public var alg: String
}

/// The longest an access token lives, and how long retired signing keys stay published.
public enum AccessTokenLifetime {
    public static let seconds: TimeInterval = 3600
    public static let leeway: TimeInterval = 60
    /// The longest-lived thing the tenant keys sign: a device's offline lease
    /// (`OfflineLeases.lifetime` in Devices, 7 days), verified offline against JWKS. A test
    /// keeps the two equal.
    public static let longestSignedLifetime: TimeInterval = 7 * 24 * 3600
    /// Retired keys stay published this long after their retirement, so every token and
    /// lease they signed can still be checked until it expires; after that they drop out of
    /// JWKS and the next rotation deletes them.
    public static var keyRetention: TimeInterval { max(seconds, longestSignedLifetime) + leeway }
}

/// Per-tenant signing keys in LMDB: exactly one active key (created on first use), plus
/// retired keys until their tokens have expired.
public final class SigningKeyStore: Sendable {
    public let environment: Environment
    let tables: OAuthTables

    public init(environment: Environment, tables: OAuthTables) {
        self.environment = environment
        self.tables = tables
    }

    /// Every stored key of the tenant, oldest first.
    public func keys(tenantId: String) throws -> [SigningKey] {
        try environment.read { try Self.keys(tenantId: tenantId, tables: tables, in: $0) }
    }

    static func keys(tenantId: String, tables: OAuthTables, in txn: some TransactionReading) throws -> [SigningKey] {
        try txn.entries(tables.signingKeys, prefix: Key(.string(tenantId)))
            .map { try StoredJSON.decode(SigningKey.self, from: $0.value) }
            .sorted { ($0.createdAt, $0.kid) < ($1.createdAt, $1.kid) }
    }

    /// The key that signs new tokens; made (in one write transaction) when there is none.
    public func activeKey(tenantId: String, now: Date = Date()) async throws -> SigningKey {
        if let active = try keys(tenantId: tenantId).last(where: \.isActive) { return active }
        let tables = self.tables
        return try await environment.write { txn in
            // Another request may have made it meanwhile: the writer lock makes this check exact.
            if let active = try Self.keys(tenantId: tenantId, tables: tables, in: txn).last(where: \.isActive) {
                return active
            }
            let key = Self.generate(tenantId: tenantId, now: now)
            try txn.putJSON(tables.signingKeys, Key(.string(tenantId), .string(key.kid)), key)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: "arbiter", action: "signing-key.create", target: key.kid))
            return key
        }
    }

    /// Adds a new active key and retires the current one(s); deletes keys retired longer
    /// ago than the retention. Returns the new key.
    @discardableResult
    public func rotate(tenantId: String, actor: String, now: Date = Date()) async throws -> SigningKey {
        let tables = self.tables
        return try await environment.write { txn in
            for var old in try Self.keys(tenantId: tenantId, tables: tables, in: txn) {
                let key = Key(.string(tenantId), .string(old.kid))
                if let retiredAt = old.retiredAt {
                    if now.timeIntervalSince(retiredAt) >= AccessTokenLifetime.keyRetention {
                        try txn.delete(tables.signingKeys, key)
                    }
                } else {
                    old.retiredAt = now
                    try txn.putJSON(tables.signingKeys, key, old)
                }
            }
            let key = Self.generate(tenantId: tenantId, now: now)
            try txn.putJSON(tables.signingKeys, Key(.string(tenantId), .string(key.kid)), key)
            try txn.bumpRevision(tenant: tenantId)
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: tenantId, actor: actor, action: "signing-key.rotate", target: key.kid))
            return key
        }
    }

    /// The keys a verifier may trust at `now`: the active key and every retired key whose
    /// tokens may not all have expired yet.
    public func publishedKeys(tenantId: String, now: Date = Date()) throws -> [SigningKey] {
        try keys(tenantId: tenantId).filter { key in
            guard let retiredAt = key.retiredAt else { return true }
            return now.timeIntervalSince(retiredAt) < AccessTokenLifetime.keyRetention
        }
    }

    static func generate(tenantId: String, now: Date) -> SigningKey {
        SigningKey(
            kid: RandomID.make(prefix: "key"), tenantId: tenantId, algorithm: "ES256", createdAt: now, retiredAt: nil,
            privateKeyPEM: P256.Signing.PrivateKey().pemRepresentation)
    }
}
