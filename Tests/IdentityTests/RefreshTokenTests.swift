import Foundation
import Store
import Synchronization
import Testing
import TestSupport
@testable import Identity

/// A signed-in user with a session and a public interactive client, over `OAuthFixture`.
struct RefreshFixture {
    let oauth: OAuthFixture
    let sessions: SessionStore
    let store: RefreshTokenStore
    let revocations: AccessTokenRevocations
    let session: SignInSession
    let client: OAuthClient
    let otherClient: OAuthClient
    let now: Date

    init() async throws {
        oauth = try await OAuthFixture()
        now = wholeSecondNow()
        sessions = SessionStore(environment: oauth.environment, tables: oauth.identity)
        store = RefreshTokenStore(environment: oauth.environment, identity: oauth.identity, tables: oauth.tables)
        revocations = AccessTokenRevocations(environment: oauth.environment, tables: oauth.tables)
        let signIn = PasswordSignIn(environment: oauth.environment, tables: oauth.identity, hasher: PasswordHasher(cost: 4))
        let user = try #require(try await signIn.authenticate(tenantSlug: oauth.slug, userName: "admin", password: "ChangeThisPassword123!"))
        session = try await sessions.start(user, now: now)
        client = try await Self.interactiveClient(oauth, name: "Portal")
        otherClient = try await Self.interactiveClient(oauth, name: "Other portal")
    }

    static func interactiveClient(_ oauth: OAuthFixture, name: String) async throws -> OAuthClient {
        let client = OAuthClient(
            clientId: RandomID.make(prefix: "cli"), tenantId: oauth.tenantId, applicationId: "app_test", name: name,
            purpose: .interactiveWeb, status: .active, scopes: ["openid", "offline_access", "arbiter.api", "tenant_context"],
            secrets: [], createdAt: Date(), isPublic: true, redirectURIs: ["https://app.example.com/cb"])
        let tables = oauth.tables
        try await oauth.environment.write { txn in
            try txn.putJSON(tables.clients, Key(.string(client.tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(client.tenantId.utf8))
        }
        return client
    }

    func sessionState() throws -> SignInSession {
        try #require(try sessions.session(tenantId: session.tenantId, id: session.id))
    }
}

@Suite struct RefreshTokenTests {
    @Test func redeemingRotatesAndTheOldTokenThenCountsAsReuseWhichRevokesFamilyAndSession() async throws {
        let f = try await RefreshFixture()
        let first = try await f.store.issue(client: f.client, session: f.session, scopes: ["openid", "offline_access"], now: f.now)
        #expect(first.hasPrefix("rt_") && first.utf8.count == 46)

        let redeemed = try await f.store.redeem(first, client: f.client, now: f.now.addingTimeInterval(60))
        #expect(redeemed.newToken != first && redeemed.newToken.hasPrefix("rt_"))
        #expect(redeemed.session.id == f.session.id && redeemed.session.userId == f.session.userId)
        #expect(redeemed.scopes == ["openid", "offline_access"])

        // The next token works once too.
        let second = try await f.store.redeem(redeemed.newToken, client: f.client, now: f.now.addingTimeInterval(120))
        #expect(second.familyId == redeemed.familyId)

        // Replaying the first token: reuse. Family and session are revoked, the live token dies.
        await #expect(throws: RefreshTokenError.reused) {
            try await f.store.redeem(first, client: f.client, now: f.now.addingTimeInterval(180))
        }
        let family = try #require(try f.store.family(of: first, tenantId: f.oauth.tenantId))
        #expect(family.revokedAt != nil && family.revokedReason == "reuse")
        let session = try f.sessionState()
        #expect(session.revokedAt != nil && session.revokedReason == "refresh token reuse")
        #expect(try !f.sessions.isActive(tenantId: f.session.tenantId, id: f.session.id))
        await #expect(throws: RefreshTokenError.revoked) {
            try await f.store.redeem(second.newToken, client: f.client, now: f.now.addingTimeInterval(240))
        }

        // Audited, with no token value in any event.
        let events = try f.oauth.environment.read { try $0.auditEvents(tenant: f.oauth.tenantId, limit: 1000) }
        let actions = events.map(\.action)
        #expect(actions.contains("refresh_token.issue") && actions.contains("refresh_token.rotate"))
        #expect(actions.contains("refresh_token.reuse") && actions.contains("session.revoke"))
        for event in events {
            for token in [first, redeemed.newToken, second.newToken] {
                #expect(!event.target.contains(token) && !(event.reason ?? "").contains(token))
            }
        }
    }

    @Test func tokensAreStoredOnlyAsHashes() async throws {
        let f = try await RefreshFixture()
        let token = try await f.store.issue(client: f.client, session: f.session, scopes: ["openid"], now: f.now)
        let tables = f.oauth.tables
        let stored: [String] = try f.oauth.environment.read { txn in
            try txn.entries(tables.refreshTokens, prefix: Key(.string(f.oauth.tenantId))).map {
                String(decoding: $0.key.bytes + $0.value, as: UTF8.self)
            } + txn.entries(tables.refreshFamilies, prefix: Key(.string(f.oauth.tenantId))).map {
                String(decoding: $0.value, as: UTF8.self)
            }
        }
        #expect(stored.count == 2)
        let secretPart = String(token.dropFirst(3))
        #expect(stored.allSatisfy { !$0.contains(secretPart) })
        #expect(stored[0].contains(ClientSecrets.hash(token)))
    }

    @Test func anotherClientCannotRedeemOrRevokeAndChangesNothing() async throws {
        let f = try await RefreshFixture()
        let token = try await f.store.issue(client: f.client, session: f.session, scopes: ["openid"], now: f.now)
        await #expect(throws: RefreshTokenError.wrongClient) {
            try await f.store.redeem(token, client: f.otherClient, now: f.now)
        }
        #expect(try await !f.store.revoke(token, clientId: f.otherClient.clientId, tenantId: f.oauth.tenantId, now: f.now))
        // Still good for its own client, and not counted as used.
        let redeemed = try await f.store.redeem(token, client: f.client, now: f.now)
        #expect(try f.sessionState().revokedAt == nil)
        #expect(try f.store.describe(redeemed.newToken, tenantId: f.oauth.tenantId, now: f.now)?.clientId == f.client.clientId)
    }

    @Test func aClientOfAnotherTenantDoesNotFindTheToken() async throws {
        let f = try await RefreshFixture()
        let token = try await f.store.issue(client: f.client, session: f.session, scopes: ["openid"], now: f.now)
        var foreign = f.otherClient
        foreign.tenantId = "ten_other"
        foreign.clientId = f.client.clientId  // even with the same client id
        await #expect(throws: RefreshTokenError.unknown) { try await f.store.redeem(token, client: foreign, now: f.now) }
        await #expect(throws: RefreshTokenError.wrongClient) {
            try await f.store.issue(client: foreign, session: f.session, scopes: ["openid"], now: f.now)
        }
    }

    @Test func unknownAndMalformedTokensAreUnknown() async throws {
        let f = try await RefreshFixture()
        for token in ["", "rt_nope", "not-a-refresh-token", "rt_" + String(repeating: "a", count: 5000)] {
            await #expect(throws: RefreshTokenError.unknown) { try await f.store.redeem(token, client: f.client, now: f.now) }
            #expect(try await !f.store.revoke(token, clientId: f.client.clientId, tenantId: f.oauth.tenantId, now: f.now))
            #expect(try f.store.describe(token, tenantId: f.oauth.tenantId, now: f.now) == nil)
        }
    }

    @Test func anIdleTokenExpires() async throws {
        let f = try await RefreshFixture()
        let token = try await f.store.issue(client: f.client, session: f.session, scopes: ["openid"], now: f.now)
        let late = f.now.addingTimeInterval(RefreshTokenStore.defaultIdleLifetime + 1)
        await #expect(throws: RefreshTokenError.expired) { try await f.store.redeem(token, client: f.client, now: late) }
        #expect(try f.store.describe(token, tenantId: f.oauth.tenantId, now: late) == nil)
        // An expired token is not a reuse signal: the session lives on.
        #expect(try f.sessionState().revokedAt == nil)
    }

    @Test func theFamilyEndsWithItsSessionHoweverOftenItRotates() async throws {
        let f = try await RefreshFixture()
        var token = try await f.store.issue(client: f.client, session: f.session, scopes: ["openid"], now: f.now)
        var at = f.now
        let step: TimeInterval = 13 * 24 * 3600
        while at.addingTimeInterval(step) < f.session.expiresAt {
            at = at.addingTimeInterval(step)
            let redeemed = try await f.store.redeem(token, client: f.client, now: at)
            #expect(redeemed.expiresAt <= f.session.expiresAt)
            token = redeemed.newToken
        }
        await #expect(throws: RefreshTokenError.expired) {
            try await f.store.redeem(token, client: f.client, now: f.session.expiresAt.addingTimeInterval(1))
        }
    }

    @Test func aRevokedSessionOrRevokedFamilyRefusesRefresh() async throws {
        let f = try await RefreshFixture()
        let token = try await f.store.issue(client: f.client, session: f.session, scopes: ["openid"], now: f.now)
        try await f.sessions.revoke(tenantId: f.session.tenantId, id: f.session.id, reason: "sign-out", actor: "test", now: f.now)
        await #expect(throws: RefreshTokenError.revoked) { try await f.store.redeem(token, client: f.client, now: f.now) }
        await #expect(throws: RefreshTokenError.revoked) {
            try await f.store.issue(client: f.client, session: f.session, scopes: ["openid"], now: f.now)
        }

        let g = try await RefreshFixture()
        let other = try await g.store.issue(client: g.client, session: g.session, scopes: ["openid"], now: g.now)
        #expect(try await g.store.revoke(other, clientId: g.client.clientId, tenantId: g.oauth.tenantId, now: g.now))
        #expect(try await !g.store.revoke(other, clientId: g.client.clientId, tenantId: g.oauth.tenantId, now: g.now))
        await #expect(throws: RefreshTokenError.revoked) { try await g.store.redeem(other, client: g.client, now: g.now) }
        // Revocation by the client ends the family, not the session (that is end-session's job).
        #expect(try g.sessionState().revokedAt == nil)
        let actions = try g.oauth.environment.read { try $0.auditEvents(tenant: g.oauth.tenantId, limit: 1000) }.map(\.action)
        #expect(actions.filter { $0 == "refresh_token.revoke" }.count == 1)
    }

    @Test func twoConcurrentRedemptionsOfOneTokenYieldOneSuccessAndOneReuse() async throws {
        let f = try await RefreshFixture()
        let token = try await f.store.issue(client: f.client, session: f.session, scopes: ["openid"], now: f.now)
        let store = f.store
        let client = f.client
        let now = f.now
        let results = await withTaskGroup(of: Result<RefreshRedemption, RefreshTokenError>.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    do { return .success(try await store.redeem(token, client: client, now: now)) } catch let error as RefreshTokenError {
                        return .failure(error)
                    } catch { return .failure(.unknown) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { if case .success = $0 { true } else { false } }.count == 1)
        #expect(results.contains { $0 == .failure(.reused) })
    }

    @Test func describeAnswersOnlyForTheLiveTokenOfTheTenant() async throws {
        let f = try await RefreshFixture()
        let token = try await f.store.issue(client: f.client, session: f.session, scopes: ["openid", "offline_access"], now: f.now)
        let described = try #require(try f.store.describe(token, tenantId: f.oauth.tenantId, now: f.now))
        #expect(described.clientId == f.client.clientId && described.userId == f.session.userId)
        #expect(described.scopes == ["openid", "offline_access"])
        #expect(described.expiresAt == f.now.addingTimeInterval(RefreshTokenStore.defaultIdleLifetime))
        #expect(try f.store.describe(token, tenantId: "ten_other", now: f.now) == nil)
        _ = try await f.store.redeem(token, client: f.client, now: f.now)
        #expect(try f.store.describe(token, tenantId: f.oauth.tenantId, now: f.now) == nil)
    }
}

@Suite struct AccessTokenRevocationTests {
    func userToken(_ f: RefreshFixture) async throws -> IssuedAccessToken {
        let issuer = AccessTokenIssuer(keys: f.oauth.keys, naming: f.oauth.naming)
        return try await issuer.issue(
            TokenGrant(
                client: f.client, tenantSlug: f.oauth.slug, scopes: ["openid", "arbiter.api", "tenant_context"],
                user: try f.sessions.subject(of: f.session)),
            now: f.now)
    }

    @Test func aRevokedSessionStopsItsAccessTokensEvenWhenCached() async throws {
        let f = try await RefreshFixture()
        let issued = try await userToken(f)
        let verifier = f.oauth.verifier(at: f.now.addingTimeInterval(5))
        #expect(try await verifier.verify(issued.token).claims.session_id == f.session.id)
        #expect(verifier.signatureVerifications == 1)
        try await f.sessions.revoke(tenantId: f.session.tenantId, id: f.session.id, reason: "sign-out", actor: "test", now: f.now)
        await #expect(throws: TokenVerificationError.revoked) { try await verifier.verify(issued.token) }
        #expect(verifier.signatureVerifications == 1)  // the signature result was cached; revocation was not
    }

    /// The revocation reads of a cached token are skipped only while they cannot answer
    /// differently: nothing committed since the snapshot that found it live, and its
    /// session not yet at its end.
    @Test func revocationReadsAreSkippedOnlyWhileNothingWasWrittenAndTheSessionLasts() async throws {
        let f = try await RefreshFixture()
        let first = try await userToken(f)
        let second = try await userToken(f)
        let clock = Mutex(f.now.addingTimeInterval(5))
        // A huge leeway: the tokens outlive the session in this test.
        let verifier = AccessTokenVerifier(
            keys: f.oauth.keys, identity: f.oauth.identity, naming: f.oauth.naming, leeway: 60 * 24 * 3600,
            clock: { clock.withLock { $0 } })
        for token in [first.token, second.token] { _ = try await verifier.verify(token) }
        #expect(try verifier.cachedVerification(first.token) != nil)
        let reads = verifier.revocationChecks
        for _ in 0..<3 { #expect(try verifier.cachedVerification(first.token) != nil) }
        #expect(verifier.revocationChecks == reads, "nothing was written: no reads")

        // Any commit, even an unrelated one: read once more, then skipped again.
        _ = try await RefreshFixture.interactiveClient(f.oauth, name: "Unrelated")
        #expect(try verifier.cachedVerification(first.token) != nil)
        #expect(verifier.revocationChecks == reads + 1)
        #expect(try verifier.cachedVerification(first.token) != nil)
        #expect(verifier.revocationChecks == reads + 1)

        // A revocation after skipped checks takes effect on the next one.
        try await f.revocations.revoke(first.claims, tenantId: f.oauth.tenantId, actor: "test", now: f.now)
        #expect(throws: TokenVerificationError.revoked) { try verifier.cachedVerification(first.token) }

        // The session's end, with nothing written since the last check: refused.
        #expect(try verifier.cachedVerification(second.token) != nil)
        let beforeEnd = verifier.revocationChecks
        #expect(try verifier.cachedVerification(second.token) != nil)
        #expect(verifier.revocationChecks == beforeEnd)
        clock.withLock { $0 = f.session.expiresAt.addingTimeInterval(1) }
        #expect(throws: TokenVerificationError.revoked) { try verifier.cachedVerification(second.token) }
    }

    /// A finding kept by a caller (the check fast path keeps its connection's last one)
    /// holds exactly while the cached check would skip its reads: not after any commit,
    /// not past the session's end, not past the token's expiry.
    @Test func aKeptFindingHoldsOnlyWhileTheReadsWouldBeSkipped() async throws {
        let f = try await RefreshFixture()
        let issued = try await userToken(f)
        let clock = Mutex(f.now.addingTimeInterval(5))
        let verifier = AccessTokenVerifier(
            keys: f.oauth.keys, identity: f.oauth.identity, naming: f.oauth.naming, leeway: 60 * 24 * 3600,
            clock: { clock.withLock { $0 } })
        _ = try await verifier.verify(issued.token)
        let finding = try #require(try verifier.cachedFinding(issued.token))
        #expect(finding.verified == (try verifier.cachedVerification(issued.token)))
        #expect(verifier.stillHolds(finding))
        #expect(verifier.stillHolds(finding))

        // Any commit: the finding no longer holds; a fresh one (after the reads) does.
        _ = try await RefreshFixture.interactiveClient(f.oauth, name: "Unrelated")
        #expect(!verifier.stillHolds(finding))
        let fresh = try #require(try verifier.cachedFinding(issued.token))
        #expect(verifier.stillHolds(fresh))

        // The session's end, with nothing written: it no longer holds either.
        clock.withLock { $0 = f.session.expiresAt.addingTimeInterval(1) }
        #expect(!verifier.stillHolds(fresh))

        // Nor past the token's expiry (a verifier without the huge leeway).
        let strict = AccessTokenVerifier(
            keys: f.oauth.keys, identity: f.oauth.identity, naming: f.oauth.naming, leeway: 0,
            clock: { clock.withLock { $0 } })
        clock.withLock { $0 = f.now.addingTimeInterval(5) }
        _ = try await strict.verify(issued.token)
        let short = try #require(try strict.cachedFinding(issued.token))
        #expect(strict.stillHolds(short))
        clock.withLock { $0 = Date(timeIntervalSince1970: Double(issued.claims.exp) + 1) }
        #expect(!strict.stillHolds(short))
    }

    @Test func anExpiredSessionStopsItsAccessTokens() async throws {
        let f = try await RefreshFixture()
        let issued = try await userToken(f)
        // Past the session's end, yet (with a huge leeway) not past the token's own expiry.
        let verifier = AccessTokenVerifier(
            keys: f.oauth.keys, identity: f.oauth.identity, naming: f.oauth.naming, leeway: 60 * 24 * 3600,
            clock: { f.session.expiresAt.addingTimeInterval(1) })
        await #expect(throws: TokenVerificationError.revoked) { try await verifier.verify(issued.token) }
    }

    @Test func aRevokedJtiIsRefusedAndOtherTokensAreNot() async throws {
        let f = try await RefreshFixture()
        let revoked = try await userToken(f)
        let kept = try await userToken(f)
        let verifier = f.oauth.verifier(at: f.now.addingTimeInterval(5))
        _ = try await verifier.verify(revoked.token)
        try await f.revocations.revoke(revoked.claims, tenantId: f.oauth.tenantId, actor: f.client.clientId, now: f.now)
        try await f.revocations.revoke(revoked.claims, tenantId: f.oauth.tenantId, actor: f.client.clientId, now: f.now)
        await #expect(throws: TokenVerificationError.revoked) { try await verifier.verify(revoked.token) }
        #expect(try await verifier.verify(kept.token).claims.jti == kept.claims.jti)
        #expect(try f.sessionState().revokedAt == nil)
        let actions = try f.oauth.environment.read { try $0.auditEvents(tenant: f.oauth.tenantId, limit: 1000) }.map(\.action)
        #expect(actions.filter { $0 == "access_token.revoke" }.count == 1)
    }

    @Test func aPublicClientsFamilyIsBoundToItsDPoPKeyAndAWrongKeyChangesNothing() async throws {
        let f = try await RefreshFixture()
        let scopes = ["openid", "offline_access"]
        let first = try await f.store.issue(client: f.client, session: f.session, scopes: scopes, dpopJkt: "key-A", now: f.now)
        // No proof, or another key: refused, and neither the token nor the session is used up.
        await #expect(throws: RefreshTokenError.wrongKey) { try await f.store.redeem(first, client: f.client, now: f.now) }
        await #expect(throws: RefreshTokenError.wrongKey) {
            try await f.store.redeem(first, client: f.client, dpopJkt: "key-B", now: f.now)
        }
        #expect(try f.sessionState().revokedAt == nil)
        let next = try await f.store.redeem(first, client: f.client, dpopJkt: "key-A", now: f.now.addingTimeInterval(1))
        // The rotated token keeps the binding; a replay of the old one without the key is no
        // reuse signal (a thief without the key cannot revoke the holder's session).
        await #expect(throws: RefreshTokenError.wrongKey) {
            try await f.store.redeem(next.newToken, client: f.client, dpopJkt: "key-B", now: f.now.addingTimeInterval(2))
        }
        await #expect(throws: RefreshTokenError.wrongKey) { try await f.store.redeem(first, client: f.client, now: f.now.addingTimeInterval(2)) }
        #expect(try f.sessionState().revokedAt == nil)
        _ = try await f.store.redeem(next.newToken, client: f.client, dpopJkt: "key-A", now: f.now.addingTimeInterval(3))
    }

    @Test func aConfidentialClientsFamilyIsNotBoundToTheDPoPKey() async throws {
        let f = try await RefreshFixture()
        var confidential = try await RefreshFixture.interactiveClient(f.oauth, name: "Server app")
        confidential.isPublic = false
        let tables = f.oauth.tables
        let stored = confidential
        try await f.oauth.environment.write { txn in
            try txn.putJSON(tables.clients, Key(.string(stored.tenantId), .string(stored.clientId)), stored)
        }
        let first = try await f.store.issue(client: confidential, session: f.session, scopes: ["openid"], dpopJkt: "key-A", now: f.now)
        _ = try await f.store.redeem(first, client: confidential, now: f.now.addingTimeInterval(1))
    }

    @Test func expiredRevocationEntriesArePrunedOnTheNextRevocation() async throws {
        let f = try await RefreshFixture()
        let old = try await userToken(f)
        try await f.revocations.revoke(old.claims, tenantId: f.oauth.tenantId, actor: "test", now: f.now)
        #expect(try f.revocations.isRevoked(tenantId: f.oauth.tenantId, jti: old.claims.jti))
        var later = try await userToken(f)
        later.claims.jti = "at_later"
        later.claims.exp += 100_000
        try await f.revocations.revoke(
            later.claims, tenantId: f.oauth.tenantId, actor: "test", now: f.now.addingTimeInterval(AccessTokenLifetime.seconds + 10))
        #expect(try !f.revocations.isRevoked(tenantId: f.oauth.tenantId, jti: old.claims.jti))
        #expect(try f.revocations.isRevoked(tenantId: f.oauth.tenantId, jti: "at_later"))
    }
}
