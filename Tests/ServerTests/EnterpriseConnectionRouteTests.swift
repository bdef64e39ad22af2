import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Store
import Testing
import TestSupport
@testable import Server

private let base = "/api/enterprise/connections"

private func oidcBody(issuer: String = "https://acme.okta.example", organizationId: String? = nil, secret: String? = "okta-secret-WXYZ") -> [String: Any] {
    var oidc: [String: Any] = ["issuer": issuer, "clientId": "0oa123", "claimMappings": ["userName": "preferred_username"]]
    if let secret { oidc["clientSecret"] = secret }
    var body: [String: Any] = ["type": "oidc", "name": "Okta", "providerKey": "okta", "oidc": oidc]
    if let organizationId { body["jit"] = ["organizationId": organizationId, "roles": ["member"]] }
    return body
}

/// `/api/enterprise/connections`: CRUD with validation, secrets never shown, tenant
/// isolation, the built-in policy, SCIM token rotation, and diagnostics against a local
/// metadata server (good and broken documents, an unreachable port, a slow one).
@Suite struct EnterpriseConnectionRouteTests {
    @Test func oidcConnectionLifecycleNeverShowsTheSecret() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let organizationId = m.tenants["acme"]!.organizationId
        try await m.test { client in
            let created = try await client.call(.post, base, admin, oidcBody(organizationId: organizationId))
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(id.hasPrefix("con_"))
            #expect(created.headers[.location] == "\(base)/\(id)")
            let oidc = try #require(created.json["oidc"] as? [String: Any])
            #expect(oidc["clientSecretSet"] as? Bool == true && oidc["clientSecretHint"] as? String == "WXYZ")
            #expect(oidc["scopes"] as? [String] == ["openid", "profile", "email"])
            #expect((created.json["jit"] as? [String: Any])?["roles"] as? [String] == ["member"])
            let scim = try #require(created.json["scim"] as? [String: Any])
            #expect(scim["tokenSet"] as? Bool == false)
            #expect((scim["baseUrl"] as? String)?.hasSuffix("/scim/v2/enterprise-connections/\(id)") == true)
            let raw = String(buffer: created.body)
            #expect(!raw.contains("okta-secret") && !raw.contains(ClientSecrets.hash("okta-secret-WXYZ")))

            let fetched = try await client.call(.get, "\(base)/\(id)", admin)
            #expect(fetched.status == .ok && fetched.json["name"] as? String == "Okta")
            let listed = try await client.call(.get, base, admin)
            #expect((listed.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])

            let patched = try await client.call(.patch, "\(base)/\(id)", admin, ["name": "Okta prod", "oidc": ["scopes": ["openid", "groups"]]])
            #expect(patched.status == .ok)
            #expect(patched.json["name"] as? String == "Okta prod")
            #expect((patched.json["oidc"] as? [String: Any])?["scopes"] as? [String] == ["openid", "groups"])
            #expect((patched.json["oidc"] as? [String: Any])?["clientSecretHint"] as? String == "WXYZ")

            let deleted = try await client.call(.delete, "\(base)/\(id)", admin)
            #expect(deleted.status == .noContent)
            #expect(try await client.call(.get, "\(base)/\(id)", admin).status == .notFound)
        }
        let actions = try m.services.environment.read { try $0.auditEvents(tenant: m.tenantId("acme"), limit: 1000).map(\.action) }
        #expect(actions.filter { $0.hasPrefix("enterprise_connection.") }
            == ["enterprise_connection.create", "enterprise_connection.update", "enterprise_connection.delete"])
    }

    @Test func badBodiesAreFieldErrors() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let globexOrganization = m.tenants["globex"]!.organizationId
        try await m.test { client in
            let empty = try await client.call(.post, base, admin, [:])
            #expect(empty.status == .badRequest && empty.isProblem)
            #expect(Set(empty.fieldErrors).isSuperset(of: ["type", "name", "providerKey"]))

            let bad = try await client.call(.post, base, admin, [
                "type": "oidc", "name": "x", "providerKey": "Okta Inc", "color": "blue",
                "oidc": ["issuer": "http://idp.example.com", "scopes": ["profile"], "claimMappings": ["shoeSize": "x"]],
            ])
            #expect(bad.status == .badRequest)
            #expect(Set(bad.fieldErrors) == ["color"])
            let rules = try await client.call(.post, base, admin, [
                "type": "oidc", "name": "x", "providerKey": "Okta Inc",
                "oidc": ["issuer": "http://idp.example.com", "scopes": ["profile"], "claimMappings": ["shoeSize": "x"]],
            ])
            #expect(rules.status == .badRequest)
            #expect(Set(rules.fieldErrors) == ["providerKey", "oidc.issuer", "oidc.clientId", "oidc.scopes", "oidc.claimMappings.shoeSize"])

            let wrongShape = try await client.call(.post, base, admin, [
                "type": "saml", "name": "Entra", "providerKey": "entra-id",
                "saml": ["idpEntityId": "https://sts.example/", "ssoUrl": "https://login.example/saml", "signingCertificate": "not a certificate"],
            ])
            #expect(wrongShape.status == .badRequest && wrongShape.fieldErrors == ["saml.signingCertificate"])
            let missingSAML = try await client.call(.post, base, admin, ["type": "saml", "name": "Entra", "providerKey": "entra-id"])
            #expect(missingSAML.status == .badRequest && missingSAML.fieldErrors == ["saml"])
            let badType = try await client.call(.post, base, admin, ["type": "ldap", "name": "x", "providerKey": "ad"])
            #expect(badType.status == .badRequest && badType.fieldErrors.contains("type"))

            let foreignOrganization = try await client.call(.post, base, admin, oidcBody(organizationId: globexOrganization))
            #expect(foreignOrganization.status == .notFound)

            let created = try await client.call(.post, base, admin, oidcBody())
            let id = try #require(created.json["id"] as? String)
            #expect(try await client.call(.patch, "\(base)/\(id)", admin, [:]).status == .badRequest)
            #expect(try await client.call(.patch, "\(base)/\(id)", admin, ["type": "saml"]).fieldErrors == ["type"])
            #expect(try await client.call(.patch, "\(base)/\(id)", admin, ["saml": ["ssoUrl": "https://x.example"]]).fieldErrors == ["saml"])
            #expect(try await client.call(.patch, "\(base)/\(id)", admin, ["oidc": ["clientSecret": ""]]).fieldErrors == ["oidc.clientSecret"])
            #expect(try await client.call(.patch, "\(base)/\(id)", admin, ["jit": ["roles": ["member"]]]).fieldErrors == ["jit.organizationId"])
            #expect(try await client.call(.patch, "\(base)/\(id)", admin, ["jit": ["organizationId": "org_x", "roles": ["a b"]]]).fieldErrors
                == ["jit.roles[0]"])
            #expect(try await client.call(.patch, "\(base)/\(id)", admin, ["jit": ["organizationId": "org_x"]]).status == .notFound)
            #expect(try await client.call(.get, "\(base)?limit=0", admin).status == .badRequest)
            let unchanged = try await client.call(.get, "\(base)/\(id)", admin)
            #expect((unchanged.json["oidc"] as? [String: Any])?["clientSecretHint"] as? String == "WXYZ")
        }
    }

    @Test func anotherTenantsConnectionIsNotFound() async throws {
        let m = try await ManagementApp()
        let acme = try await m.adminToken("acme")
        let globex = try await m.adminToken("globex")
        try await m.test { client in
            let created = try await client.call(.post, base, acme, oidcBody())
            let id = try #require(created.json["id"] as? String)
            for (method, path) in [
                (HTTPRequest.Method.get, "\(base)/\(id)"), (.patch, "\(base)/\(id)"), (.delete, "\(base)/\(id)"),
                (.post, "\(base)/\(id)/diagnostics"), (.post, "\(base)/\(id)/scim-token"),
            ] {
                let answer = try await client.call(method, path, globex, method == .patch ? ["name": "mine"] : nil)
                #expect(answer.status == .notFound, "\(method) \(path)")
            }
            let listed = try await client.call(.get, base, globex)
            #expect((listed.json["items"] as? [[String: Any]])?.isEmpty == true)
            #expect(try await client.call(.get, "\(base)/con_made_up", acme).status == .notFound)
            #expect(try await client.call(.get, "\(base)/\(id)", acme).json["name"] as? String == "Okta")
        }
    }

    @Test func onlyAdministratorsManageConnections() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let member = try await m.memberToken()
        let automation = try await m.clientToken()
        try await m.test { client in
            let created = try await client.call(.post, base, admin, oidcBody())
            let id = try #require(created.json["id"] as? String)
            #expect(try await client.call(.get, base, nil).status == .unauthorized)
            #expect(try await client.call(.post, base, member, oidcBody()).status == .forbidden)
            #expect(try await client.call(.get, "\(base)/\(id)", member).status == .forbidden)
            #expect(try await client.call(.post, "\(base)/\(id)/scim-token", member).status == .forbidden)
            #expect(try await client.call(.get, "\(base)/\(id)", automation).status == .forbidden)
            let memberList = try await client.call(.get, base, member)
            #expect(memberList.status == .ok && (memberList.json["items"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test func scimTokenIsShownOnceAndRotationRevokesTheOldOne() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let tokens = m.services.scimTokens
        try await m.test { client in
            let created = try await client.call(.post, base, admin, oidcBody())
            let id = try #require(created.json["id"] as? String)
            let first = try await client.call(.post, "\(base)/\(id)/scim-token", admin)
            #expect(first.status == .ok && first.headers[.cacheControl] == "no-store")
            let token1 = try #require(first.json["token"] as? String)
            #expect(token1.hasPrefix("scim_"))
            #expect(try tokens.authenticate(connectionId: id, token: token1)?.tenantId == m.tenantId("acme"))

            let shown = try await client.call(.get, "\(base)/\(id)", admin)
            #expect(!String(buffer: shown.body).contains(token1) && !String(buffer: shown.body).contains(ClientSecrets.hash(token1)))
            #expect((shown.json["scim"] as? [String: Any])?["tokenSet"] as? Bool == true)

            let second = try await client.call(.post, "\(base)/\(id)/scim-token", admin)
            let token2 = try #require(second.json["token"] as? String)
            #expect(token2 != token1)
            #expect(try tokens.authenticate(connectionId: id, token: token1) == nil)
            #expect(try tokens.authenticate(connectionId: id, token: token2)?.id == id)

            #expect(try await client.call(.delete, "\(base)/\(id)", admin).status == .noContent)
            #expect(try tokens.authenticate(connectionId: id, token: token2) == nil)
        }
        let rotations = try m.services.environment.read {
            try $0.auditEvents(tenant: m.tenantId("acme"), limit: 1000).filter { $0.action == "enterprise_connection.scim_token.rotate" }
        }
        #expect(rotations.count == 2)
    }

    @Test func samlCertificateFromOpenSSLIsParsed() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let pem = try OpenSSLTestCertificates.selfSigned(subject: "/CN=idp.acme.example/O=Acme", days: 10)
        try await m.test { client in
            let created = try await client.call(.post, base, admin, [
                "type": "saml", "name": "Entra", "providerKey": "entra-id",
                "saml": [
                    "idpEntityId": "https://sts.windows.net/abc/", "ssoUrl": "https://login.example/saml2",
                    "signingCertificate": pem, "attributeMappings": ["email": "http://schemas.example/claims/email"],
                ],
            ])
            #expect(created.status == .created)
            let saml = try #require(created.json["saml"] as? [String: Any])
            let certificate = try #require(saml["signingCertificate"] as? [String: Any])
            #expect((certificate["subject"] as? String)?.contains("CN=idp.acme.example") == true)
            #expect((certificate["sha256Fingerprint"] as? String)?.split(separator: ":").count == 32)
            #expect(!String(buffer: created.body).contains("BEGIN CERTIFICATE"))
            let id = try #require(created.json["id"] as? String)

            let diagnostics = try await client.call(.post, "\(base)/\(id)/diagnostics", admin)
            #expect(diagnostics.status == .ok)
            let codes = diagnostics.findingCodes
            #expect(codes["saml.certificate_expires_soon"] == "warning")
            #expect(codes["jit.missing"] == "warning")
            #expect(codes["scim.token_missing"] == "warning")
            #expect(diagnostics.json["ready"] as? Bool == true)
        }
    }

    @Test func diagnosticsReadTheIssuersMetadata() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let organizationId = m.tenants["acme"]!.organizationId
        try await IssuerMetadataTestServer.run { port in
            try await m.test { client in
                func diagnose(_ path: String, jit: Bool = true) async throws -> TestResponse {
                    let created = try await client.call(
                        .post, base, admin, oidcBody(issuer: "http://127.0.0.1:\(port)\(path)", organizationId: jit ? organizationId : nil))
                    let id = try #require(created.json["id"] as? String)
                    return try await client.call(.post, "\(base)/\(id)/diagnostics", admin)
                }
                let good = try await diagnose("/good")
                #expect(good.status == .ok)
                #expect(good.json["ready"] as? Bool == true)
                #expect(good.findingCodes["oidc.metadata_ok"] == "info")
                #expect(good.findingCodes["scim.token_missing"] == "warning")
                #expect(good.findingCodes.values.allSatisfy { $0 != "error" })
                let findings = try #require(good.json["findings"] as? [[String: Any]])
                #expect(findings.allSatisfy { $0["message"] is String })
                #expect(findings.first { $0["code"] as? String == "scim.token_missing" }?["fixHint"] as? String != nil)

                let mismatch = try await diagnose("/mismatch")
                #expect(mismatch.json["ready"] as? Bool == false)
                #expect(mismatch.findingCodes["oidc.issuer_mismatch"] == "error")

                let missing = try await diagnose("/missing")
                let endpointErrors = (missing.json["findings"] as? [[String: Any]])?.filter { $0["code"] as? String == "oidc.endpoint_missing" }
                #expect(endpointErrors?.count == 2)
                #expect(missing.findingCodes["oidc.scope_unsupported"] == "warning")

                #expect(try await diagnose("/badjson").findingCodes["oidc.metadata_invalid_json"] == "error")
                #expect(try await diagnose("/status500").findingCodes["oidc.metadata_http_status"] == "error")
                #expect(try await diagnose("/redirect").findingCodes["oidc.metadata_http_status"] == "error")

                let noJIT = try await diagnose("/good", jit: false)
                #expect(noJIT.findingCodes["jit.missing"] == "warning")

                let started = Date()
                let slow = try await diagnose("/slow")
                #expect(slow.status == .ok)
                #expect(slow.findingCodes["oidc.issuer_timeout"] == "error")
                #expect(Date().timeIntervalSince(started) < 10)
            }
        }
        // Nothing listens on port 1: refused at once, reported as a finding.
        try await m.test { client in
            let created = try await client.call(.post, base, admin, oidcBody(issuer: "http://127.0.0.1:1"))
            let id = try #require(created.json["id"] as? String)
            let unreachable = try await client.call(.post, "\(base)/\(id)/diagnostics", admin)
            #expect(unreachable.status == .ok)
            #expect(unreachable.findingCodes["oidc.issuer_unreachable"] == "error")
            #expect(unreachable.json["ready"] as? Bool == false)
        }
    }

    @Test func deployedServersDoNotFetchPrivateAddresses() async throws {
        let fetcher = IssuerMetadataFetcher(allowPrivateAddresses: false)
        for issuer in ["http://127.0.0.1:8080", "https://169.254.169.254/latest", "https://10.0.0.8", "https://[::1]", "https://localhost"] {
            guard case .refused = await fetcher.fetch(issuer: issuer) else {
                Issue.record("fetched \(issuer)")
                continue
            }
        }
        #expect(!IssuerMetadataFetcher.isPrivate(host: "login.microsoftonline.com"))
        #expect(!IssuerMetadataFetcher.isPrivate(host: "8.8.8.8"))
        // A host name is resolved first: one that points at loopback is refused too.
        let name = try #require(OutboundAddressesTests.hostsFileNameOfAPrivateAddress())
        guard case .refused(let why) = await fetcher.fetch(issuer: "http://\(name):1") else {
            Issue.record("fetched \(name)")
            return
        }
        #expect(why.contains("\(name) resolves to"))
    }
}

extension TestResponse {
    /// Finding code → severity (the last one of a code).
    var findingCodes: [String: String] {
        var codes: [String: String] = [:]
        for finding in (json["findings"] as? [[String: Any]]) ?? [] {
            if let code = finding["code"] as? String { codes[code] = finding["severity"] as? String }
        }
        return codes
    }
}

/// A local OpenID Provider discovery server on 127.0.0.1: good and broken documents.
enum IssuerMetadataTestServer {
    static func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        let wellKnown = ".well-known/openid-configuration"
        router.get("/good/\(wellKnown)") { request, _ in document(request, issuerPath: "/good") }
        router.get("/mismatch/\(wellKnown)") { request, _ in document(request, issuerPath: "/somewhere-else") }
        router.get("/missing/\(wellKnown)") { request, _ in document(request, issuerPath: "/missing", drop: ["token_endpoint", "jwks_uri"]) }
        router.get("/badjson/\(wellKnown)") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "<html>not json</html>"))) }
        router.get("/status500/\(wellKnown)") { _, _ in Response(status: .internalServerError) }
        router.get("/redirect/\(wellKnown)") { _, _ in Response(status: .found, headers: [.location: "http://169.254.169.254/"]) }
        router.get("/slow/\(wellKnown)") { request, _ -> Response in
            try await Task.sleep(for: .seconds(6))
            return document(request, issuerPath: "/slow")
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(try #require(client.port))
        }
    }

    static func document(_ request: Request, issuerPath: String, drop: [String] = []) -> Response {
        let host = request.head.authority ?? "127.0.0.1"
        var object: [String: Any] = [
            "issuer": "http://\(host)\(issuerPath)", "authorization_endpoint": "http://\(host)/authorize",
            "token_endpoint": "http://\(host)/token", "jwks_uri": "http://\(host)/jwks", "userinfo_endpoint": "http://\(host)/userinfo",
            "scopes_supported": ["openid", "profile", "email"],
        ]
        for key in drop { object[key] = nil }
        if !drop.isEmpty { object["scopes_supported"] = ["openid"] }
        let data = try! JSONSerialization.data(withJSONObject: object)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Self-signed certificates made by the `openssl` command during the test.
enum OpenSSLTestCertificates {
    static func selfSigned(subject: String, days: Int) throws -> String {
        let directory = TemporaryDirectory()
        let key = directory.subpath("key.pem"), cert = directory.subpath("cert.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                             "-days", String(days), "-subj", subject]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try withExtendedLifetime(directory) { try String(contentsOfFile: cert, encoding: .utf8) }
    }
}
