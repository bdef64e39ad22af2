import Foundation
import Store
import Testing
import TestSupport
@testable import Identity

/// The device authorization store (RFC 8628) with an explicit clock.
struct DeviceFixture {
    let oauth: OAuthFixture
    let store: DeviceAuthorizations
    let client: OAuthClient
    let start = Date(timeIntervalSince1970: 1_900_000_000)

    init() async throws {
        oauth = try await OAuthFixture()
        store = DeviceAuthorizations(environment: oauth.environment, tables: oauth.tables, identity: oauth.identity)
        client = BuiltInClients.arbiterCLI(tenantId: oauth.tenantId)
    }

    func signIn(password: String = "ChangeThisPassword123!") async throws -> SignedInUser? {
        try await PasswordSignIn(environment: oauth.environment, tables: oauth.identity, hasher: PasswordHasher(cost: 4))
            .authenticate(tenantSlug: oauth.slug, userName: "admin", password: password)
    }

    func poll(_ started: StartedDeviceAuthorization, at offset: TimeInterval, clientId: String? = nil) async throws -> DeviceCodePoll {
        try await store.poll(
            deviceCode: started.deviceCode, clientId: clientId ?? client.clientId, tenantId: oauth.tenantId,
            now: start.addingTimeInterval(offset))
    }
}

@Suite struct DeviceAuthorizationTests {
    @Test func userCodesAreEightUnambiguousLettersShownWithADash() async throws {
        let f = try await DeviceFixture()
        var seen: Set<String> = []
        for _ in 0..<50 {
            let started = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start)
            let code = started.userCode
            #expect(code.count == 9)
            #expect(Array(code)[4] == "-")
            #expect(code.replacingOccurrences(of: "-", with: "").allSatisfy { "BCDFGHJKLMNPQRSTVWXZ".contains($0) })
            #expect(started.deviceCode.count == 43)
            #expect(started.expiresIn == 600)
            #expect(started.authorization.interval == 5)
            seen.insert(code)
        }
        #expect(seen.count == 50)
    }

    @Test func normalizationIgnoresCaseDashAndSpacesAndRefusesOtherLetters() {
        #expect(DeviceAuthorizations.normalize(userCode: "bcdf-ghjk") == "BCDFGHJK")
        #expect(DeviceAuthorizations.normalize(userCode: "BCDFGHJK") == "BCDFGHJK")
        #expect(DeviceAuthorizations.normalize(userCode: " bcdf ghjk ") == "BCDFGHJK")
        #expect(DeviceAuthorizations.normalize(userCode: "ABCD-EFGH") == nil)  // vowels are not in the alphabet
        #expect(DeviceAuthorizations.normalize(userCode: "BCDF-GHJ") == nil)
        #expect(DeviceAuthorizations.normalize(userCode: "BCDF-GHJKL") == nil)
        #expect(DeviceAuthorizations.normalize(userCode: String(repeating: "B", count: 1000)) == nil)
        #expect(DeviceAuthorizations.display("BCDFGHJK") == "BCDF-GHJK")
    }

    @Test func theUserCodeFindsThePendingRequestInAnySpellingButNeverInClear() async throws {
        let f = try await DeviceFixture()
        let started = try await f.store.start(client: f.client, scopes: ["openid", "arbiter.api"], now: f.start)
        let sloppy = started.userCode.lowercased().replacingOccurrences(of: "-", with: "")
        let found = try #require(try f.store.pending(userCode: sloppy, now: f.start))
        #expect(found.tenantId == f.oauth.tenantId && found.clientId == "arbiter-cli")
        #expect(found.scopes == ["openid", "arbiter.api"])
        #expect(try f.store.pending(userCode: "BBBB-BBBB", now: f.start) == nil)
        #expect(try f.store.pending(userCode: started.userCode, now: f.start.addingTimeInterval(600)) == nil)
        // Neither code is stored in clear anywhere.
        let raw = try f.oauth.environment.read { txn in
            try txn.entries(f.oauth.tables.deviceAuthorizations, prefix: Key()).map { String(decoding: $0.value, as: UTF8.self) }
                + txn.entries(f.oauth.tables.deviceUserCodes, prefix: Key()).map { String(decoding: $0.key.bytes + $0.value, as: UTF8.self) }
        }.joined()
        #expect(!raw.contains(started.deviceCode))
        #expect(!raw.contains(started.userCode.replacingOccurrences(of: "-", with: "")))
    }

    @Test func pollingAnswersPendingThenSlowDownWithALongerIntervalThenPendingAgain() async throws {
        let f = try await DeviceFixture()
        let started = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start)
        #expect(try await f.poll(started, at: 1) == .pending)
        #expect(try await f.poll(started, at: 3) == .slowDown(interval: 10))
        #expect(try await f.poll(started, at: 9) == .slowDown(interval: 15))  // 6 s < 10 s
        #expect(try await f.poll(started, at: 24) == .pending)  // 15 s later
        #expect(try await f.poll(started, at: 39) == .pending)
    }

    @Test func anApprovedCodeIsRedeemedOnceWithTheSessionTheApprovalStarted() async throws {
        let f = try await DeviceFixture()
        let started = try await f.store.start(client: f.client, scopes: ["openid", "tenant_context"], now: f.start)
        let user = try #require(try await f.signIn())
        let outcome = try await f.store.approve(userCode: started.userCode, user: user, now: f.start.addingTimeInterval(2))
        guard case .approved(let sessionId) = outcome else { Issue.record("not approved: \(outcome)"); return }
        let session = try #require(try SessionStore(environment: f.oauth.environment, tables: f.oauth.identity)
            .session(tenantId: f.oauth.tenantId, id: sessionId))
        #expect(session.userId == user.user.id && session.membershipId == user.membership.id)
        // Decided: no longer pending, and cannot be decided again.
        #expect(try f.store.pending(userCode: started.userCode, now: f.start) == nil)
        #expect(try await f.store.deny(userCode: started.userCode, user: user, now: f.start) == .notPending)

        guard case .approved(let record) = try await f.poll(started, at: 6) else { Issue.record("no payout"); return }
        #expect(record.sessionId == sessionId && record.status == .redeemed && record.scopes == ["openid", "tenant_context"])
        #expect(try await f.poll(started, at: 12) == .invalid)
        #expect(try await f.poll(started, at: 700) == .invalid)
        let actions = try f.oauth.environment.read { try $0.auditEvents(tenant: f.oauth.tenantId, limit: 1000) }.map(\.action)
        #expect(actions.contains("device.authorization.start") && actions.contains("device.authorization.approve"))
        #expect(actions.contains("device.authorization.redeem") && actions.contains("session.start"))
    }

    @Test func aDeniedCodeAnswersAccessDeniedUntilItExpires() async throws {
        let f = try await DeviceFixture()
        let started = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start)
        let user = try #require(try await f.signIn())
        #expect(try await f.store.deny(userCode: started.userCode, user: user, now: f.start) == .denied)
        #expect(try await f.poll(started, at: 5) == .denied)
        #expect(try await f.poll(started, at: 10) == .denied)
        #expect(try await f.poll(started, at: 600) == .expired)
    }

    @Test func anExpiredCodeAnswersExpiredEvenWhenApproved() async throws {
        let f = try await DeviceFixture()
        let started = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start)
        #expect(try await f.poll(started, at: 599) == .pending)
        #expect(try await f.poll(started, at: 600) == .expired)
        let user = try #require(try await f.signIn())
        #expect(try await f.store.approve(userCode: started.userCode, user: user, now: f.start.addingTimeInterval(601)) == .notPending)

        let late = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start)
        _ = try await f.store.approve(userCode: late.userCode, user: user, now: f.start.addingTimeInterval(10))
        #expect(try await f.poll(late, at: 601) == .expired)
    }

    @Test func anotherClientsOrTenantsCodeAndUnknownCodesAreInvalid() async throws {
        let f = try await DeviceFixture()
        let started = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start)
        #expect(try await f.poll(started, at: 1, clientId: "cli_other") == .invalid)
        #expect(try await f.store.poll(deviceCode: started.deviceCode, clientId: "arbiter-cli", tenantId: "ten_other", now: f.start) == .invalid)
        #expect(try await f.store.poll(deviceCode: "nope", clientId: "arbiter-cli", tenantId: f.oauth.tenantId, now: f.start) == .invalid)
        #expect(try await f.store.poll(
            deviceCode: String(repeating: "x", count: 10_000), clientId: "arbiter-cli", tenantId: f.oauth.tenantId, now: f.start) == .invalid)
        // The other client's poll did not count as one of this client's polls.
        #expect(try await f.poll(started, at: 2) == .pending)
    }

    @Test func fiveWrongPasswordsLockTheCode() async throws {
        let f = try await DeviceFixture()
        let started = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start)
        for _ in 1..<DeviceAuthorizations.maxFailedAttempts {
            #expect(try await f.store.recordFailedAttempt(userCode: started.userCode, now: f.start) == .wrongCredentials(locked: false))
        }
        #expect(try await f.store.recordFailedAttempt(userCode: started.userCode, now: f.start) == .wrongCredentials(locked: true))
        #expect(try f.store.pending(userCode: started.userCode, now: f.start) == nil)
        #expect(try await f.store.recordFailedAttempt(userCode: started.userCode, now: f.start) == .notPending)
        let user = try #require(try await f.signIn())
        #expect(try await f.store.approve(userCode: started.userCode, user: user, now: f.start) == .notPending)
        #expect(try await f.poll(started, at: 5) == .denied)
    }

    @Test func aUserOfAnotherTenantCannotDecide() async throws {
        let f = try await DeviceFixture()
        let registrar = TenantRegistrar(environment: f.oauth.environment, tables: f.oauth.identity, hasher: PasswordHasher(cost: 4))
        _ = try await registrar.register(TenantRegistration(
            tenantName: "Other", tenantSlug: "other", userName: "admin", email: "admin@other.example",
            password: "ChangeThisPassword123!", planCode: "developer"))
        let other = try #require(try await PasswordSignIn(
            environment: f.oauth.environment, tables: f.oauth.identity, hasher: PasswordHasher(cost: 4)
        ).authenticate(tenantSlug: "other", userName: "admin", password: "ChangeThisPassword123!"))
        let started = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start)
        #expect(try await f.store.approve(userCode: started.userCode, user: other, now: f.start) == .notPending)
        #expect(try await f.poll(started, at: 1) == .pending)
    }

    @Test func oldRequestsArePurgedAfterTheirRetention() async throws {
        let f = try await DeviceFixture()
        let old = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start)
        let afterRetention = DeviceAuthorizations.lifetime + DeviceAuthorizations.retention + 1
        // A new start purges the old request in passing.
        let fresh = try await f.store.start(client: f.client, scopes: ["openid"], now: f.start.addingTimeInterval(afterRetention))
        let counts = try f.oauth.environment.read { txn in
            (try txn.count(f.oauth.tables.deviceAuthorizations), try txn.count(f.oauth.tables.deviceUserCodes),
             try txn.count(f.oauth.tables.deviceExpiries))
        }
        #expect(counts == (1, 1, 1))
        #expect(try await f.poll(old, at: afterRetention) == .invalid)
        #expect(try await f.poll(fresh, at: afterRetention) == .pending)
        #expect(try await f.store.purgeExpired(now: f.start.addingTimeInterval(afterRetention * 3)) == 1)
    }
}
