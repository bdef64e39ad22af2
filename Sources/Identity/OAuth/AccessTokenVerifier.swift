import Foundation
import JWTKit
import Store
import Synchronization

public enum TokenVerificationError: Error, Equatable, Sendable {
    case malformed
    case wrongType
    case unsupportedAlgorithm
    case unknownIssuer
    case unknownKey
    case badSignature
    case wrongAudience
    case expired
    case notYetValid
    /// Its `jti` was revoked (RFC 7009) or its sign-in session was revoked or has expired.
    case revoked
}

/// Checks access tokens: ES256 signature against the issuing tenant's published keys,
/// `typ: at+jwt`, `iss` (one of our tenant issuers), `aud`, and `exp`/`nbf` with a small
/// leeway. A verified token is cached by its exact string until it expires, so the
/// signature check (≈125 µs, DESIGN §6) runs once per token, not once per request.
/// Revocation is checked on every call: the revoked-`jti` table, the client's record and,
/// for a user token, its session (point reads in one snapshot), so a revocation,
/// a disabled client or a sign-out takes effect on the next request. The reads are
/// skipped only when they cannot answer differently: nothing was committed since the
/// snapshot that last found the token live (LMDB's transaction ids only grow; every one
/// of those changes is a commit) and its session, if any, has not reached its end. On
/// the check routes those reads were ≈6% of a request's server CPU.
public final class AccessTokenVerifier: Sendable {
    public let naming: IssuerNaming
    let keys: SigningKeyStore
    let identity: IdentityTables
    let collections = KeyCollections()
    let leeway: TimeInterval
    let clock: @Sendable () -> Date
    let cacheCapacity: Int
    private let cache = Mutex<[String: CacheEntry]>([:])
    private let signatureChecks = Atomic<Int>(0)
    private let revocationReads = Atomic<Int>(0)
    /// Last seen record bytes of each client and whether that record is active.
    private let clientStatus = Mutex<[String: (record: [UInt8], active: Bool)]>([:])

    /// Longer strings are not tokens we issued.
    public static let maxTokenBytes = 8192

    public init(
        keys: SigningKeyStore, identity: IdentityTables, naming: IssuerNaming, leeway: TimeInterval = 30,
        cacheCapacity: Int = 10_000, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.keys = keys
        self.identity = identity
        self.naming = naming
        self.leeway = leeway
        self.cacheCapacity = max(cacheCapacity, 1)
        self.clock = clock
    }

    /// How many signatures this verifier has checked (cache misses), for tests and metrics.
    public var signatureVerifications: Int { signatureChecks.load(ordering: .relaxed) }
    /// How many times it read a token's revocation state (not skipped), for tests.
    public var revocationChecks: Int { revocationReads.load(ordering: .relaxed) }

    /// A verified token and what its last revocation check found.
    private struct CacheEntry {
        var verified: VerifiedAccessToken
        /// The snapshot id of the last check that found the token live; -1 before one.
        var liveAt = -1
        /// Until when that finding holds without a write (its session's end), in seconds
        /// since 1970.
        var liveUntil = -Double.infinity
    }

    /// `token` from the cache of verified tokens, with its revocation checked now (as
    /// `verify` does); nil when it is not cached or has expired — `verify` then decides.
    /// Never suspends: the check routes' fast path calls it on the event loop.
    public func cachedVerification(_ token: String) throws -> VerifiedAccessToken? {
        try cachedFinding(token)?.verified
    }

    /// What `cachedVerification` found, with the bounds within which it holds without
    /// asking again (`stillHolds`).
    public struct Finding: Sendable {
        public let verified: VerifiedAccessToken
        /// The snapshot id of the check that found the token live.
        let liveAt: Int
        /// The end of its session (or infinity), and its expiry with the leeway, in seconds since 1970.
        let liveUntil: Double
        let expiresAt: Double
    }

    /// `cachedVerification`, with what it found.
    public func cachedFinding(_ token: String) throws -> Finding? {
        let now = clock()
        guard let entry = cache.withLock({ $0[token] }) else { return nil }
        let expiresAt = Double(entry.verified.claims.exp) + leeway
        guard expiresAt > now.timeIntervalSince1970 else { return nil }
        let kept = Finding(verified: entry.verified, liveAt: entry.liveAt, liveUntil: entry.liveUntil, expiresAt: expiresAt)
        if entry.liveAt >= 0, stillLive(kept, now: now.timeIntervalSince1970) { return kept }
        let live = try checkNotRevoked(entry.verified, now: now)
        cache.withLock { cache in
            guard cache[token] != nil else { return }
            cache[token]!.liveAt = live.snapshot
            cache[token]!.liveUntil = live.until
        }
        return Finding(verified: entry.verified, liveAt: live.snapshot, liveUntil: live.until, expiresAt: expiresAt)
    }

    /// Whether an earlier finding still holds now, by the test `cachedFinding` makes before
    /// it skips the revocation reads: the token has not expired, its session has not
    /// ended and nothing was committed since the check that found it live (a revocation,
    /// a disabled client or a sign-out is a commit). A caller keeping the finding of the
    /// token it saw last (the check fast path, per connection) then needs neither the
    /// token's string parsed out of its header again nor a lookup in the shared cache.
    public func stillHolds(_ finding: Finding) -> Bool {
        let now = clock().timeIntervalSince1970
        return now < finding.expiresAt && stillLive(finding, now: now)
    }

    /// The revocation check's part of `stillHolds`: its session has not ended and nothing
    /// was committed since.
    private func stillLive(_ finding: Finding, now: Double) -> Bool {
        now < finding.liveUntil && finding.liveAt == keys.environment.lastCommittedID
    }

    public func verify(_ token: String) async throws -> VerifiedAccessToken {
        if let cached = try cachedVerification(token) { return cached }
        let now = clock()
        let nowSeconds = Int64(now.timeIntervalSince1970)
        if cache.withLock({ $0.removeValue(forKey: token) }) != nil { throw TokenVerificationError.expired }
        guard token.utf8.count <= Self.maxTokenBytes else { throw TokenVerificationError.malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64URL.decode(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
              let payloadBytes = Base64URL.decode(parts[1]),
              let unverified = try? JSONDecoder().decode(AccessTokenClaims.self, from: Data(payloadBytes))
        else { throw TokenVerificationError.malformed }
        // RFC 9068 §4: the type must be at+jwt (or its full media type), so an ID token or
        // any other JWT signed with the same key is never taken for an access token.
        guard let typ = (header["typ"] as? String)?.lowercased(), typ == "at+jwt" || typ == "application/at+jwt" else {
            throw TokenVerificationError.wrongType
        }
        guard header["alg"] as? String == "ES256" else { throw TokenVerificationError.unsupportedAlgorithm }
        guard let kid = header["kid"] as? String else { throw TokenVerificationError.unknownKey }
        guard let slug = naming.slug(fromIssuer: unverified.iss),
              let tenant = try keys.environment.read({ try identity.tenant(slug: slug, in: $0) })
        else { throw TokenVerificationError.unknownIssuer }
        guard let key = try keys.publishedKeys(tenantId: tenant.id, now: now).first(where: { $0.kid == kid }) else {
            throw TokenVerificationError.unknownKey
        }
        signatureChecks.add(1, ordering: .relaxed)
        let claims: AccessTokenClaims
        do {
            claims = try await collections.verifier(for: key).verify(token, as: AccessTokenClaims.self)
        } catch {
            throw TokenVerificationError.badSignature
        }
        // The signed claims, not the unverified copy, decide from here on.
        guard claims.iss == naming.issuer(slug: slug) else { throw TokenVerificationError.unknownIssuer }
        if let tenantId = claims.tenant_id, tenantId != tenant.id { throw TokenVerificationError.unknownIssuer }
        guard claims.aud.contains(naming.audience) else { throw TokenVerificationError.wrongAudience }
        guard Double(claims.exp) + leeway > now.timeIntervalSince1970 else { throw TokenVerificationError.expired }
        if let nbf = claims.nbf, Double(nbf) - leeway > Double(nowSeconds) { throw TokenVerificationError.notYetValid }
        if Double(claims.iat) - leeway > Double(nowSeconds) { throw TokenVerificationError.notYetValid }
        let verified = VerifiedAccessToken(
            tenantId: tenant.id, tenantSlug: slug, subject: claims.sub, clientId: claims.client_id,
            scopes: claims.scopes, claims: claims)
        remember(token, verified, now: now)
        try checkNotRevoked(verified, now: now)
        return verified
    }

    /// Throws `revoked` unless the token is live now; otherwise the snapshot id it was
    /// found live at and until when that holds without a write (its session's end).
    @discardableResult
    private func checkNotRevoked(_ verified: VerifiedAccessToken, now: Date) throws -> (snapshot: Int, until: Double) {
        let tenantId = verified.tenantId
        let claims = verified.claims
        revocationReads.add(1, ordering: .relaxed)
        let live = try keys.environment.read { txn throws -> (snapshot: Int, until: Double)? in
            if try txn.isAccessTokenRevoked(tenantId: tenantId, jti: claims.jti, tables: keys.tables) { return nil }
            // A deleted or disabled client's tokens stop at once, not when they expire.
            if !BuiltInClients.isBuiltIn(claims.client_id) {
                guard claims.client_id.utf8.count <= 100,
                      try clientIsActive(tenantId: tenantId, clientId: claims.client_id, in: txn)
                else { return nil }
            }
            guard let sessionId = claims.session_id else { return (txn.snapshotID, .infinity) }
            guard sessionId.utf8.count <= 64,
                  let session = try txn.getJSON(SignInSession.self, identity.sessions, Key(.string(tenantId), .string(sessionId))),
                  session.isActive(at: now)
            else { return nil }
            return (txn.snapshotID, session.expiresAt.timeIntervalSince1970)
        }
        guard let live else { throw TokenVerificationError.revoked }
        return live
    }

    /// Whether the token's client exists and is active. The record is read on every call
    /// (a status change takes effect on the next request) but decoded only when its bytes
    /// differ from the last ones seen for that client: `JSONDecoder` on an `OAuthClient`
    /// was ≈10% of a runtime check's CPU.
    private func clientIsActive(tenantId: String, clientId: String, in txn: some TransactionReading) throws -> Bool {
        let cacheKey = tenantId + "/" + clientId
        let cached: Bool?? = try txn.withValue(keys.tables.clients, Key(.string(tenantId), .string(clientId))) { bytes -> Bool? in
            clientStatus.withLock { statuses -> Bool? in
                guard let entry = statuses[cacheKey], entry.record.count == bytes.count,
                      entry.record.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 })
                else { return nil }
                return entry.active
            }
        }
        switch cached {
        case .none: return false
        case .some(.some(let active)): return active
        case .some(.none):
            guard let record = try txn.get(keys.tables.clients, Key(.string(tenantId), .string(clientId))) else { return false }
            let active = try StoredJSON.decode(OAuthClient.self, from: record).status == .active
            clientStatus.withLock { statuses in
                if statuses.count >= cacheCapacity { statuses.removeAll(keepingCapacity: true) }
                statuses[cacheKey] = (record, active)
            }
            return active
        }
    }

    private func remember(_ token: String, _ verified: VerifiedAccessToken, now: Date) {
        let limit = cacheCapacity
        let nowSeconds = now.timeIntervalSince1970
        let leeway = self.leeway
        cache.withLock { cache in
            if cache.count >= limit {
                cache = cache.filter { Double($0.value.verified.claims.exp) + leeway > nowSeconds }
                // Still full of live tokens: start over rather than grow without bound.
                if cache.count >= limit { cache.removeAll(keepingCapacity: true) }
            }
            cache[token] = CacheEntry(verified: verified)
        }
    }
}
