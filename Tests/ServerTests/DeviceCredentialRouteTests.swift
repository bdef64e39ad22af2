import Crypto
import Devices
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Store
import Testing
import TestSupport
@testable import Server

/// globex and acme (ManagementApp) with tokens for the credential, posture and fleet
/// routes, and devices written straight through `DeviceRecords`.
struct DeviceAdminFixture {
    let m: ManagementApp
    let admin: String
    let member: String
    let agent: String
    /// The same administrator, with a token naming another organization of the tenant.
    let otherOrgAdmin: String
    let otherOrgAgent: String
    let acmeAdmin: String
    let acmeAgent: String
    var globex: String { m.tenantId("globex") }
    var organizationId: String { m.tenants["globex"]!.organizationId }

    init() async throws {
        m = try await ManagementApp()
        admin = try await Self.token(m, "globex", scopes: ["arbiter.api", "tenant_context"])
        member = try await m.memberToken("globex")
        agent = try await Self.token(m, "globex", scopes: ["arbiter.devices.agent", "tenant_context"])
        otherOrgAdmin = try await Self.token(m, "globex", scopes: ["arbiter.api", "tenant_context"], organizationId: "org_elsewhere")
        otherOrgAgent = try await Self.token(m, "globex", scopes: ["arbiter.devices.agent", "tenant_context"], organizationId: "org_elsewhere")
        acmeAdmin = try await Self.token(m, "acme", scopes: ["arbiter.api", "tenant_context"])
        acmeAgent = try await Self.token(m, "acme", scopes: ["arbiter.devices.agent", "tenant_context"])
    }

    static func token(_ m: ManagementApp, _ slug: String, scopes: [String], organizationId: String? = nil) async throws -> String {
        let services = m.services
        let signIn = PasswordSignIn(environment: services.environment, tables: services.identityTables, hasher: PasswordHasher(cost: 4))
        let user = try #require(try await signIn.authenticate(tenantSlug: slug, userName: "admin", password: ManagementApp.password))
        let session = try await services.sessions.start(user)
        var subject = try services.sessions.subject(of: session)
        if let organizationId { subject.organizationId = organizationId }
        var client = try services.clients.client(id: "cli_web_\(slug)")
        if client == nil { client = try await m.webClient(slug) }
        return try await services.tokenIssuer.issue(TokenGrant(client: client!, tenantSlug: slug, scopes: scopes, user: subject)).token
    }

    /// A device of globex's organization (or `organizationId`), with optional activations.
    @discardableResult
    func device(
        _ change: (inout Device) -> Void = { _ in }, organizationId: String? = nil, activations: [(String, LicenseActivation.State)] = []
    ) async throws -> Device {
        var device = Device(
            id: RandomID.make(prefix: "dev"), tenantId: globex, organizationId: organizationId ?? self.organizationId,
            hardwareIdHash: RandomID.make(prefix: "hw"), createdAt: Date())
        change(&device)
        let records = m.services.deviceRecords
        let made = device
        try await m.services.environment.write { txn in
            try records.insertDevice(made, in: txn)
            for (product, state) in activations {
                try records.insertActivation(LicenseActivation(
                    id: RandomID.make(prefix: "act"), tenantId: made.tenantId, organizationId: made.organizationId, deviceId: made.id,
                    installationId: RandomID.make(prefix: "ins"), productKey: product, state: state, keyThumbprint: "k",
                    credentialId: "c", requestedBy: "usr", createdAt: Date()), in: txn)
            }
        }
        return device
    }

    func audit(_ action: String) throws -> [AuditEvent] {
        try m.services.environment.read { try $0.auditEvents(tenant: globex, limit: 1000) }.filter { $0.action == action }
    }
}

/// Makes keys and certificates with `openssl` in a temp dir.
struct TestOpenSSL {
    let directory = TemporaryDirectory("openssl")

    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " "))")
        return String(decoding: data, as: UTF8.self)
    }

    func read(_ name: String) throws -> String { try String(contentsOfFile: directory.subpath(name), encoding: .utf8) }

    func certificate(_ name: String, subject: String, days: Int = 365) throws -> String {
        try run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key",
            "-out", "\(name).pem", "-days", String(days), "-subj", subject,
        ])
        return try read("\(name).pem")
    }

    /// base64url SHA-256 of the certificate's DER, as openssl writes it.
    func thumbprint(_ name: String) throws -> String {
        try run(["x509", "-in", "\(name).pem", "-outform", "DER", "-out", "\(name).der"])
        let der = try Data(contentsOf: URL(fileURLWithPath: directory.subpath("\(name).der")))
        return Base64URL.encode(Array(SHA256.hash(data: der)))
    }
}

@Suite struct DeviceCredentialRouteTests {
    @Test func certificatesAreParsedIndexedRotatedAndRevoked() async throws {
        let f = try await DeviceAdminFixture()
        let device = try await f.device()
        let openssl = TestOpenSSL()
        let first = try openssl.certificate("first", subject: "/O=Globex/CN=laptop-1")
        let second = try openssl.certificate("second", subject: "/O=Globex/CN=laptop-1 renewed")
        let firstThumbprint = try openssl.thumbprint("first")
        let base = "/api/devices/\(device.id)/credentials"
        try await f.m.test { client throws in
            let created = try await client.call(.post, base, f.admin, ["certificatePem": first, "reason": "mTLS enrolment"])
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(created.headers[.location] == "\(base)/\(id)")
            #expect(created.json["kind"] as? String == "x509")
            #expect(created.json["thumbprint"] as? String == firstThumbprint)
            #expect(created.json["status"] as? String == "active")
            let certificate = try #require(created.json["certificate"] as? [String: Any])
            #expect((certificate["subject"] as? String)?.contains("CN=laptop-1") == true)
            #expect(certificate["sha256Thumbprint"] as? String == firstThumbprint)
            #expect(certificate["expiryWarningAt"] as? String != nil)
            // The body is discarded: nothing of the PEM is stored.
            let stored = try f.m.services.environment.read { try $0.get(f.m.services.deviceTables.credentials, Key(.string(f.globex), .string(id))) }
            let base64 = first.split(separator: "\n").dropFirst().first.map(String.init) ?? "none"
            #expect(!String(decoding: try #require(stored), as: UTF8.self).contains(base64))
            // mTLS device proofs find it by (tenant, x509, x5t#S256).
            let found = try f.m.services.environment.read {
                try f.m.services.deviceRecords.credential(tenantId: f.globex, kind: .x509, thumbprint: firstThumbprint, in: $0)
            }
            #expect(found?.deviceId == device.id)

            let listed = try await client.call(.get, base, f.admin)
            #expect(listed.status == .ok)
            #expect((listed.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])

            // Refusals.
            #expect(try await client.call(.post, base, f.admin, ["certificatePem": first]).problemType == "credential-in-use")
            var bad = try await client.call(.post, base, f.admin, ["certificatePem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"])
            #expect(bad.status == .badRequest && bad.fieldErrors == ["certificatePem"])
            bad = try await client.call(.post, base, f.admin, ["certificatePem": first + (try openssl.read("first.key"))])
            #expect(bad.status == .badRequest && bad.fieldErrors == ["certificatePem"])
            bad = try await client.call(.post, base, f.admin, ["certificatePem": first, "publicKeyPem": "x"])
            #expect(bad.status == .badRequest && bad.fieldErrors == ["jwk"])
            bad = try await client.call(.post, base, f.admin, ["reason": "nothing"])
            #expect(bad.status == .badRequest && bad.fieldErrors == ["jwk"])
            bad = try await client.call(.post, base, f.admin, ["certificatePem": first, "color": "blue"])
            #expect(bad.status == .badRequest && bad.fieldErrors == ["color"])
            #expect(try await client.call(.post, base, f.member, ["certificatePem": second]).status == .forbidden)

            // Rotation: same kind, reason required; the index moves to the new certificate.
            let rotate = "\(base)/\(id)/rotate"
            #expect(try await client.call(.post, rotate, f.admin, ["certificatePem": second]).fieldErrors == ["reason"])
            #expect(try await client.call(.post, rotate, f.admin, ["jwk": DeviceAdminFixture.jwk(), "reason": "r"]).fieldErrors == ["jwk"])
            let rotated = try await client.call(.post, rotate, f.admin, ["certificatePem": second, "reason": "renewed before expiry"])
            #expect(rotated.status == .ok)
            let old = try #require(rotated.json["rotated"] as? [String: Any])
            let new = try #require(rotated.json["credential"] as? [String: Any])
            let newId = try #require(new["id"] as? String)
            #expect(old["status"] as? String == "rotated" && old["replacedBy"] as? String == newId)
            #expect(try f.m.services.environment.read {
                try f.m.services.deviceRecords.credential(tenantId: f.globex, kind: .x509, thumbprint: firstThumbprint, in: $0)
            } == nil)
            #expect(try await client.call(.post, rotate, f.admin, ["certificatePem": first, "reason": "again"]).problemType == "credential-not-active")

            // Revocation: a reason (query or body) is required.
            #expect(try await client.call(.delete, "\(base)/\(newId)", f.admin).fieldErrors == ["reason"])
            #expect(try await client.call(.delete, "\(base)/\(newId)?reason=", f.admin).fieldErrors == ["reason"])
            let revoked = try await client.call(.delete, "\(base)/\(newId)?reason=laptop%20stolen", f.admin)
            #expect(revoked.status == .ok)
            #expect(revoked.json["status"] as? String == "revoked" && revoked.json["revokeReason"] as? String == "laptop stolen")
            #expect(try await client.call(.delete, "\(base)/\(newId)", f.admin, ["reason": "twice"]).problemType == "credential-not-active")
            #expect(try await client.call(.delete, "\(base)/dcr_nope?reason=x", f.admin).status == .notFound)

            let history = try await client.call(.get, base, f.admin)
            #expect(Set((history.json["items"] as? [[String: Any]])?.compactMap { $0["status"] as? String } ?? []) == ["rotated", "revoked"])
        }
        // One registration; the rotation is its own event naming the new credential.
        #expect(try f.audit("device.credential.create").count == 1)
        #expect(try f.audit("device.credential.rotate").first?.reason?.hasPrefix("renewed before expiry") == true)
        #expect(try f.audit("device.credential.revoke").map(\.reason) == ["laptop stolen"])
    }

    @Test func keysAsJWKOrPEMShareTheirThumbprintAndPrivateMaterialIsRefused() async throws {
        let f = try await DeviceAdminFixture()
        let device = try await f.device()
        let other = try await f.device()
        let openssl = TestOpenSSL()
        try openssl.run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "k.key"])
        try openssl.run(["ec", "-in", "k.key", "-pubout", "-out", "k.pub"])
        let pem = try openssl.read("k.pub")
        let key = try P256.Signing.PublicKey(pemRepresentation: pem)
        let jwk: [String: Any] = [
            "kty": "EC", "crv": "P-256", "x": Base64URL.encode(key.rawRepresentation.prefix(32)),
            "y": Base64URL.encode(key.rawRepresentation.suffix(32)),
        ]
        let base = "/api/devices/\(device.id)/credentials"
        let x = Base64URL.encode(key.rawRepresentation.prefix(32))
        let jwkData = try JSONSerialization.data(withJSONObject: jwk)
        try await f.m.test { client throws in
            let jwk = try #require(try JSONSerialization.jsonObject(with: jwkData) as? [String: Any])
            let created = try await client.call(.post, base, f.admin, ["publicKeyPem": pem])
            #expect(created.status == .created)
            #expect(created.json["kind"] as? String == "jwk")
            #expect((created.json["publicJwk"] as? [String: Any])?["x"] as? String == x)
            let thumbprint = try #require(created.json["thumbprint"] as? String)
            // DPoP proofs find it by (tenant, jwk, RFC 7638 thumbprint).
            #expect(try f.m.services.environment.read {
                try f.m.services.deviceRecords.credential(tenantId: f.globex, kind: .jwk, thumbprint: thumbprint, in: $0)
            }?.deviceId == device.id)
            // The same key as a JWK, on another device: same thumbprint, refused.
            #expect(try await client.call(.post, "/api/devices/\(other.id)/credentials", f.admin, ["jwk": jwk]).problemType == "credential-in-use")

            for privateJWK in [jwk.merging(["d": "c2VjcmV0"]) { $1 }, ["kty": "RSA", "n": "x", "e": "AQAB"] as [String: Any]] {
                let refused = try await client.call(.post, base, f.admin, ["jwk": privateJWK])
                #expect(refused.status == .badRequest && !refused.fieldErrors.isEmpty && refused.fieldErrors.allSatisfy { $0.hasPrefix("jwk") })
            }
            let privatePEM = try await client.call(.post, base, f.admin, ["publicKeyPem": try openssl.read("k.key")])
            #expect(privatePEM.status == .badRequest && privatePEM.fieldErrors == ["publicKeyPem"])
        }
    }

    /// Every credential route answers 404 for another tenant's or organization's device.
    @Test func otherTenantsAndOrganizationsGet404() async throws {
        let f = try await DeviceAdminFixture()
        let device = try await f.device()
        let elsewhere = try await f.device(organizationId: "org_elsewhere")
        let openssl = TestOpenSSL()
        let pem = try openssl.certificate("c", subject: "/CN=c")
        try await f.m.test { client throws in
            let created = try await client.call(.post, "/api/devices/\(device.id)/credentials", f.admin, ["certificatePem": pem])
            let id = try #require(created.json["id"] as? String)
            let base = "/api/devices/\(device.id)/credentials"
            for token in [f.acmeAdmin, f.otherOrgAdmin] {
                #expect(try await client.call(.get, base, token).status == .notFound)
                #expect(try await client.call(.post, base, token, ["jwk": DeviceAdminFixture.jwk()]).status == .notFound)
                #expect(try await client.call(.post, "\(base)/\(id)/rotate", token, ["certificatePem": pem, "reason": "x"]).status == .notFound)
                #expect(try await client.call(.delete, "\(base)/\(id)?reason=x", token).status == .notFound)
            }
            // The other organization's administrator reaches its own device, not this one.
            #expect(try await client.call(.get, "/api/devices/\(elsewhere.id)/credentials", f.otherOrgAdmin).status == .ok)
            #expect(try await client.call(.get, "/api/devices/\(elsewhere.id)/credentials", f.admin).status == .notFound)
            // A credential id of this device under another device's path is unknown there.
            #expect(try await client.call(.delete, "/api/devices/\(elsewhere.id)/credentials/\(id)?reason=x", f.otherOrgAdmin).status == .notFound)
            // An agent token is no administrator.
            #expect(try await client.call(.get, base, f.agent).status == .forbidden)
        }
        // Nothing the refused calls asked for happened.
        let credentials = DeviceCredentials(records: f.m.services.deviceRecords)
        let still = try f.m.services.environment.read { try credentials.list(tenantId: f.globex, deviceId: device.id, in: $0) }
        #expect(still.map(\.status) == [.active])
    }
}

extension DeviceAdminFixture {
    static func jwk(_ key: P256.Signing.PrivateKey = .init()) -> [String: Any] {
        let raw = key.publicKey.rawRepresentation
        return ["kty": "EC", "crv": "P-256", "x": Base64URL.encode(raw.prefix(32)), "y": Base64URL.encode(raw.suffix(32))]
    }
}
