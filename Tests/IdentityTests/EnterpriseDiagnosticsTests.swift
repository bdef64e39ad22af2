import Foundation
import Testing
@testable import Identity

/// `ConnectionDiagnostics` over fixed inputs: discovery documents, certificate validity at
/// chosen instants, JIT facts and SCIM token age.
@Suite struct EnterpriseDiagnosticsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func oidc(issuer: String = "https://idp.example", secret: Bool = true) -> EnterpriseConnection {
        var settings = OIDCSettings(issuer: issuer, clientId: "c", scopes: ["openid", "email"], claimMappings: ["email": "email"])
        if secret { settings.clientSecretHash = ClientSecrets.hash("x") }
        return EnterpriseConnection(
            id: "con_1", tenantId: "ten_1", type: .oidc, name: "Okta", providerKey: "okta", oidc: settings,
            jit: JITDefaults(organizationId: "org_1", roles: ["member"]),
            scimToken: SCIMTokenRecord(hash: "h", createdAt: Self.now), createdAt: Self.now, updatedAt: Self.now)
    }

    func saml(notBefore: Date, notAfter: Date) -> EnterpriseConnection {
        let certificate = CertificateMetadata(
            subject: "CN=idp", issuer: "CN=idp", serialNumber: "01", notBefore: notBefore, notAfter: notAfter,
            sha256Fingerprint: "AA", signatureAlgorithm: "ecdsaWithSHA256")
        return EnterpriseConnection(
            id: "con_2", tenantId: "ten_1", type: .saml, name: "Entra", providerKey: "entra-id",
            saml: SAMLSettings(idpEntityId: "e", ssoUrl: "https://x", signingCertificate: certificate, nameIdFormat: ConnectionRules.defaultNameIdFormat, attributeMappings: [:]),
            createdAt: Self.now, updatedAt: Self.now)
    }

    let okFacts = ConnectionDiagnostics.DiagnosticFacts(organizationExists: true, unknownRoles: [])

    func codes(_ findings: [ConnectionDiagnostics.Finding]) -> [String: ConnectionDiagnostics.Finding.Severity] {
        Dictionary(findings.map { ($0.code, $0.severity) }, uniquingKeysWith: { a, _ in a })
    }

    func document(_ object: [String: Any]) -> ConnectionDiagnostics.MetadataOutcome {
        .response(status: 200, body: Array(try! JSONSerialization.data(withJSONObject: object)))
    }

    @Test func aGoodDiscoveryDocumentHasNoErrors() {
        let metadata = document([
            "issuer": "https://idp.example", "authorization_endpoint": "https://idp.example/a", "token_endpoint": "https://idp.example/t",
            "jwks_uri": "https://idp.example/k", "userinfo_endpoint": "https://idp.example/u", "scopes_supported": ["openid", "email"],
        ])
        let findings = ConnectionDiagnostics.run(oidc(), facts: okFacts, metadata: metadata, now: Self.now)
        #expect(findings.allSatisfy { $0.severity != .error })
        #expect(codes(findings)["oidc.metadata_ok"] == .info && codes(findings)["scim.token_ready"] == .info)
    }

    @Test func everyBrokenDiscoveryIsAFinding() {
        let cases: [(ConnectionDiagnostics.MetadataOutcome, String)] = [
            (.unreachable("connection refused"), "oidc.issuer_unreachable"),
            (.timedOut(seconds: 3), "oidc.issuer_timeout"),
            (.tooLarge(limit: 10), "oidc.metadata_too_large"),
            (.refused("private"), "oidc.issuer_not_allowed"),
            (.response(status: 404, body: []), "oidc.metadata_http_status"),
            (.response(status: 200, body: Array("[1,2]".utf8)), "oidc.metadata_invalid_json"),
            (document(["issuer": "https://idp.example/"]), "oidc.issuer_mismatch"),
            (document(["issuer": "https://idp.example"]), "oidc.endpoint_missing"),
        ]
        for (outcome, code) in cases {
            let findings = ConnectionDiagnostics.run(oidc(), facts: okFacts, metadata: outcome, now: Self.now)
            #expect(codes(findings)[code] == .error, "\(code)")
            #expect(findings.first { $0.code == code }?.fixHint?.isEmpty == false)
            #expect(codes(findings)["oidc.metadata_ok"] == nil)
        }
        let noSecret = ConnectionDiagnostics.run(oidc(secret: false), facts: okFacts, metadata: nil, now: Self.now)
        #expect(codes(noSecret)["oidc.client_secret_missing"] == .warning)
    }

    @Test func certificateValidityAtEachInstant() {
        let day: TimeInterval = 86_400
        let cases: [(Date, Date, String, ConnectionDiagnostics.Finding.Severity)] = [
            (Self.now - 400 * day, Self.now - day, "saml.certificate_expired", .error),
            (Self.now + day, Self.now + 400 * day, "saml.certificate_not_yet_valid", .error),
            (Self.now - day, Self.now + 10 * day, "saml.certificate_expires_soon", .warning),
            (Self.now - day, Self.now + 100 * day, "saml.certificate_valid", .info),
        ]
        for (notBefore, notAfter, code, severity) in cases {
            let findings = ConnectionDiagnostics.run(saml(notBefore: notBefore, notAfter: notAfter), facts: okFacts, metadata: nil, now: Self.now)
            #expect(codes(findings)[code] == severity, "\(code)")
        }
        var missing = saml(notBefore: Self.now, notAfter: Self.now)
        missing.saml?.signingCertificate = nil
        #expect(codes(ConnectionDiagnostics.run(missing, facts: okFacts, metadata: nil, now: Self.now))["saml.certificate_missing"] == .error)
    }

    @Test func jitAndSCIMReadiness() {
        let gone = ConnectionDiagnostics.DiagnosticFacts(organizationExists: false, unknownRoles: ["auditor"])
        let findings = codes(ConnectionDiagnostics.run(oidc(), facts: gone, metadata: nil, now: Self.now))
        #expect(findings["jit.organization_missing"] == .error && findings["jit.role_unknown"] == .warning)

        var noJIT = oidc()
        noJIT.jit = nil
        #expect(codes(ConnectionDiagnostics.run(noJIT, facts: okFacts, metadata: nil, now: Self.now))["jit.missing"] == .error)
        noJIT.scimToken = nil
        let withoutToken = codes(ConnectionDiagnostics.run(noJIT, facts: okFacts, metadata: nil, now: Self.now))
        #expect(withoutToken["jit.missing"] == .warning && withoutToken["scim.token_missing"] == .warning)
        let old = codes(ConnectionDiagnostics.run(oidc(), facts: okFacts, metadata: nil, now: Self.now + 400 * 86_400))
        #expect(old["scim.token_old"] == .warning)
    }
}
