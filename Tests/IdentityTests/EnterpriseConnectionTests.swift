import Foundation
import Testing
import TestSupport
@testable import Identity
@testable import Store

/// Enterprise connections at the store level: create/patch/delete with audit events,
/// secrets kept only as hashes, SCIM token rotation and authentication, tenant isolation,
/// and SAML certificates parsed from one `openssl` makes during the test.
@Suite struct EnterpriseConnectionTests {
    struct Fixture {
        let directory = TemporaryDirectory()
        let env: Environment
        let identity: IdentityTables
        let tables: EnterpriseTables
        let store: EnterpriseConnections
        let tokens: SCIMTokens
        let acme: TenantRegistrationResult
        let globex: TenantRegistrationResult

        init() async throws {
            env = try Environment(path: directory.path)
            identity = try IdentityTables(environment: env)
            tables = try EnterpriseTables(environment: env)
            store = EnterpriseConnections(environment: env, tables: tables, identity: identity)
            tokens = SCIMTokens(environment: env, tables: tables)
            let registrar = TenantRegistrar(environment: env, tables: identity, hasher: PasswordHasher(cost: 4))
            acme = try await registrar.register(TenantRegistration(
                tenantName: "Acme", tenantSlug: "acme", userName: "admin", email: "admin@acme.example",
                password: "ChangeThisPassword123!", planCode: "developer"))
            globex = try await registrar.register(TenantRegistration(
                tenantName: "Globex", tenantSlug: "globex", userName: "admin", email: "admin@globex.example",
                password: "ChangeThisPassword123!", planCode: "developer"))
        }

        func oidcDraft(secret: String? = "s3cret-value-WXYZ") -> ConnectionDraft {
            ConnectionDraft(
                type: .oidc, name: "Okta", providerKey: "okta",
                oidc: OIDCInput(issuer: "https://acme.okta.example", clientId: "0oa123", clientSecret: secret),
                jit: JITDefaults(organizationId: acme.organizationId, roles: ["member", "editor", "member"]))
        }

        func audit(_ tenantId: String) throws -> [AuditEvent] {
            try env.read { try $0.auditEvents(tenant: tenantId, limit: 1000) }
        }
    }

    @Test func createKeepsTheSecretOnlyAsAHashAndAudits() async throws {
        let f = try await Fixture()
        let created = try await f.store.create(tenantId: f.acme.tenantId, f.oidcDraft(), actor: "admin")
        #expect(created.id.hasPrefix("con_"))
        #expect(created.oidc?.clientSecretHash == ClientSecrets.hash("s3cret-value-WXYZ"))
        #expect(created.oidc?.clientSecretHint == "WXYZ")
        #expect(created.oidc?.scopes == ConnectionRules.defaultScopes)
        #expect(created.jit?.roles == ["editor", "member"])
        let stored = try #require(try f.store.connection(tenantId: f.acme.tenantId, id: created.id))
        // Dates are stored to the millisecond; everything else comes back as it was made.
        #expect(stored.id == created.id && stored.oidc?.clientSecretHash == created.oidc?.clientSecretHash)
        #expect(stored.oidc?.issuer == created.oidc?.issuer && stored.jit == created.jit && stored.providerKey == "okta")
        let raw = try f.env.read { txn in
            try txn.get(f.tables.connections, Key(.string(f.acme.tenantId), .string(created.id)))
        }
        #expect(!String(decoding: try #require(raw), as: UTF8.self).contains("s3cret-value"))
        #expect(try f.audit(f.acme.tenantId).last?.action == "enterprise_connection.create")
    }

    @Test func validationReportsEveryBadField() async throws {
        let f = try await Fixture()
        let draft = ConnectionDraft(
            type: .oidc, name: " ", providerKey: "Okta!",
            oidc: OIDCInput(issuer: "http://idp.example", clientId: nil, scopes: ["profile"], claimMappings: ["shoeSize": "x"]),
            saml: SAMLInput(idpEntityId: "x", ssoUrl: "https://x.example"))
        await #expect(throws: EnterpriseConnectionError.self) {
            try await f.store.create(tenantId: f.acme.tenantId, draft, actor: "admin")
        }
        let fields = Set(ConnectionRules.validate(draft).map(\.field))
        #expect(fields == ["name", "providerKey", "oidc.issuer", "oidc.clientId", "oidc.scopes", "oidc.claimMappings.shoeSize", "saml"])
        #expect(ConnectionRules.url("http://127.0.0.1:8080", field: "u", allowQuery: false).isEmpty)
        #expect(!ConnectionRules.url("ftp://idp.example", field: "u", allowQuery: false).isEmpty)
        #expect(!ConnectionRules.url("https://idp.example#x", field: "u", allowQuery: false).isEmpty)
    }

    @Test func jitOrganizationMustBeTheTenants() async throws {
        let f = try await Fixture()
        var draft = f.oidcDraft()
        draft.jit = JITDefaults(organizationId: f.globex.organizationId, roles: [])
        await #expect(throws: EnterpriseConnectionError.unknownOrganization(f.globex.organizationId)) {
            try await f.store.create(tenantId: f.acme.tenantId, draft, actor: "admin")
        }
    }

    @Test func patchChangesOnlyNamedFieldsAndRehashesTheSecret() async throws {
        let f = try await Fixture()
        let created = try await f.store.create(tenantId: f.acme.tenantId, f.oidcDraft(), actor: "admin")
        let updated = try await f.store.update(
            tenantId: f.acme.tenantId, id: created.id,
            ConnectionPatch(name: "Okta prod", oidc: OIDCInput(clientSecret: "another-secret-ABCD")), actor: "admin")
        #expect(updated.name == "Okta prod")
        #expect(updated.oidc?.issuer == created.oidc?.issuer && updated.oidc?.clientId == created.oidc?.clientId)
        #expect(updated.oidc?.clientSecretHint == "ABCD")
        #expect(updated.oidc?.clientSecretHash == ClientSecrets.hash("another-secret-ABCD"))
        await #expect(throws: EnterpriseConnectionError.self) {
            try await f.store.update(
                tenantId: f.acme.tenantId, id: created.id, ConnectionPatch(saml: SAMLInput(ssoUrl: "https://x.example")), actor: "admin")
        }
        let event = try #require(try f.audit(f.acme.tenantId).last)
        #expect(event.action == "enterprise_connection.update" && event.reason == "name,oidc.clientSecret")
    }

    @Test func otherTenantsCannotReadChangeOrDelete() async throws {
        let f = try await Fixture()
        let created = try await f.store.create(tenantId: f.acme.tenantId, f.oidcDraft(), actor: "admin")
        #expect(try f.store.connection(tenantId: f.globex.tenantId, id: created.id) == nil)
        #expect(try f.store.list(tenantId: f.globex.tenantId, after: nil, limit: 50).items.isEmpty)
        #expect(try f.store.list(tenantId: f.acme.tenantId, after: nil, limit: 50).items.map(\.id) == [created.id])
        await #expect(throws: EnterpriseConnectionError.unknownConnection(created.id)) {
            try await f.store.update(tenantId: f.globex.tenantId, id: created.id, ConnectionPatch(name: "x"), actor: "mallory")
        }
        await #expect(throws: EnterpriseConnectionError.unknownConnection(created.id)) {
            try await f.store.delete(tenantId: f.globex.tenantId, id: created.id, actor: "mallory")
        }
        await #expect(throws: EnterpriseConnectionError.unknownConnection(created.id)) {
            try await f.tokens.rotate(tenantId: f.globex.tenantId, connectionId: created.id, actor: "mallory")
        }
        #expect(try f.store.connection(tenantId: f.acme.tenantId, id: created.id) != nil)
    }

    @Test func rotationReturnsATokenOnceAndTheOldOneStopsWorking() async throws {
        let f = try await Fixture()
        let connection = try await f.store.create(tenantId: f.acme.tenantId, f.oidcDraft(), actor: "admin")
        #expect(try f.tokens.authenticate(connectionId: connection.id, token: "scim_anything") == nil)
        let first = try await f.tokens.rotate(tenantId: f.acme.tenantId, connectionId: connection.id, actor: "admin")
        #expect(first.hasPrefix("scim_") && first.count == 5 + 43)
        let found = try #require(try f.tokens.authenticate(connectionId: connection.id, token: first))
        #expect(found.id == connection.id && found.tenantId == f.acme.tenantId)
        let stored = try #require(try f.store.connection(tenantId: f.acme.tenantId, id: connection.id))
        #expect(stored.scimToken?.hash == ClientSecrets.hash(first))

        let second = try await f.tokens.rotate(tenantId: f.acme.tenantId, connectionId: connection.id, actor: "admin")
        #expect(second != first)
        #expect(try f.tokens.authenticate(connectionId: connection.id, token: first) == nil)
        #expect(try f.tokens.authenticate(connectionId: connection.id, token: second)?.id == connection.id)
        // A token is only good for its own connection.
        let other = try await f.store.create(tenantId: f.acme.tenantId, f.oidcDraft(), actor: "admin")
        #expect(try f.tokens.authenticate(connectionId: other.id, token: second) == nil)
        #expect(try f.tokens.authenticate(connectionId: "con_unknown", token: second) == nil)
        #expect(try f.tokens.authenticate(connectionId: connection.id, token: String(repeating: "a", count: 10_000)) == nil)
        #expect(try f.audit(f.acme.tenantId).filter { $0.action == "enterprise_connection.scim_token.rotate" }.count == 2)
    }

    @Test func deletingAConnectionRevokesItsSCIMToken() async throws {
        let f = try await Fixture()
        let connection = try await f.store.create(tenantId: f.acme.tenantId, f.oidcDraft(), actor: "admin")
        let token = try await f.tokens.rotate(tenantId: f.acme.tenantId, connectionId: connection.id, actor: "admin")
        try await f.store.delete(tenantId: f.acme.tenantId, id: connection.id, actor: "admin")
        #expect(try f.tokens.authenticate(connectionId: connection.id, token: token) == nil)
        #expect(try f.store.connection(tenantId: f.acme.tenantId, id: connection.id) == nil)
        #expect(try f.env.read { try $0.get(f.tables.connectionTenants, Key(.string(connection.id))) } == nil)
        #expect(try f.audit(f.acme.tenantId).last?.action == "enterprise_connection.delete")
    }

    @Test func constantTimeComparisonRejectsNearMisses() {
        let token = SCIMTokens.generate()
        let hash = Array(ClientSecrets.hash(token).utf8)
        var flipped = hash
        flipped[flipped.count - 1] ^= 1
        #expect(ClientSecrets.constantTimeEqual(hash, hash))
        #expect(!ClientSecrets.constantTimeEqual(hash, flipped))
        #expect(!ClientSecrets.constantTimeEqual(hash, Array(hash.dropLast())))
    }

    @Test func samlCertificateIsParsedAndThePEMIsNotKept() async throws {
        let f = try await Fixture()
        let pem = try OpenSSLCertificate.make(subject: "/CN=idp.acme.example/O=Acme", days: 30)
        let draft = ConnectionDraft(
            type: .saml, name: "Entra", providerKey: "entra-id",
            saml: SAMLInput(idpEntityId: "https://sts.windows.net/abc/", ssoUrl: "https://login.example/saml2", signingCertificate: pem))
        let created = try await f.store.create(tenantId: f.acme.tenantId, draft, actor: "admin")
        let certificate = try #require(created.saml?.signingCertificate)
        #expect(certificate.subject.contains("CN=idp.acme.example"))
        #expect(certificate.subject == certificate.issuer)
        #expect(certificate.notAfter.timeIntervalSince(certificate.notBefore) > 29 * 86_400)
        #expect(certificate.sha256Fingerprint.split(separator: ":").count == 32)
        #expect(certificate.sha256Fingerprint == OpenSSLCertificate.fingerprint(pem))
        #expect(created.saml?.nameIdFormat == ConnectionRules.defaultNameIdFormat)
        let raw = try f.env.read { txn in
            try txn.get(f.tables.connections, Key(.string(f.acme.tenantId), .string(created.id)))
        }
        #expect(!String(decoding: try #require(raw), as: UTF8.self).contains("BEGIN CERTIFICATE"))

        for bad in ["not a pem", "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----",
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", pem + "\n" + pem] {
            guard case .failure = CertificateMetadata.parse(pem: bad) else {
                Issue.record("accepted \(bad.prefix(40))")
                continue
            }
        }
    }
}

/// Self-signed certificates made by the `openssl` command, as an IdP console exports them.
enum OpenSSLCertificate {
    static func make(subject: String, days: Int, startDate: String? = nil) throws -> String {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let key = directory.path + "/key.pem", cert = directory.path + "/cert.pem"
        try run([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", String(days), "-subj", subject,
        ])
        return try withExtendedLifetime(directory) { try String(contentsOfFile: cert, encoding: .utf8) }
    }

    /// `openssl x509 -fingerprint -sha256`, as `AB:CD:…`.
    static func fingerprint(_ pem: String) -> String? {
        let directory = TemporaryDirectory()
        defer { withExtendedLifetime(directory) {} }
        let path = directory.path + "/c.pem"
        guard (try? pem.write(toFile: path, atomically: true, encoding: .utf8)) != nil,
              let out = try? run(["x509", "-in", path, "-noout", "-fingerprint", "-sha256"]),
              let value = out.split(separator: "=", maxSplits: 1).last
        else { return nil }
        return value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self)
    }
}
