import Foundation
import Store
import Testing
import TestSupport
@testable import Identity

/// A tenant in a fresh data directory with the OAuth services around it.
struct OAuthFixture {
    let directory = TemporaryDirectory()
    let environment: Environment
    let identity: IdentityTables
    let tables: OAuthTables
    let keys: SigningKeyStore
    let clients: ClientRegistry
    let naming = IssuerNaming(baseURL: "https://auth.example.com/")
    let tenantId: String
    let slug = "acme"

    init() async throws {
        environment = try Environment(path: directory.path)
        identity = try IdentityTables(environment: environment)
        tables = try OAuthTables(environment: environment)
        keys = SigningKeyStore(environment: environment, tables: tables)
        clients = ClientRegistry(environment: environment, tables: tables)
        let registrar = TenantRegistrar(environment: environment, tables: identity, hasher: PasswordHasher(cost: 4))
        tenantId = try await registrar.register(TenantRegistration(
            tenantName: "Acme", tenantSlug: slug, userName: "admin", email: "admin@acme.example",
            password: "ChangeThisPassword123!", planCode: "developer")).tenantId
    }

    func client(scopes: [String] = ["arbiter.api", "tenant_context"], purpose: ClientPurpose = .automation) async throws -> IssuedClientSecret {
        let application = try await clients.createApplication(tenantId: tenantId, name: "Billing", actor: "test")
        return try await clients.createClient(
            tenantId: tenantId, applicationId: application.id, name: "Billing sync", purpose: purpose, scopes: scopes,
            grantor: .operator, actor: "test")
    }

    func verifier(at date: Date, naming: IssuerNaming? = nil, capacity: Int = 100) -> AccessTokenVerifier {
        AccessTokenVerifier(keys: keys, identity: identity, naming: naming ?? self.naming, cacheCapacity: capacity, clock: { date })
    }
}

@Suite struct SigningKeyTests {
    @Test func firstUseCreatesOneActiveKeyAndPublishesItsPublicHalf() async throws {
        let f = try await OAuthFixture()
        #expect(try f.keys.keys(tenantId: f.tenantId).isEmpty)
        let first = try await f.keys.activeKey(tenantId: f.tenantId)
        let again = try await f.keys.activeKey(tenantId: f.tenantId)
        #expect(first.kid == again.kid)
        #expect(try f.keys.keys(tenantId: f.tenantId).count == 1)
        let jwk = try first.publicJWK()
        #expect(jwk.kty == "EC" && jwk.crv == "P-256" && jwk.alg == "ES256" && jwk.use == "sig" && jwk.kid == first.kid)
        #expect(jwk.x.count == 43 && jwk.y.count == 43)
        #expect(first.privateKeyPEM.contains("PRIVATE KEY"))
    }

    @Test func rotationRetiresTheOldKeyWhichStaysPublishedUntilItsTokensExpired() async throws {
        let f = try await OAuthFixture()
        let start = wholeSecondNow()  // dates are stored to the millisecond
        let old = try await f.keys.activeKey(tenantId: f.tenantId, now: start)
        let new = try await f.keys.rotate(tenantId: f.tenantId, actor: "test", now: start)
        #expect(new.kid != old.kid)
        #expect(try await f.keys.activeKey(tenantId: f.tenantId).kid == new.kid)
        let retention = AccessTokenLifetime.keyRetention
        #expect(retention >= AccessTokenLifetime.seconds)
        #expect(Set(try f.keys.publishedKeys(tenantId: f.tenantId, now: start).map(\.kid)) == [old.kid, new.kid])
        #expect(Set(try f.keys.publishedKeys(tenantId: f.tenantId, now: start + retention - 1).map(\.kid)) == [old.kid, new.kid])
        #expect(try f.keys.publishedKeys(tenantId: f.tenantId, now: start + retention).map(\.kid) == [new.kid])
        // Still stored until a later rotation prunes it.
        #expect(try f.keys.keys(tenantId: f.tenantId).count == 2)
        let third = try await f.keys.rotate(tenantId: f.tenantId, actor: "test", now: start + retention)
        #expect(Set(try f.keys.keys(tenantId: f.tenantId).map(\.kid)) == [new.kid, third.kid])
    }
}

@Suite struct ClientSecretTests {
    @Test func secretsAreRandomBase64URLAndStoredOnlyAsTheirHash() async throws {
        let f = try await OAuthFixture()
        let issued = try await f.client()
        #expect(issued.secret.count == 43)
        #expect(Base64URL.decode(issued.secret)?.count == 32)
        #expect(ClientSecrets.generate() != ClientSecrets.generate())
        let stored = try #require(try f.clients.client(id: issued.client.clientId))
        #expect(stored.secrets.count == 1)
        #expect(stored.secrets[0].sha256 == ClientSecrets.hash(issued.secret))
        #expect(stored.secrets[0].sha256.count == 64)
        // Nothing stored contains the secret itself.
        let raw = try f.environment.read { try $0.get(f.tables.clients, Key(.string(f.tenantId), .string(issued.client.clientId))) }
        #expect(!String(decoding: try #require(raw), as: UTF8.self).contains(issued.secret))
        #expect(try f.clients.authenticate(clientId: issued.client.clientId, secret: issued.secret)?.clientId == issued.client.clientId)
        #expect(try f.clients.authenticate(clientId: issued.client.clientId, secret: issued.secret + "x") == nil)
        #expect(try f.clients.authenticate(clientId: "cli_nobody", secret: issued.secret) == nil)
        #expect(ClientSecrets.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!ClientSecrets.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!ClientSecrets.constantTimeEqual([1, 2], [1, 2, 3]))
    }

    @Test func rotationKeepsTheOldSecretForTheGracePeriodOnly() async throws {
        let f = try await OAuthFixture()
        let issued = try await f.client()
        let id = issued.client.clientId
        let now = wholeSecondNow()  // dates are stored to the millisecond
        let rotated = try await f.clients.rotateSecret(tenantId: f.tenantId, clientId: id, gracePeriod: 600, actor: "test", now: now)
        #expect(rotated.secret != issued.secret)
        #expect(try f.clients.authenticate(clientId: id, secret: issued.secret, now: now + 599) != nil)
        #expect(try f.clients.authenticate(clientId: id, secret: issued.secret, now: now + 600) == nil)
        #expect(try f.clients.authenticate(clientId: id, secret: rotated.secret, now: now + 10_000) != nil)

        // Without a grace period the previous secrets stop at once, and expired ones are dropped.
        let again = try await f.clients.rotateSecret(tenantId: f.tenantId, clientId: id, gracePeriod: 0, actor: "test", now: now + 1)
        #expect(try f.clients.authenticate(clientId: id, secret: rotated.secret, now: now + 2) == nil)
        #expect(try f.clients.authenticate(clientId: id, secret: issued.secret, now: now + 2) == nil)
        #expect(try f.clients.authenticate(clientId: id, secret: again.secret, now: now + 2) != nil)
        #expect(try f.clients.client(id: id)?.secrets.count == 1)

        await #expect(throws: ValidationFailure.self) {
            try await f.clients.rotateSecret(tenantId: f.tenantId, clientId: id, gracePeriod: -1, actor: "test")
        }
        await #expect(throws: ClientRegistryError.unknownClient("cli_nobody")) {
            try await f.clients.rotateSecret(tenantId: f.tenantId, clientId: "cli_nobody", gracePeriod: 0, actor: "test")
        }
    }
}

@Suite struct ScopeRuleTests {
    @Test func reservedCapabilityScopesOnlyFromTheOperator() {
        for scope in OAuthScopes.reservedCapabilities {
            #expect(!OAuthScopes.grantErrors([scope], purpose: .automation, grantor: .tenant).isEmpty)
            #expect(OAuthScopes.grantErrors([scope], purpose: .automation, grantor: .operator).isEmpty)
        }
        #expect(OAuthScopes.grantErrors(["arbiter.api", "tenant_context"], purpose: .automation, grantor: .tenant).isEmpty)
    }

    @Test func unknownDuplicateUserAndEmptyScopesAreRefused() {
        #expect(OAuthScopes.grantErrors(["arbiter.everything"], purpose: .automation, grantor: .operator).count == 1)
        #expect(OAuthScopes.grantErrors(["arbiter.api", "arbiter.api"], purpose: .automation, grantor: .operator).count == 1)
        #expect(OAuthScopes.grantErrors(["openid"], purpose: .automation, grantor: .operator).count == 1)
        #expect(OAuthScopes.grantErrors([], purpose: .automation, grantor: .operator).count == 1)
        #expect(OAuthScopes.parse("a  b") == ["a", "b"])
        #expect(OAuthScopes.parse("a\"b") == nil)
        #expect(OAuthScopes.parse("a\\b") == nil)
    }

    @Test func aTenantCannotCreateAClientWithAReservedScope() async throws {
        let f = try await OAuthFixture()
        let application = try await f.clients.createApplication(tenantId: f.tenantId, name: "App", actor: "test")
        await #expect(throws: ValidationFailure.self) {
            try await f.clients.createClient(
                tenantId: f.tenantId, applicationId: application.id, name: "x", purpose: .automation,
                scopes: ["arbiter.scim.admin"], grantor: .tenant, actor: "test")
        }
        await #expect(throws: ClientRegistryError.unknownApplication("app_missing")) {
            try await f.clients.createClient(
                tenantId: f.tenantId, applicationId: "app_missing", name: "x", purpose: .automation,
                scopes: ["arbiter.api"], grantor: .tenant, actor: "test")
        }
    }
}

@Suite struct AccessTokenTests {
    @Test func issuedTokensCarryTheRFC9068ClaimsAndVerify() async throws {
        let f = try await OAuthFixture()
        let client = try await f.client().client
        let issuer = AccessTokenIssuer(keys: f.keys, naming: f.naming)
        let now = Date()
        let issued = try await issuer.issue(client: client, tenantSlug: f.slug, scopes: client.scopes, now: now)
        let parts = issued.token.split(separator: ".")
        #expect(parts.count == 3)
        let header = try #require(jsonPart(parts[0]))
        #expect(header["typ"] as? String == "at+jwt")
        #expect(header["alg"] as? String == "ES256")
        #expect(header["kid"] as? String == (try await f.keys.activeKey(tenantId: f.tenantId)).kid)
        let claims = issued.claims
        #expect(claims.iss == "https://auth.example.com/t/acme")
        #expect(claims.aud == ["https://auth.example.com"])
        #expect(claims.sub == client.clientId && claims.client_id == client.clientId)
        #expect(claims.exp - claims.iat == 3600)
        #expect(claims.scope == "arbiter.api tenant_context")
        #expect(claims.tenant_id == f.tenantId)

        let verified = try await f.verifier(at: now).verify(issued.token)
        #expect(verified.tenantId == f.tenantId && verified.tenantSlug == "acme")
        #expect(verified.clientId == client.clientId && verified.subject == client.clientId)
        #expect(verified.scopes == ["arbiter.api", "tenant_context"])
        #expect(verified.claims == claims)
    }

    @Test func noTenantIdWithoutTenantContext() async throws {
        let f = try await OAuthFixture()
        let client = try await f.client(scopes: ["arbiter.api"]).client
        let issued = try await AccessTokenIssuer(keys: f.keys, naming: f.naming).issue(client: client, tenantSlug: f.slug, scopes: ["arbiter.api"])
        #expect(issued.claims.tenant_id == nil)
    }

    @Test func refusesBadSignatureWrongTypeIssuerAudienceAndExpiry() async throws {
        let f = try await OAuthFixture()
        let client = try await f.client().client
        let now = Date()
        let token = try await AccessTokenIssuer(keys: f.keys, naming: f.naming).issue(client: client, tenantSlug: f.slug, scopes: ["arbiter.api"], now: now).token
        let parts = token.split(separator: ".").map(String.init)

        // A signature from another key (same length, valid encoding).
        var signature = Array(parts[2])
        let middle = signature.count / 2
        signature[middle] = signature[middle] == "A" ? "B" : "A"
        await #expect(throws: TokenVerificationError.badSignature) {
            try await f.verifier(at: now).verify(parts[0] + "." + parts[1] + "." + String(signature))
        }
        // Claims changed after signing.
        var claims = try #require(jsonPart(parts[1]))
        claims["scope"] = "arbiter.api arbiter.scim.admin"
        let forged = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims))
        await #expect(throws: TokenVerificationError.badSignature) {
            try await f.verifier(at: now).verify(parts[0] + "." + forged + "." + parts[2])
        }
        // Another typ (an ID token, a plain JWT) is never an access token.
        var header = try #require(jsonPart(parts[0]))
        header["typ"] = "JWT"
        let otherType = Base64URL.encode(try JSONSerialization.data(withJSONObject: header))
        await #expect(throws: TokenVerificationError.wrongType) {
            try await f.verifier(at: now).verify(otherType + "." + parts[1] + "." + parts[2])
        }
        await #expect(throws: TokenVerificationError.unknownIssuer) {
            try await f.verifier(at: now, naming: IssuerNaming(baseURL: "https://elsewhere.example")).verify(token)
        }
        await #expect(throws: TokenVerificationError.wrongAudience) {
            try await f.verifier(at: now, naming: IssuerNaming(baseURL: "https://auth.example.com", audience: "https://other-api.example")).verify(token)
        }
        // Expiry with a small leeway (30 s).
        _ = try await f.verifier(at: now + 3600 + 20).verify(token)
        await #expect(throws: TokenVerificationError.expired) {
            try await f.verifier(at: now + 3600 + 31).verify(token)
        }
        await #expect(throws: TokenVerificationError.notYetValid) {
            try await f.verifier(at: now - 120).verify(token)
        }
        await #expect(throws: TokenVerificationError.malformed) {
            try await f.verifier(at: now).verify("not.a-token")
        }
    }

    @Test func verifiedTokensAreCachedUntilTheyExpire() async throws {
        let f = try await OAuthFixture()
        let client = try await f.client().client
        let issuer = AccessTokenIssuer(keys: f.keys, naming: f.naming)
        let now = Date()
        let token = try await issuer.issue(client: client, tenantSlug: f.slug, scopes: ["arbiter.api"], now: now).token
        let verifier = f.verifier(at: now)
        for _ in 0..<5 { _ = try await verifier.verify(token) }
        #expect(verifier.signatureVerifications == 1)
        let other = try await issuer.issue(client: client, tenantSlug: f.slug, scopes: ["arbiter.api"], now: now).token
        _ = try await verifier.verify(other)
        #expect(verifier.signatureVerifications == 2)
        // A bounded cache: a full one is emptied rather than grown.
        let tiny = f.verifier(at: now, capacity: 1)
        _ = try await tiny.verify(token)
        _ = try await tiny.verify(other)
        _ = try await tiny.verify(token)
        #expect(tiny.signatureVerifications == 3)
    }

    @Test func tokensOfARetiredKeyKeepVerifyingWhileNewOnesUseTheNewKey() async throws {
        let f = try await OAuthFixture()
        let client = try await f.client().client
        let issuer = AccessTokenIssuer(keys: f.keys, naming: f.naming)
        let now = Date()
        let before = try await issuer.issue(client: client, tenantSlug: f.slug, scopes: ["arbiter.api"], now: now)
        let new = try await f.keys.rotate(tenantId: f.tenantId, actor: "test", now: now)
        let after = try await issuer.issue(client: client, tenantSlug: f.slug, scopes: ["arbiter.api"], now: now)
        func kid(_ token: String) throws -> String? {
            let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(token.split(separator: ".")[0])!)) as? [String: Any]
            return header?["kid"] as? String
        }
        #expect(try kid(after.token) == new.kid)
        #expect(try kid(before.token) != new.kid)
        _ = try await f.verifier(at: now + 10).verify(before.token)
        _ = try await f.verifier(at: now + 10).verify(after.token)
    }
}

/// One base64url JSON part of a JWT, decoded.
func jsonPart(_ part: some StringProtocol) -> [String: Any]? {
    guard let bytes = Base64URL.decode(part) else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
}

func wholeSecondNow() -> Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
