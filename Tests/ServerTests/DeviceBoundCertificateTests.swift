import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Store
import Testing
@testable import Devices
@testable import Server

/// mTLS with a registered device certificate (RFC 8705 + issue 7): the certificate's
/// x5t#S256 is an active `x509` credential of a device, so the token is device-bound.
@Suite struct DeviceBoundCertificateTests {
    static let deviceId = "dev_cert"

    /// A certificate-only device (no activation) whose credential is the test client certificate.
    func registerDevice(_ app: MTLSTestApp) async throws -> DeviceTables {
        let tables = try DeviceTables(environment: app.environment)
        let tenantId = app.tenantId
        let now = Date()
        let device = Device(
            id: Self.deviceId, tenantId: tenantId, organizationId: "org_any", hardwareIdHash: "hash", createdAt: now)
        let credential = DeviceCredential(
            id: "dcr_cert", tenantId: tenantId, deviceId: Self.deviceId, kind: .x509, thumbprint: TestCertificates.clientThumbprint,
            publicJWK: nil, certificate: nil, status: .active, createdAt: now, createdBy: "test")
        try await app.environment.write { txn in
            try txn.putJSON(tables.devices, Key(.string(tenantId), .string(device.id)), device)
            try txn.putJSON(tables.credentials, Key(.string(tenantId), .string(credential.id)), credential)
            _ = try txn.put(
                tables.credentialThumbprints, Key(.string(tenantId), .string("x509"), .string(credential.thumbprint)),
                Array(credential.id.utf8))
        }
        return tables
    }

    func setRisk(_ app: MTLSTestApp, _ tables: DeviceTables, _ risk: DeviceRiskState) async throws {
        let tenantId = app.tenantId
        try await app.environment.write { txn in
            var device = try #require(try txn.getJSON(Device.self, tables.devices, Key(.string(tenantId), .string(Self.deviceId))))
            device.riskState = risk
            try txn.putJSON(tables.devices, Key(.string(tenantId), .string(Self.deviceId)), device)
        }
    }

    @Test func aRegisteredDeviceCertificateBindsTheDeviceAndIsReEvaluatedPerRequest() async throws {
        let app = try await MTLSTestApp(trustedProxies: ["127.0.0.1", "::1"])
        let mtlsClient = try await app.client(ClientCertificateBinding(subjectDN: "CN=billing,O=Acme"))
        let tables = try await registerDevice(app)
        try await app.test { client in
            func token(proof: String? = nil) async throws -> TestResponse {
                var headers = forwarded(TestCertificates.clientPEM)
                if let proof { headers[DPoPVerifier.headerName] = proof }
                return try await client.execute(
                    uri: "/t/acme/connect/mtls/token", method: .post, headers: headers,
                    body: form(["grant_type": "client_credentials", "client_id": mtlsClient.clientId]))
            }
            func check(_ token: String, certificate: String?) async throws -> TestResponse {
                var headers = forwarded(certificate)
                headers[.authorization] = "Bearer " + token
                headers[.contentType] = "application/json"
                return try await client.execute(
                    uri: "/api/runtime/authorization/check", method: .post, headers: headers, body: jsonBody(["action": "open"]))
            }
            let issued = try await token()
            #expect(issued.status == .ok)
            #expect(issued.json["token_type"] as? String == "Bearer")
            let bound = try #require(issued.json["access_token"] as? String)
            let claims = mtlsClaims(bound)
            #expect((claims["cnf"] as? [String: Any])?["x5t#S256"] as? String == TestCertificates.clientThumbprint)
            #expect(claims["device_id"] as? String == Self.deviceId)
            #expect(claims["device_risk_state"] as? String == "unknown")
            #expect(claims["device_trust_level"] as? Int == 2)

            #expect(try await check(bound, certificate: TestCertificates.clientPEM).status == .ok)
            #expect(try await check(bound, certificate: nil).status == .unauthorized)
            try await setRisk(app, tables, .compromised)
            let refused = try await check(bound, certificate: TestCertificates.clientPEM)
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
            let again = try await token()
            #expect(again.status == .badRequest)
            #expect(again.json["error"] as? String == "invalid_grant")
        }
    }
}
