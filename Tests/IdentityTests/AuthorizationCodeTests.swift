import Crypto
import Foundation
import JWTKit
import Store
import Testing
import TestSupport
@testable import Identity

/// An OAuthFixture with a signed-in admin, an interactive client and the code store.
struct CodeFixture {
    let f: OAuthFixture
    let codes: AuthorizationCodeStore
    let sessions: SessionStore
    let client: OAuthClient
    let session: SignInSession
    static let redirect = "https://app.acme.example/callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    init() async throws {
        f = try await OAuthFixture()
        codes = try AuthorizationCodeStore(environment: f.environment, identity: f.identity)
        sessions = SessionStore(environment: f.environment, tables: f.identity)
        client = try await Self.interactiveClient(f, tenantId: f.tenantId)
        let signIn = PasswordSignIn(environment: f.environment, tables: f.identity, hasher: PasswordHasher(cost: 4))
        let user = try #require(try await signIn.authenticate(tenantSlug: "acme", userName: "admin", password: "ChangeThisPassword123!"))
        session = try await sessions.start(user)
    }

    static func interactiveClient(_ f: OAuthFixture, tenantId: String, id: String = RandomID.make(prefix: "cli")) async throws -> OAuthClient {
        let client = OAuthClient(
            clientId: id, tenantId: tenantId, applicationId: "app_test", name: "Portal", purpose: .interactiveWeb,
            status: .active, scopes: ["openid", "profile", "email", "offline_access", "tenant_context"], secrets: [],
            createdAt: Date(), isPublic: true, redirectURIs: [redirect], postLogoutRedirectURIs: [])
        let tables = f.tables
        try await f.environment.write { txn in
            try txn.putJSON(tables.clients, Key(.string(tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(tenantId.utf8))
        }
        return client
    }

    func issue(challenge: String? = PKCE.challenge(for: CodeFixture.verifier), now: Date = Date()) async throws -> String {
        try await codes.issue(
            client: client, redirectURI: Self.redirect, codeChallenge: challenge, nonce: "n-1", scopes: ["openid", "profile"],
            sessionId: session.id, now: now)
    }

    func redeem(_ code: String, client: OAuthClient? = nil, redirect: String? = CodeFixture.redirect,
                verifier: String? = CodeFixture.verifier, now: Date = Date()) async throws -> RedeemedAuthorizationCode {
        try await codes.redeem(code, client: client ?? self.client, redirectURI: redirect, codeVerifier: verifier, now: now)
    }
}

func expectCodeError(_ expected: AuthorizationCodeError, _ body: () async throws -> RedeemedAuthorizationCode,
                     sourceLocation: SourceLocation = #_sourceLocation) async {
    do {
        _ = try await body()
        Issue.record("expected \(expected), got a redemption", sourceLocation: sourceLocation)
    } catch let error as AuthorizationCodeError {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct AuthorizationCodeTests {
    @Test func pkceS256MatchesRFC7636AppendixB() {
        #expect(PKCE.challenge(for: CodeFixture.verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE.isValidChallenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
        #expect(!PKCE.isValidChallenge("too-short"))
        #expect(!PKCE.isValidChallenge(String(repeating: "a", count: 42) + "="))
        #expect(PKCE.isValidVerifier(String(repeating: "a", count: 43)))
        #expect(PKCE.isValidVerifier(String(repeating: "~", count: 128)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 42)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 129)))
        #expect(!PKCE.isValidVerifier(String(repeating: "a", count: 42) + "+"))
    }

    @Test func aCodeIsRedeemedOnceAndIsStoredOnlyAsItsHash() async throws {
        let c = try await CodeFixture()
        let code = try await c.issue()
        #expect(code.count == 43)
        let redeemed = try await c.redeem(code)
        #expect(redeemed.session.id == c.session.id)
        #expect(redeemed.code.nonce == "n-1" && redeemed.code.scopes == ["openid", "profile"])
        #expect(redeemed.code.redeemedAt != nil)
        let stored = try c.f.environment.read { txn throws in
            try txn.entries(c.codes.table, prefix: Key(.string(c.f.tenantId)))
        }
        #expect(stored.count == 1)
        #expect(stored[0].key == Key(.string(c.f.tenantId), .string(ClientSecrets.hash(code))))
        #expect(!String(decoding: stored[0].value, as: UTF8.self).contains(code))
    }

    @Test func aSecondRedemptionIsRefusedAndRevokesTheSession() async throws {
        let c = try await CodeFixture()
        let code = try await c.issue()
        _ = try await c.redeem(code)
        #expect(try c.sessions.isActive(tenantId: c.f.tenantId, id: c.session.id))
        await expectCodeError(.reused) { try await c.redeem(code) }
        #expect(try !c.sessions.isActive(tenantId: c.f.tenantId, id: c.session.id))
        let events = try c.f.environment.read { try $0.auditEvents(tenant: c.f.tenantId, limit: 1000) }
        #expect(events.contains { $0.action == "authorization_code.replay" && $0.outcome == .denied })
        // A fresh code of the revoked session is refused too.
        let later = try await c.issue()
        await expectCodeError(.sessionEnded) { try await c.redeem(later) }
    }

    @Test func expiredCodesAreRefused() async throws {
        let c = try await CodeFixture()
        let start = Date()
        let code = try await c.issue(now: start)
        await expectCodeError(.expired) { try await c.redeem(code, now: start.addingTimeInterval(61)) }
        _ = try await c.redeem(code, now: start.addingTimeInterval(59))
    }

    @Test func failedChecksLeaveTheCodeForTheRightfulClient() async throws {
        let c = try await CodeFixture()
        let code = try await c.issue()
        let other = try await CodeFixture.interactiveClient(c.f, tenantId: c.f.tenantId)
        await expectCodeError(.wrongClient) { try await c.redeem(code, client: other) }
        await expectCodeError(.wrongRedirectURI) { try await c.redeem(code, redirect: "https://app.acme.example/other") }
        await expectCodeError(.wrongRedirectURI) { try await c.redeem(code, redirect: nil) }
        await expectCodeError(.verifierMissing) { try await c.redeem(code, verifier: nil) }
        await expectCodeError(.verifierMalformed) { try await c.redeem(code, verifier: "short") }
        await expectCodeError(.verifierMismatch) { try await c.redeem(code, verifier: String(repeating: "x", count: 43)) }
        await expectCodeError(.unknown) { try await c.redeem("not-a-code") }
        await expectCodeError(.unknown) { try await c.redeem(String(repeating: "a", count: 5000)) }
        _ = try await c.redeem(code)
    }

    @Test func aVerifierForACodeWithoutChallengeIsRefused() async throws {
        let c = try await CodeFixture()
        let code = try await c.issue(challenge: nil)
        await expectCodeError(.verifierUnexpected) { try await c.redeem(code) }
        _ = try await c.redeem(code, verifier: nil)
    }

    @Test func anotherTenantsClientCannotFindTheCode() async throws {
        let c = try await CodeFixture()
        let registrar = TenantRegistrar(environment: c.f.environment, tables: c.f.identity, hasher: PasswordHasher(cost: 4))
        let otherTenant = try await registrar.register(TenantRegistration(
            tenantName: "Other", tenantSlug: "other", userName: "admin", email: "admin@other.example",
            password: "ChangeThisPassword123!", planCode: "developer")).tenantId
        let code = try await c.issue()
        // Same client id in another tenant (ids are global, but a forged record must not help).
        var forged = c.client
        forged.tenantId = otherTenant
        await expectCodeError(.unknown) { try await c.redeem(code, client: forged) }
        _ = try await c.redeem(code)
    }

    @Test func issuingSweepsRecordsPastTheirReplayWindow() async throws {
        let c = try await CodeFixture()
        let old = Date().addingTimeInterval(-(AuthorizationCodeStore.lifetime + AuthorizationCodeStore.replayWindow + 5))
        for _ in 0..<3 { _ = try await c.issue(now: old) }
        _ = try await c.issue()
        let count = try c.f.environment.read { txn throws in try txn.entries(c.codes.table, prefix: Key(.string(c.f.tenantId))).count }
        #expect(count == 1)
    }
}

@Suite struct IDTokenTests {
    @Test func idTokensCarryOIDCClaimsAndVerifyAsHints() async throws {
        let c = try await CodeFixture()
        let issuer = AccessTokenIssuer(keys: c.f.keys, naming: c.f.naming)
        let user = try #require(try c.f.environment.read { txn throws in
            try txn.getJSON(User.self, c.f.identity.users, Key(.string(c.f.tenantId), .string(c.session.userId)))
        })
        let accessToken = "an-access-token"
        let token = try await issuer.issueIDToken(
            client: c.client, tenantSlug: "acme", session: c.session, user: user, scopes: ["openid", "profile"],
            nonce: "n-1", accessToken: accessToken)
        let parts = token.split(separator: ".")
        let headerBytes = try #require(Base64URL.decode(parts[0]))
        let header = try #require(try JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any])
        #expect(header["typ"] as? String == "JWT" && header["alg"] as? String == "ES256")
        let hints = IDTokenHintVerifier(keys: c.f.keys, identity: c.f.identity, naming: c.f.naming)
        let verified = try #require(await hints.verify(token))
        let claims = verified.claims
        #expect(verified.tenant.id == c.f.tenantId)
        #expect(claims.iss == "https://auth.example.com/t/acme")
        #expect(claims.sub == user.id && claims.aud == c.client.clientId && claims.azp == c.client.clientId)
        #expect(claims.sid == c.session.id && claims.nonce == "n-1")
        #expect(claims.auth_time == Int64(c.session.authTime.timeIntervalSince1970))
        #expect(claims.exp - claims.iat == Int64(IDTokens.lifetime))
        #expect(claims.name == "admin" && claims.preferred_username == "admin")
        #expect(claims.email == nil && claims.email_verified == nil)
        let digest = Array(SHA256.hash(data: Array(accessToken.utf8)))
        #expect(claims.at_hash == Base64URL.encode(digest[0..<16]))

        // Expired hints still verify (RP-Initiated Logout); tampered ones and access tokens do not.
        let old = try await issuer.issueIDToken(
            client: c.client, tenantSlug: "acme", session: c.session, user: user, scopes: ["openid", "email"], nonce: nil,
            accessToken: nil, now: Date().addingTimeInterval(-2 * IDTokens.lifetime))
        let oldClaims = try #require(await hints.verify(old)).claims
        #expect(oldClaims.email == "admin@acme.example" && oldClaims.email_verified == false && oldClaims.name == nil)
        #expect(await hints.verify(tamperedSignature(token)) == nil)
        #expect(await hints.verify("garbage") == nil)
        let at = try await issuer.issue(client: c.client, tenantSlug: "acme", scopes: ["openid"])
        #expect(await hints.verify(at.token) == nil)
    }
}
