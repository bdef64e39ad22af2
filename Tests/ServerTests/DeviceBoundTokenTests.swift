import Crypto
@testable import Devices
import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import PolicyLang
import Store
import Testing
@testable import Server

/// A tenant with a client and a device whose activation key is `key`, written straight into
/// the device tables (as D1's activation route would), so binding and continuous
/// evaluation are tested on their own.
struct DeviceTokenFixture {
    let oauth: OAuthApp
    let clientId: String
    let secret: String
    let key = DPoPTestKey()
    let tables: DeviceTables
    let deviceId = "dev_" + UUID().uuidString.prefix(8).lowercased()
    let activationId = "act_" + UUID().uuidString.prefix(8).lowercased()
    let credentialId = "dcr_" + UUID().uuidString.prefix(8).lowercased()
    var organizationId: String

    static let base = "http://127.0.0.1:0"

    init(activation: LicenseActivation.State = .active, risk: DeviceRiskState = .unknown) async throws {
        let oauth = try await OAuthApp()
        self.oauth = oauth
        let issued = try await oauth.client(scopes: ["tenant_context", "arbiter.runtime.check"])
        clientId = issued.client.clientId
        secret = issued.secret
        tables = try DeviceTables(environment: oauth.app.environment)
        let tenantId = oauth.tenantId
        let organizations = oauth.app.services.identityTables.organizations
        organizationId = try oauth.app.environment.read { txn in
            try txn.entries(organizations, prefix: Key(.string(tenantId)), limit: 1)
                .first.map { entry in try StoredJSON.decode(Organization.self, from: entry.value).id } ?? "org"
        }
        try await writeDevice(activation: activation, risk: risk)
    }

    var tenantId: String { oauth.tenantId }

    func writeDevice(activation state: LicenseActivation.State, risk: DeviceRiskState) async throws {
        let now = Date()
        var device = Device(
            id: deviceId, tenantId: tenantId, organizationId: organizationId, hardwareIdHash: "hash", platform: "linux", createdAt: now)
        device.riskState = risk
        device.posture = PostureFacts(
            os: "linux", osVersion: "6.8", patchAgeDays: 3, diskEncrypted: true, firewallEnabled: true, screenLockEnabled: true,
            edrRunning: false, jailbroken: false)
        let credential = DeviceCredential(
            id: credentialId, tenantId: tenantId, deviceId: deviceId, kind: .jwk, thumbprint: key.thumbprint,
            publicJWK: nil, certificate: nil, status: .active, createdAt: now, createdBy: "test")
        var installation = DeviceInstallation(
            id: "ins_1", tenantId: tenantId, organizationId: organizationId, deviceId: deviceId, productKey: "vendor.agent", createdAt: now)
        installation.activationId = activationId
        let activation = LicenseActivation(
            id: activationId, tenantId: tenantId, organizationId: organizationId, deviceId: deviceId, installationId: installation.id,
            productKey: "vendor.agent", state: state, keyThumbprint: key.thumbprint, credentialId: credentialId,
            requestedBy: "test", createdAt: now)
        let tables = self.tables
        let tenantId = self.tenantId
        let (device_, installation_) = (device, installation)
        try await oauth.app.environment.write { txn in
            let (device, installation) = (device_, installation_)
            try txn.putJSON(tables.devices, Key(.string(tenantId), .string(device.id)), device)
            try txn.putJSON(tables.credentials, Key(.string(tenantId), .string(credential.id)), credential)
            _ = try txn.put(tables.credentialThumbprints, Key(.string(tenantId), .string("jwk"), .string(credential.thumbprint)), Array(credential.id.utf8))
            try txn.putJSON(tables.installations, Key(.string(tenantId), .string(installation.id)), installation)
            _ = try txn.put(tables.deviceInstallations, Key(.string(tenantId), .string(device.id), .string("vendor.agent")), Array(installation.id.utf8))
            try txn.putJSON(tables.activations, Key(.string(tenantId), .string(activation.id)), activation)
        }
    }

    func setActivation(_ state: LicenseActivation.State) async throws {
        let (tables, tenantId, id) = (self.tables, self.tenantId, activationId)
        try await oauth.app.environment.write { txn in
            var activation = try #require(try txn.getJSON(LicenseActivation.self, tables.activations, Key(.string(tenantId), .string(id))))
            activation.state = state
            try txn.putJSON(tables.activations, Key(.string(tenantId), .string(id)), activation)
        }
    }

    func setRisk(_ risk: DeviceRiskState) async throws {
        let (tables, tenantId, id) = (self.tables, self.tenantId, deviceId)
        try await oauth.app.environment.write { txn in
            var device = try #require(try txn.getJSON(Device.self, tables.devices, Key(.string(tenantId), .string(id))))
            device.riskState = risk
            try txn.putJSON(tables.devices, Key(.string(tenantId), .string(id)), device)
        }
    }

    func revokeCredential() async throws {
        let (tables, tenantId, thumbprint) = (self.tables, self.tenantId, key.thumbprint)
        try await oauth.app.environment.write { txn in
            _ = try txn.delete(tables.credentialThumbprints, Key(.string(tenantId), .string("jwk"), .string(thumbprint)))
        }
    }

    /// POST /t/acme/connect/token (client credentials) with `proof` as the DPoP header.
    func tokenRequest(_ client: any TestClientProtocol, proof: String?) async throws -> TestResponse {
        var headers = basic(clientId, secret)
        if let proof { headers[DPoPVerifier.headerName] = proof }
        return try await client.execute(
            uri: "/t/acme/connect/token", method: .post, headers: headers, body: form(["grant_type": "client_credentials"]))
    }

    func boundToken(_ client: any TestClientProtocol, with key: DPoPTestKey? = nil) async throws -> String {
        let response = try await tokenRequest(client, proof: (key ?? self.key).proof(url: Self.base + "/t/acme/connect/token"))
        #expect(response.status == .ok, "\(response.json)")
        return try #require(response.json["access_token"] as? String)
    }

    /// A call to a resource route with `scheme token` and, when given, a DPoP proof.
    func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String, scheme: String = "DPoP",
        proof: String?, body: [String: Any]? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "\(scheme) \(token)"]
        if let proof { headers[DPoPVerifier.headerName] = proof }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map(jsonBody))
    }

    /// A runtime check with a fresh proof of `key` for this request.
    func check(_ client: any TestClientProtocol, token: String, action: String = "open") async throws -> TestResponse {
        let path = "/api/runtime/authorization/check"
        return try await call(
            client, .post, path, token: token, proof: key.proof(url: Self.base + path, accessToken: token), body: ["action": action])
    }

    func claims(_ token: String) async throws -> AccessTokenClaims {
        try await oauth.app.services.tokenVerifier.verify(token).claims
    }
}

@Suite struct DeviceBoundTokenTests {
    @Test func aProofByARegisteredDeviceKeyBindsTheTokenToTheDevice() async throws {
        let f = try await DeviceTokenFixture(risk: .trusted)
        try await f.oauth.app.test { client in
            let response = try await f.tokenRequest(client, proof: f.key.proof(url: DeviceTokenFixture.base + "/t/acme/connect/token"))
            #expect(response.status == .ok)
            #expect(response.json["token_type"] as? String == "DPoP")
            let claims = try await f.claims(try #require(response.json["access_token"] as? String))
            #expect(claims.cnf?.jkt == f.key.thumbprint)
            #expect(claims.cnf?.x5tS256 == nil)
            #expect(claims.device_id == f.deviceId)
            #expect(claims.device_risk_state == "trusted")
            #expect(claims.device_trust_level == 3)
            #expect(claims.device_activation_id == f.activationId)
        }
    }

    @Test func anUnregisteredKeyBindsWithoutDeviceClaimsAndNoProofBindsNothing() async throws {
        let f = try await DeviceTokenFixture()
        try await f.oauth.app.test { client in
            let stranger = DPoPTestKey()
            let token = try await f.boundToken(client, with: stranger)
            let claims = try await f.claims(token)
            #expect(claims.cnf?.jkt == stranger.thumbprint)
            #expect(claims.device_id == nil && claims.device_risk_state == nil && claims.device_trust_level == nil)

            let plain = try await f.tokenRequest(client, proof: nil)
            #expect(plain.json["token_type"] as? String == "Bearer")
            let plainClaims = try await f.claims(try #require(plain.json["access_token"] as? String))
            #expect(plainClaims.cnf == nil && plainClaims.device_id == nil)
        }
    }

    @Test func aBadProofAtTheTokenEndpointIsInvalidDPoPProof() async throws {
        let f = try await DeviceTokenFixture()
        try await f.oauth.app.test { client in
            let url = DeviceTokenFixture.base + "/t/acme/connect/token"
            for proof in [
                "garbage", f.key.proof(url: url, header: ["typ": "JWT"]), f.key.proof(method: "GET", url: url),
                f.key.proof(url: DeviceTokenFixture.base + "/connect/token"),
                f.key.proof(url: url, iat: Int64(Date().timeIntervalSince1970) - 3600),
            ] {
                let response = try await f.tokenRequest(client, proof: proof)
                #expect(response.status == .badRequest)
                #expect(response.json["error"] as? String == "invalid_dpop_proof")
            }
            // Replay of a proof that was accepted once.
            let once = f.key.proof(url: url)
            #expect(try await f.tokenRequest(client, proof: once).status == .ok)
            let replayed = try await f.tokenRequest(client, proof: once)
            #expect(replayed.json["error"] as? String == "invalid_dpop_proof")
        }
    }

    @Test(arguments: [
        (LicenseActivation.State.revoked, DeviceRiskState.trusted),
        (.pendingApproval, .trusted), (.denied, .unknown), (.transferred, .unknown),
        (.active, .blocked), (.active, .compromised),
    ])
    func theDevicePolicyRefusesRevokedActivationsAndUntrustedDevices(state: LicenseActivation.State, risk: DeviceRiskState) async throws {
        let f = try await DeviceTokenFixture(activation: state, risk: risk)
        try await f.oauth.app.test { client in
            let response = try await f.tokenRequest(client, proof: f.key.proof(url: DeviceTokenFixture.base + "/t/acme/connect/token"))
            #expect(response.status == .badRequest)
            #expect(response.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func suspiciousDevicesStillGetTokensWithTheirTrustLevel() async throws {
        let f = try await DeviceTokenFixture(risk: .suspicious)
        try await f.oauth.app.test { client in
            let claims = try await f.claims(try await f.boundToken(client))
            #expect(claims.device_risk_state == "suspicious" && claims.device_trust_level == 1)
        }
    }

    @Test func aDPoPBoundTokenNeedsAProofOfItsKeyOnEveryRequest() async throws {
        let f = try await DeviceTokenFixture()
        try await f.oauth.app.test { client in
            let token = try await f.boundToken(client)
            let path = "/api/runtime/authorization/check"
            let url = DeviceTokenFixture.base + path
            #expect(try await f.check(client, token: token).status == .ok)

            // As a Bearer token: refused with a DPoP challenge.
            let asBearer = try await f.call(client, .post, path, token: token, scheme: "Bearer", proof: nil, body: ["action": "open"])
            #expect(asBearer.status == .unauthorized)
            #expect(asBearer.headers[.wwwAuthenticate]?.hasPrefix("DPoP ") == true)
            #expect(asBearer.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
            // No proof.
            let noProof = try await f.call(client, .post, path, token: token, proof: nil, body: ["action": "open"])
            #expect(noProof.status == .unauthorized)
            #expect(noProof.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
            // A proof without ath, with another token's ath, by another key, for another URL, replayed.
            let refused = [
                f.key.proof(url: url),
                f.key.proof(url: url, accessToken: "other"),
                DPoPTestKey().proof(url: url, accessToken: token),
                f.key.proof(url: DeviceTokenFixture.base + "/api/runtime/authorization/me", accessToken: token),
            ]
            for proof in refused {
                let response = try await f.call(client, .post, path, token: token, proof: proof, body: ["action": "open"])
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.contains(#"error="invalid_dpop_proof""#) == true)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            let proof = f.key.proof(url: url, accessToken: token)
            #expect(try await f.call(client, .post, path, token: token, proof: proof, body: ["action": "open"]).status == .ok)
            #expect(try await f.call(client, .post, path, token: token, proof: proof, body: ["action": "open"]).status == .unauthorized)

            // A token that is not DPoP-bound is not accepted with the DPoP scheme.
            let plain = try #require(try await f.tokenRequest(client, proof: nil).json["access_token"] as? String)
            let plainAsDPoP = try await f.call(
                client, .post, path, token: plain, proof: f.key.proof(url: url, accessToken: plain), body: ["action": "open"])
            #expect(plainAsDPoP.status == .unauthorized)
            #expect(try await f.call(client, .post, path, token: plain, scheme: "Bearer", proof: nil, body: ["action": "open"]).status == .ok)
        }
    }

    @Test func revokingTheActivationRefusesTheNextRequest() async throws {
        let f = try await DeviceTokenFixture()
        try await f.oauth.app.test { client in
            let token = try await f.boundToken(client)
            #expect(try await f.check(client, token: token).status == .ok)
            try await f.setActivation(.revoked)
            let refused = try await f.check(client, token: token)
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
            // And no new token either.
            let again = try await f.tokenRequest(client, proof: f.key.proof(url: DeviceTokenFixture.base + "/t/acme/connect/token"))
            #expect(again.json["error"] as? String == "invalid_grant")
        }
    }

    @Test func blockingTheDeviceOrRevokingItsKeyRefusesTheNextRequest() async throws {
        let f = try await DeviceTokenFixture(risk: .trusted)
        try await f.oauth.app.test { client in
            let token = try await f.boundToken(client)
            try await f.setRisk(.suspicious)
            #expect(try await f.check(client, token: token).status == .ok)
            try await f.setRisk(.blocked)
            #expect(try await f.check(client, token: token).status == .unauthorized)
            // Lifting the block restores it: nothing was cached.
            try await f.setRisk(.unknown)
            #expect(try await f.check(client, token: token).status == .ok)
            try await f.revokeCredential()
            #expect(try await f.check(client, token: token).status == .unauthorized)
        }
    }

    @Test func checksSeeTheLiveDeviceAndMeReportsIt() async throws {
        let f = try await DeviceTokenFixture(risk: .trusted)
        let rules = """
            kind: policy
            id: device-rules
            rules:
              - id: encrypted-trusted-devices-open
                effect: allow
                actions: [open]
                when: context has device && context.device.trustLevel >= 3 && context.device.posture.diskEncrypted
            """
        let output = PolicyBuild.build(files: ["rules.yaml": rules])
        let bundle = try #require(output.bundle, "\(output.diagnostics)")
        let services = f.oauth.app.services
        let info = try await services.tenantBundles.save(bundle, tenant: f.tenantId, actor: "test", activate: true)
        services.policies.activate(ActiveBundle(version: info.version, program: Program(bundle: bundle)), tenant: f.tenantId)
        try await f.oauth.app.test { client in
            let token = try await f.boundToken(client)
            let allowed = try await f.check(client, token: token)
            #expect(allowed.json["allowed"] as? Bool == true, "\(allowed.json)")
            // The risk read live, not the token's claim.
            try await f.setRisk(.suspicious)
            let denied = try await f.check(client, token: token)
            #expect(denied.status == .ok)
            #expect(denied.json["allowed"] as? Bool == false)

            let path = "/api/runtime/authorization/me"
            let me = try await f.call(
                client, .get, path, token: token, proof: f.key.proof(method: "GET", url: DeviceTokenFixture.base + path, accessToken: token))
            #expect(me.status == .ok)
            let device = try #require(me.json["device"] as? [String: Any])
            #expect(device["id"] as? String == f.deviceId)
            #expect(device["riskState"] as? String == "suspicious")
            #expect(device["trustLevel"] as? Int == 1)
            #expect(device["activationId"] as? String == f.activationId)
            #expect((device["posture"] as? [String: Any])?["diskEncrypted"] as? Bool == true)

            // A token bound to no device has no device.
            let plain = try #require(try await f.tokenRequest(client, proof: nil).json["access_token"] as? String)
            let plainMe = try await f.call(client, .get, path, token: plain, scheme: "Bearer", proof: nil)
            #expect(plainMe.json["device"] is NSNull)
        }
    }

    @Test func discoveryAdvertisesDPoP() async throws {
        let f = try await DeviceTokenFixture()
        try await f.oauth.app.test { client in
            let response = try await client.execute(uri: "/t/acme/.well-known/openid-configuration", method: .get)
            #expect(response.json["dpop_signing_alg_values_supported"] as? [String] == ["ES256"])
        }
    }

    @Test func introspectionShowsTheBinding() async throws {
        let f = try await DeviceTokenFixture()
        try await f.oauth.app.test { client in
            let token = try await f.boundToken(client)
            var headers = basic(f.clientId, f.secret)
            headers[.contentType] = "application/x-www-form-urlencoded"
            let response = try await client.execute(
                uri: "/t/acme/connect/introspect", method: .post, headers: headers, body: form(["token": token]))
            #expect(response.status == .ok)
            #expect(response.json["active"] as? Bool == true)
            #expect(response.json["token_type"] as? String == "DPoP")
            #expect((response.json["cnf"] as? [String: Any])?["jkt"] as? String == f.key.thumbprint)
            #expect(response.json["device_id"] as? String == f.deviceId)
        }
    }
}
