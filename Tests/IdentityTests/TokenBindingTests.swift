import Foundation
import Testing
@testable import Identity

/// `TokenGrant.binding` (issue 7): what the issuer copies into `cnf` and the device claims,
/// and the organization rule it enforces itself.
@Suite struct TokenBindingTests {
    static let binding = TokenBinding(
        jkt: "jkt-thumbprint", deviceId: "dev_1", deviceRiskState: "trusted", deviceTrustLevel: 3,
        deviceActivationId: "act_1", deviceOrganizationId: "org_1")

    func user(organization: String) -> UserTokenSubject {
        UserTokenSubject(
            userId: "usr_1", organizationId: organization, membershipId: "mem_1", sessionId: "ses_1", authTime: Date(),
            versions: .initial)
    }

    @Test func bindingClaimsAreSignedAndVerified() async throws {
        let f = try await OAuthFixture()
        let client = try await f.client().client
        let now = Date()
        let issued = try await AccessTokenIssuer(keys: f.keys, naming: f.naming).issue(TokenGrant(
            client: client, tenantSlug: f.slug, scopes: client.scopes, user: nil, certificateThumbprint: "x5t", binding: Self.binding),
            now: now)
        let claims = try await f.verifier(at: now).verify(issued.token).claims
        #expect(claims.cnf == TokenConfirmation(x5tS256: "x5t", jkt: "jkt-thumbprint"))
        #expect(claims.device_id == "dev_1" && claims.device_risk_state == "trusted" && claims.device_trust_level == 3)
        #expect(claims.device_activation_id == "act_1")
        #expect(claims.isDeviceBound)
        // The JSON member names are the RFC and issue names.
        let payload = try #require(Base64URL.decode(issued.token.split(separator: ".")[1]))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
        #expect(json["cnf"] as? [String: String] == ["x5t#S256": "x5t", "jkt": "jkt-thumbprint"])
        #expect(json["device_trust_level"] as? Int == 3)
    }

    @Test func aKeyAloneBindsNoDevice() async throws {
        let f = try await OAuthFixture()
        let client = try await f.client().client
        let issued = try await AccessTokenIssuer(keys: f.keys, naming: f.naming).issue(TokenGrant(
            client: client, tenantSlug: f.slug, scopes: client.scopes, user: nil, binding: TokenBinding(jkt: "k")))
        #expect(issued.claims.cnf == TokenConfirmation(jkt: "k"))
        #expect(issued.claims.device_id == nil && !issued.claims.isDeviceBound)
        let plain = try await AccessTokenIssuer(keys: f.keys, naming: f.naming).issue(client: client, tenantSlug: f.slug, scopes: client.scopes)
        #expect(plain.claims.cnf == nil)
    }

    @Test func aUserMayBindOnlyADeviceOfItsOrganization() async throws {
        let f = try await OAuthFixture()
        let client = try await f.client().client
        let issuer = AccessTokenIssuer(keys: f.keys, naming: f.naming)
        await #expect(throws: TokenBindingError.organizationMismatch) {
            try await issuer.issue(TokenGrant(
                client: client, tenantSlug: f.slug, scopes: client.scopes, user: user(organization: "org_2"), binding: Self.binding))
        }
        let same = try await issuer.issue(TokenGrant(
            client: client, tenantSlug: f.slug, scopes: client.scopes, user: user(organization: "org_1"), binding: Self.binding))
        #expect(same.claims.device_id == "dev_1")
    }
}
