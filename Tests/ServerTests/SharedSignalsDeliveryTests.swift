import Crypto
import Devices
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Identity
import JWTKit
import Store
import Synchronization
import Testing
@testable import Server

/// A receiver standing in for the network that answers scripted (status, body) pairs in
/// turn (the last repeats) and keeps every request.
final class SETReceiver: WebhookTransport, @unchecked Sendable {
    struct Sent: Sendable {
        var url: String
        var headers: [String: String]
        var body: String
    }

    private let state: Mutex<(answers: [(Int, String?)], sent: [Sent])>
    init(_ answers: [(Int, String?)]) { state = Mutex((answers, [])) }
    var sent: [Sent] { state.withLock { $0.sent } }

    func post(url: String, headers: [(String, String)], body: String) async -> WebhookAttemptResult {
        let (code, answer) = state.withLock { state in
            state.sent.append(Sent(url: url, headers: Dictionary(headers, uniquingKeysWith: { $1 }), body: body))
            return state.answers.count > 1 ? state.answers.removeFirst() : state.answers[0]
        }
        return WebhookAttemptResult(statusCode: code, body: answer)
    }
}

/// Pushing SETs through the webhook drainer (RFC 8935), and the device and refresh-token
/// event sources.
@Suite struct SharedSignalsDeliveryTests {
    struct Fixture {
        let m: ManagementApp
        let token: String
        var services: ArbiterApplication.Services { m.services }
        var tenantId: String { m.tenantId("acme") }

        /// `minVerificationSeconds`: 0 lets a test verify as often as it likes; a test of
        /// "too soon" uses an hour, so that it holds however slowly a loaded machine runs it.
        init(minVerificationSeconds: Int = 0) async throws {
            m = try await ManagementApp { $0.ssfMinVerificationSeconds = minVerificationSeconds }
            token = try await SharedSignalsTests.receiverToken(m)
        }

        func stream(_ client: any TestClientProtocol, events: [String] = SSFEventTypes.supported) async throws -> String {
            let created = try await client.call(.post, "/ssf/streams", token, SharedSignalsTests.streamBody(events: events))
            return try #require(created.json["stream_id"] as? String)
        }

        func add(_ client: any TestClientProtocol, _ stream: String, _ subject: [String: Any]) async throws {
            let added = try await client.call(.post, "/ssf/subjects:add", token, ["stream_id": stream, "subject": subject])
            #expect(added.status == .ok)
        }

        func queued(_ stream: String) throws -> [WebhookDelivery] {
            try SharedSignalsTests.queued(m, tenantId: tenantId, streamId: stream)
        }

        /// The routes without the application's background outbox service, so only the
        /// test's own drainer (and its scripted receiver) sends anything.
        func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let router = ArbiterApplication.makeRouter(services: services, configuration: m.app.configuration)
            try await Application(router: router).test(.router, body)
        }

        func drainer(_ receiver: SETReceiver) -> WebhookDrainer {
            var drainer = WebhookDrainer(environment: services.environment, tables: services.webhookTables, transport: receiver)
            drainer.sharedSignals = SSFPush(tables: services.ssfTables, issuer: services.tokenIssuer)
            return drainer
        }

        /// The claims of a compact SET after checking its ES256 signature with the tenant's
        /// published key of the header's kid, and the header's typ.
        func verified(_ token: String) async throws -> [String: Any] {
            let parts = token.split(separator: ".").map(String.init)
            #expect(parts.count == 3)
            let headerBytes = try #require(Self.base64url(parts[0]))
            let header = try #require(try JSONSerialization.jsonObject(with: headerBytes) as? [String: Any])
            #expect(header["typ"] as? String == "secevent+jwt" && header["alg"] as? String == "ES256")
            let kid = try #require(header["kid"] as? String)
            let key = try #require(try services.signingKeys.publishedKeys(tenantId: tenantId).first { $0.kid == kid })
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: try ES256PrivateKey(pem: key.privateKeyPEM).publicKey, kid: JWKIdentifier(string: kid))
            _ = try await keys.verify(token, as: SecurityEventToken.Payload.self)
            let claimBytes = try #require(Self.base64url(parts[1]))
            return try #require(try JSONSerialization.jsonObject(with: claimBytes) as? [String: Any])
        }

        static func base64url(_ text: String) -> Data? {
            var value = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while value.count % 4 != 0 { value += "=" }
            return Data(base64Encoded: value)
        }
    }

    @Test func verificationIsPushedSignedAndRetriedWithTheSameClaims() async throws {
        let f = try await Fixture(minVerificationSeconds: 3600)
        try await f.test { client in
            let stream = try await f.stream(client)
            let verify = try await client.call(.post, "/ssf/verify", f.token, ["stream_id": stream, "state": "abc123"])
            #expect(verify.status == .noContent)
            let again = try await client.call(.post, "/ssf/verify", f.token, ["stream_id": stream])
            #expect(again.status == .tooManyRequests)
            #expect(try await client.call(.post, "/ssf/verify", f.token, ["stream_id": stream, "state": 5]).status == .badRequest)

            let receiver = SETReceiver([(503, nil), (202, nil)])
            let drainer = f.drainer(receiver)
            #expect(try await drainer.drainOnce() == 1)
            #expect(try await drainer.drainOnce(now: Date().addingTimeInterval(3600)) == 1)
            let sent = receiver.sent
            #expect(sent.count == 2)
            let firstSent = try #require(sent.first)
            let first = try await f.verified(firstSent.body)
            let second = try await f.verified(sent[1].body)
            #expect(first["jti"] as? String == second["jti"] as? String)
            #expect(NSDictionary(dictionary: first).isEqual(to: second))
            #expect((first["iss"] as? String)?.hasSuffix("/t/acme") == true && first["aud"] as? String == "cli_ssf_acme_1")
            #expect(first["sub_id"] as? [String: String] == ["format": "opaque", "id": stream])
            let events = try #require(first["events"] as? [String: [String: Any]])
            #expect(events[SSFEventTypes.verification]?["state"] as? String == "abc123")
            let headers = sent[0].headers
            #expect(headers["Content-Type"] == "application/secevent+jwt" && headers["Accept"] == "application/json")
            #expect(headers["Authorization"] == "Bearer receiver-secret")
            #expect(sent[0].url == SharedSignalsTests.base)
            let delivery = try #require(try f.queued(stream).first)
            #expect(delivery.status == .delivered && delivery.attempts == 2 && delivery.lastResponseCode == 202)
        }
    }

    @Test func a400WithAnErrorCodeFailsForGoodAndADisabledStreamGetsNothing() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let refused = try await f.stream(client), disabled = try await f.stream(client)
            for stream in [refused, disabled] {
                #expect(try await client.call(.post, "/ssf/verify", f.token, ["stream_id": stream]).status == .noContent)
            }
            #expect(try await client.call(.post, "/ssf/status", f.token, ["stream_id": disabled, "status": "disabled"]).status == .ok)
            let receiver = SETReceiver([(400, #"{"err":"invalid_audience","description":"not for us"}"#)])
            let drainer = f.drainer(receiver)
            #expect(try await drainer.drainOnce() == 1)  // the disabled stream's SET is dropped, not sent
            #expect(receiver.sent.count == 1)
            let failed = try #require(try f.queued(refused).first)
            #expect(failed.status == .failed && failed.attempts == 1 && failed.nextAttemptMicros == nil)
            #expect(failed.lastError?.contains("invalid_audience") == true && failed.lastError?.contains("not for us") == true)
            let dropped = try #require(try f.queued(disabled).first)
            #expect(dropped.status == .failed && dropped.attempts == 0 && dropped.lastError == "stream disabled")
            #expect(try await drainer.drainOnce(now: Date().addingTimeInterval(7200)) == 0)
            #expect(try f.services.environment.read { try $0.count(f.services.webhookTables.outbox) } == 0)
        }
    }

    /// SSF 1.0 §8.1.2: a paused stream sends nothing and holds its events — those queued
    /// while paused and those already in the outbox — until it is enabled; disabling drops them.
    @Test func aPausedStreamHoldsItsSETsUntilEnabled() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let stream = try await f.stream(client), dropped = try await f.stream(client)
            #expect(try await client.call(.post, "/ssf/verify", f.token, ["stream_id": stream, "state": "before"]).status == .noContent)
            for id in [stream, dropped] {
                #expect(try await client.call(.post, "/ssf/status", f.token, ["stream_id": id, "status": "paused"]).status == .ok)
            }
            for id in [stream, dropped] {
                #expect(try await client.call(.post, "/ssf/verify", f.token, ["stream_id": id, "state": "while"]).status == .noContent)
            }
            let receiver = SETReceiver([(202, nil)])
            let drainer = f.drainer(receiver)
            #expect(try await drainer.drainOnce() == 0)  // the one queued before the pause is held at claim
            #expect(receiver.sent.isEmpty)
            #expect(try f.queued(stream).allSatisfy { $0.status == .pending && $0.nextAttemptMicros == nil })

            #expect(try await client.call(.post, "/ssf/status", f.token, ["stream_id": dropped, "status": "disabled"]).status == .ok)
            #expect(try f.queued(dropped).allSatisfy { $0.status == .failed && $0.lastError == "stream disabled" })
            #expect(try await client.call(.post, "/ssf/status", f.token, ["stream_id": stream, "status": "enabled"]).status == .ok)
            #expect(try await drainer.drainOnce() == 2)
            var states: [String] = []
            for sent in receiver.sent {
                let claims = try await f.verified(sent.body)
                let events = try #require(claims["events"] as? [String: [String: Any]])
                states.append(events[SSFEventTypes.verification]?["state"] as? String ?? "")
            }
            #expect(states.sorted() == ["before", "while"])
        }
    }

    @Test func deviceEventsBecomeComplianceAndCredentialChanges() async throws {
        let f = try await Fixture()
        let services = f.services, tenantId = f.tenantId
        let organizationId = f.m.tenants["acme"]!.organizationId
        let device = Device(id: RandomID.make(prefix: "dev"), tenantId: tenantId, organizationId: organizationId,
                            hardwareIdHash: "h", createdAt: Date())
        try await services.environment.write { txn in try services.deviceRecords.insertDevice(device, in: txn) }
        try await f.test { client in
            let complex = try await f.stream(client), opaque = try await f.stream(client), paused = try await f.stream(client)
            try await f.add(client, complex, ["format": "complex", "device": ["format": "opaque", "id": device.id]])
            try await f.add(client, opaque, ["format": "opaque", "id": device.id])
            try await f.add(client, paused, ["format": "opaque", "id": device.id])
            #expect(try await client.call(.post, "/ssf/status", f.token, ["stream_id": paused, "status": "paused"]).status == .ok)

            let scope = DeviceScope(tenantId: tenantId, organizationId: organizationId)
            let good = PostureFacts(os: "macos", osVersion: "15.4", patchAgeDays: 3, diskEncrypted: true, firewallEnabled: true,
                                    screenLockEnabled: true, edrRunning: true, jailbroken: false)
            var bad = good
            bad.diskEncrypted = false
            func report(_ facts: PostureFacts) async throws {
                try await services.environment.write { txn in
                    _ = try PostureSnapshots(records: services.deviceRecords).record(
                        facts, scope: scope, deviceId: device.id, source: "api", reportedBy: "usr_admin", in: txn)
                }
                try await Task.sleep(for: .milliseconds(2))  // snapshot ids sort by time
            }
            func events(_ stream: String) throws -> [[String: Any]] {
                try f.queued(stream).sorted { $0.createdMicros < $1.createdMicros }.map {
                    try #require(try JSONSerialization.jsonObject(with: Data($0.payload.utf8)) as? [String: Any])
                }
            }
            try await report(good)   // not-compliant (no posture) → compliant
            try await report(good)   // no change: nothing
            try await report(bad)    // compliant → not-compliant
            try await services.environment.write { txn in
                _ = try RiskStates.set(scope, deviceId: device.id, to: .trusted, actor: "usr_admin", reason: "checked",
                                       records: services.deviceRecords, in: txn)  // still not-compliant: nothing
            }
            try await report(good)   // → compliant
            try await services.environment.write { txn in
                _ = try RiskStates.set(scope, deviceId: device.id, to: .compromised, actor: "usr_admin", reason: "malware",
                                       records: services.deviceRecords, in: txn)  // → not-compliant
            }
            let changes = try events(complex)
            let compliance = changes.compactMap { ($0["events"] as? [String: [String: Any]])?[SSFEventTypes.deviceComplianceChange] }
            #expect(compliance.map { "\($0["previous_status"]!)→\($0["current_status"]!)" } == [
                "not-compliant→compliant", "compliant→not-compliant", "not-compliant→compliant", "compliant→not-compliant",
            ])
            let complexSubject = try #require(changes.first?["sub_id"] as? [String: Any])
            #expect(complexSubject["format"] as? String == "complex" && complexSubject.count == 2)
            #expect(complexSubject["device"] as? [String: String] == ["format": "opaque", "id": device.id])
            #expect(try events(opaque).first?["sub_id"] as? [String: String] == ["format": "opaque", "id": device.id])
            // Paused: the same SETs are held out of the outbox, and released when enabled.
            let held = try f.queued(paused)
            #expect(held.count == 4 && held.allSatisfy { $0.status == .pending && $0.nextAttemptMicros == nil })
            #expect(try await client.call(.post, "/ssf/status", f.token, ["stream_id": paused, "status": "enabled"]).status == .ok)
            #expect(try f.queued(paused).allSatisfy { $0.status == .pending && $0.nextAttemptMicros != nil })

            // A device credential revoked → credential-change (revoke).
            let credential = DeviceCredential(
                id: RandomID.make(prefix: "crd"), tenantId: tenantId, deviceId: device.id, kind: .jwk, thumbprint: "t", publicJWK: nil,
                certificate: nil, status: .active, createdAt: Date(), createdBy: "usr_admin")
            try await services.environment.write { txn in
                try services.deviceRecords.putCredential(credential, in: txn)
                try txn.appendAudit(AuditEvent(tenantId: tenantId, actor: "usr_admin", action: "device.credential.revoke", target: credential.id))
            }
            let last = try #require(try events(opaque).last?["events"] as? [String: [String: Any]])
            let change = try #require(last[SSFEventTypes.credentialChange])
            #expect(change["change_type"] as? String == "revoke" && change["credential_type"] as? String == "app")
            #expect(change["event_timestamp"] is Int)
        }
    }

    @Test func aRefreshTokenRevokedByItsClientIsASessionRevoked() async throws {
        let s = try await SCIMFixture()
        let m = s.m
        let token = try await SharedSignalsTests.receiverToken(m)
        let (connection, scimToken) = try await s.connection()
        try await m.app.test { client in
            let created = try await client.scim(.post, SCIMFixture.base(connection) + "/Users", scimToken, SCIMFixture.user("bob"))
            let userId = try #require(created.json["id"] as? String)
            let (_, refresh) = try await s.signIn("acme", userId: userId)
            let createdStream = try await client.call(.post, "/ssf/streams", token, SharedSignalsTests.streamBody())
            let stream = try #require(createdStream.json["stream_id"] as? String)
            #expect(try await client.call(.post, "/ssf/subjects:add", token, [
                "stream_id": stream, "subject": ["format": "email", "email": "bob@example.com"]]).status == .ok)
            let web = try #require(try m.services.clients.client(id: "cli_web_acme"))
            #expect(try await m.services.refreshTokens.revoke(refresh, clientId: web.clientId, tenantId: m.tenantId("acme")))
            let sets = try SharedSignalsTests.queued(m, tenantId: m.tenantId("acme"), streamId: stream)
            #expect(sets.count == 1 && sets.first?.eventType == SharedSignalsTests.sessionRevoked)
        }
    }
}
