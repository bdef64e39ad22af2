import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Identity
import Store
import Testing
@testable import Server

/// Shared Signals (SSF 1.0) transmitter: metadata, stream management (scope, tenant
/// isolation, validation, SSRF rule), subjects, and CAEP events queued by the observer.
@Suite struct SharedSignalsTests {
    static let base = "https://receiver.example.com/events"
    static let sessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked"

    /// A receiver's client-credentials token of `slug` with `arbiter.ssf.manage`.
    static func receiverToken(_ m: ManagementApp, _ slug: String = "acme", scopes: [String] = ["arbiter.ssf.manage"]) async throws -> String {
        let tenantId = m.tenantId(slug)
        let client = OAuthClient(
            clientId: "cli_ssf_\(slug)_\(scopes.count)", tenantId: tenantId, applicationId: "app_receiver", name: "Receiver",
            purpose: .automation, status: .active, scopes: scopes, secrets: [], createdAt: Date(), isPublic: false, redirectURIs: [])
        let tables = m.services.oauthTables
        try await m.services.environment.write { txn in
            try txn.putJSON(tables.clients, Key(.string(tenantId), .string(client.clientId)), client)
            try txn.put(tables.clientTenants, Key(.string(client.clientId)), Array(tenantId.utf8))
        }
        return try await m.services.tokenIssuer.issue(client: client, tenantSlug: slug, scopes: scopes).token
    }

    static func streamBody(_ url: String = base, events: [String] = [sessionRevoked], extra: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "delivery": ["method": "urn:ietf:rfc:8935", "endpoint_url": url, "authorization_header": "Bearer receiver-secret"],
            "events_requested": events, "description": "test stream",
        ]
        for (key, value) in extra { body[key] = value }
        return body
    }

    /// Queued SETs of a stream.
    static func queued(_ m: ManagementApp, tenantId: String, streamId: String) throws -> [WebhookDelivery] {
        let tables = m.services.webhookTables
        return try m.services.environment.read { txn in
            try txn.entries(tables.deliveries, prefix: Key(.string(tenantId), .string(streamId)))
                .map { try StoredJSON.decode(WebhookDelivery.self, from: $0.value) }
        }
    }

    @Test func metadataPerTenantInBothForms() async throws {
        let m = try await ManagementApp()
        try await m.app.test { client in
            let direct = try await client.execute(uri: "/t/acme/.well-known/ssf-configuration", method: .get)
            #expect(direct.status == .ok)
            let document = direct.json
            let issuer = try #require(document["issuer"] as? String)
            #expect(issuer.hasSuffix("/t/acme"))
            #expect(document["spec_version"] as? String == "1_0")
            #expect(document["jwks_uri"] as? String == issuer + "/.well-known/jwks.json")
            #expect(document["delivery_methods_supported"] as? [String] == ["urn:ietf:rfc:8935"])
            #expect(document["default_subjects"] as? String == "NONE")
            for key in ["configuration_endpoint", "status_endpoint", "add_subject_endpoint", "remove_subject_endpoint", "verification_endpoint"] {
                #expect((document[key] as? String)?.hasPrefix("http") == true, "\(key)")
            }
            #expect((document["authorization_schemes"] as? [[String: String]])?.first?["spec_urn"] == "urn:ietf:rfc:6749")
            let inserted = try await client.execute(uri: "/.well-known/ssf-configuration/t/acme", method: .get)
            #expect(inserted.status == .ok && inserted.json["issuer"] as? String == issuer)
            let global = try await client.execute(uri: "/.well-known/ssf-configuration?tenant=acme", method: .get)
            #expect(global.status == .ok && global.json["issuer"] as? String == issuer)
            #expect(try await client.execute(uri: "/.well-known/ssf-configuration", method: .get).status == .badRequest)
            #expect(try await client.execute(uri: "/.well-known/ssf-configuration?tenant=nope", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/t/nope/.well-known/ssf-configuration", method: .get).status == .notFound)
            // Webhooks can subscribe to the stream changes (ssf.* audit actions).
            #expect(WebhookEventTypes.problem("ssf.*") == nil && WebhookEventTypes.problem("ssf.stream.create") == nil)
            #expect(try await client.execute(uri: "/.well-known/ssf-configuration/t/nope", method: .get).status == .notFound)
        }
    }

    @Test func streamLifecycleScopeAndTenantIsolation() async throws {
        let m = try await ManagementApp()
        let acme = try await Self.receiverToken(m)
        let globex = try await Self.receiverToken(m, "globex")
        let admin = try await m.adminToken()
        try await m.app.test { client in
            #expect(try await client.call(.post, "/ssf/streams", nil, Self.streamBody()).status == .unauthorized)
            let wrongScope = try await client.call(.post, "/ssf/streams", admin, Self.streamBody())
            #expect(wrongScope.status == .forbidden && wrongScope.problemType == "insufficient-scope")

            let created = try await client.call(.post, "/ssf/streams", acme, Self.streamBody())
            #expect(created.status == .created)
            let id = try #require(created.json["stream_id"] as? String)
            #expect((created.json["iss"] as? String)?.hasSuffix("/t/acme") == true)
            #expect(created.json["aud"] as? String == "cli_ssf_acme_1")
            #expect(created.json["events_delivered"] as? [String] == [Self.sessionRevoked])
            #expect((created.json["events_supported"] as? [String])?.count == 4)
            let delivery = try #require(created.json["delivery"] as? [String: Any])
            #expect(delivery["endpoint_url"] as? String == Self.base && delivery["authorization_header"] == nil)
            #expect(!String(buffer: created.body).contains("receiver-secret"))

            let read = try await client.call(.get, "/ssf/streams?stream_id=\(id)", acme)
            #expect(read.status == .ok && read.json["stream_id"] as? String == id)
            let list = try await client.call(.get, "/ssf/streams", acme)
            #expect(list.status == .ok && String(buffer: list.body).contains(id) && !String(buffer: list.body).contains("receiver-secret"))

            // Another tenant's receiver sees nothing of it.
            #expect(try await client.call(.get, "/ssf/streams?stream_id=\(id)", globex).status == .notFound)
            #expect(try await client.call(.delete, "/ssf/streams?stream_id=\(id)", globex).status == .notFound)
            #expect(try await client.call(.patch, "/ssf/streams", globex, ["stream_id": id, "description": "x"]).status == .notFound)
            #expect(try await client.call(.post, "/ssf/status", globex, ["stream_id": id, "status": "disabled"]).status == .notFound)
            #expect(try await client.call(.post, "/ssf/verify", globex, ["stream_id": id]).status == .notFound)
            #expect(String(buffer: try await client.call(.get, "/ssf/streams", globex).body) == "[]")

            let patched = try await client.call(.patch, "/ssf/streams", acme, [
                "stream_id": id, "description": "renamed", "aud": ["a", "b"],
                "events_requested": [Self.sessionRevoked, "https://example.com/unknown"],
            ])
            #expect(patched.status == .ok && patched.json["description"] as? String == "renamed")
            #expect(patched.json["aud"] as? [String] == ["a", "b"])
            #expect(patched.json["events_delivered"] as? [String] == [Self.sessionRevoked])
            #expect(patched.json["events_requested"] as? [String] == [Self.sessionRevoked, "https://example.com/unknown"])
            // PUT replaces: what is not sent goes back to its default.
            var replacement = Self.streamBody("https://other.example.com/in", events: [])
            replacement["stream_id"] = id
            replacement["description"] = nil
            let replaced = try await client.call(.put, "/ssf/streams", acme, replacement)
            #expect(replaced.status == .ok && replaced.json["description"] == nil)
            #expect(replaced.json["events_delivered"] as? [String] == [])
            #expect(replaced.json["aud"] as? String == "cli_ssf_acme_1")

            let status = try await client.call(.post, "/ssf/status", acme, ["stream_id": id, "status": "paused", "reason": "maintenance"])
            #expect(status.status == .ok && status.json["status"] as? String == "paused" && status.json["reason"] as? String == "maintenance")
            #expect(try await client.call(.get, "/ssf/status?stream_id=\(id)", acme).json["status"] as? String == "paused")
            #expect(try await client.call(.post, "/ssf/status", acme, ["stream_id": id, "status": "off"]).status == .badRequest)

            #expect(try await client.call(.delete, "/ssf/streams?stream_id=\(id)", acme).status == .noContent)
            #expect(try await client.call(.get, "/ssf/streams?stream_id=\(id)", acme).status == .notFound)
            #expect(try await client.call(.delete, "/ssf/streams?stream_id=\(id)", acme).status == .notFound)
            #expect(try await client.call(.delete, "/ssf/streams", acme).status == .badRequest)
        }
    }

    @Test func streamInputIsValidated() async throws {
        let m = try await ManagementApp()
        let acme = try await Self.receiverToken(m)
        try await m.app.test { client in
            func fields(_ body: [String: Any]) async throws -> [String] {
                let response = try await client.call(.post, "/ssf/streams", acme, body)
                #expect(response.status == .badRequest, "\(body)")
                return response.fieldErrors
            }
            #expect(try await fields([:]) == ["delivery"])
            #expect(try await fields(["delivery": ["method": "urn:ietf:rfc:8936", "endpoint_url": Self.base]]) == ["delivery.method"])
            #expect(try await fields(["delivery": ["method": "urn:ietf:rfc:8935"]]) == ["delivery.endpoint_url"])
            #expect(try await fields(Self.streamBody("ftp://x.example.com/")) == ["delivery.endpoint_url"])
            #expect(try await fields(Self.streamBody("http://hooks.example.com/in")) == ["delivery.endpoint_url"])
            #expect(try await fields(Self.streamBody(extra: ["aud": 5])) == ["aud"])
            #expect(try await fields(Self.streamBody(extra: ["stream_id": "mine"])) == ["stream_id"])
            #expect(try await fields(Self.streamBody(extra: ["color": "red"])) == ["color"])
            #expect(try await fields(Self.streamBody(extra: ["description": String(repeating: "x", count: 1001)])) == ["description"])
            #expect(try await fields(Self.streamBody(extra: ["events_requested": [String](repeating: "e", count: 21)])) == ["events_requested"])
            var badHeader = Self.streamBody()
            badHeader["delivery"] = ["method": "urn:ietf:rfc:8935", "endpoint_url": Self.base, "authorization_header": "a\r\nb"]
            #expect(try await fields(badHeader) == ["delivery.authorization_header"])
            let notJSON = try await client.execute(
                uri: "/ssf/streams", method: .post, headers: [.authorization: "Bearer \(acme)", .contentType: "text/plain"],
                body: ByteBuffer(string: "x"))
            #expect(notJSON.status == .unsupportedMediaType)
            let huge = try await client.call(.post, "/ssf/streams", acme, Self.streamBody(extra: ["description": String(repeating: "x", count: 70_000)]))
            #expect(huge.status == .contentTooLarge)
            // Loopback http is fine on this development server (its public URL is loopback).
            #expect(try await client.call(.post, "/ssf/streams", acme, Self.streamBody("http://127.0.0.1:9/in")).status == .created)
        }
    }

    @Test func endpointFollowsTheWebhookSSRFRule() {
        for url in ["https://10.0.0.5/in", "https://192.168.1.1/", "https://169.254.169.254/latest", "http://127.0.0.1:9/in"] {
            let body: [String: JSONValue] = ["delivery": .object(["method": .string("urn:ietf:rfc:8935"), "endpoint_url": .string(url)])]
            let refused = SSFStreamInput.read(body, required: ["delivery"], allowPrivate: false).1
            #expect(refused.map(\.field) == ["delivery.endpoint_url"], "\(url)")
            #expect(refused.first?.message.contains("private") == true, "\(url)")
            let allowed = SSFStreamInput.read(body, required: ["delivery"], allowPrivate: true).1
            #expect(allowed.isEmpty, "\(url)")
        }
    }

    @Test func streamAndSubjectLimitsAre409() async throws {
        let m = try await ManagementApp()
        let acme = try await Self.receiverToken(m)
        try await m.app.test { client in
            var last = ""
            for _ in 0..<SSFTables.maxStreamsPerTenant {
                let created = try await client.call(.post, "/ssf/streams", acme, Self.streamBody())
                #expect(created.status == .created)
                last = created.json["stream_id"] as? String ?? ""
            }
            let over = try await client.call(.post, "/ssf/streams", acme, Self.streamBody())
            #expect(over.status == .conflict && over.problemType == "stream-limit")
            // The subject limit, with the count set just under it.
            let tables = m.services.ssfTables, tenantId = m.tenantId("acme"), id = last
            try await m.services.environment.write { txn in
                var stream = try #require(try txn.ssfStream(tenantId: tenantId, id: id, tables: tables))
                stream.subjectCount = SSFTables.maxSubjectsPerStream
                try txn.putSSFStream(stream, tables: tables)
            }
            let full = try await client.call(.post, "/ssf/subjects:add", acme, [
                "stream_id": id, "subject": ["format": "email", "email": "x@acme.example"]])
            #expect(full.status == .conflict && full.problemType == "subject-limit")
        }
    }

    @Test func subjectsAreValidatedAddedAndRemoved() async throws {
        let m = try await ManagementApp()
        let acme = try await Self.receiverToken(m)
        let globex = try await Self.receiverToken(m, "globex")
        try await m.app.test { client in
            let id = try #require(try await client.call(.post, "/ssf/streams", acme, Self.streamBody()).json["stream_id"] as? String)
            func add(_ subject: Any, token: String? = nil) async throws -> TestResponse {
                try await client.call(.post, "/ssf/subjects:add", token ?? acme, ["stream_id": id, "subject": subject])
            }
            let bad: [Any] = [
                "alice", ["format": "phone_number", "phone_number": "+1"], ["format": "email"], ["format": "email", "email": "nope"],
                ["format": "iss_sub", "iss": "https://x"], ["format": "opaque", "id": ""], ["format": "opaque", "id": "a\nb"],
                ["format": "opaque", "id": "x", "extra": 1], ["format": "complex"], ["format": "complex", "planet": ["format": "opaque", "id": "x"]],
                ["format": "complex", "user": ["format": "complex", "device": ["format": "opaque", "id": "x"]]],
                ["format": "opaque", "id": String(repeating: "x", count: 513)],
            ]
            for subject in bad {
                let refused = try await add(subject)
                #expect(refused.status == .badRequest && refused.fieldErrors == ["subject"], "\(subject)")
            }
            let alice: [String: Any] = ["format": "email", "email": "Alice@Acme.example"]
            #expect(try await add(alice).status == .ok)
            #expect(try await add(alice).status == .ok)  // idempotent
            #expect(try await add(["format": "complex", "user": ["format": "iss_sub", "iss": "https://i", "sub": "usr_1"],
                                   "device": ["format": "opaque", "id": "dev_1"]]).status == .ok)
            #expect(try await add(alice, token: globex).status == .notFound)
            let stream = try #require(try m.services.environment.read { txn in
                try txn.ssfStream(tenantId: m.tenantId("acme"), id: id, tables: m.services.ssfTables)
            })
            #expect(stream.subjectCount == 2)
            // Email addresses match case-insensitively.
            let remove = try await client.call(.post, "/ssf/subjects:remove", acme, [
                "stream_id": id, "subject": ["format": "email", "email": "alice@acme.example"]])
            #expect(remove.status == .noContent)
            #expect(try await client.call(.post, "/ssf/subjects:remove", acme, ["stream_id": id, "subject": alice]).status == .notFound)
            #expect(try await client.call(.post, "/ssf/subjects:add", acme, ["subject": alice]).fieldErrors == ["stream_id"])
        }
    }

    @Test func scimDeprovisioningQueuesOneSETForStreamsWithTheSubject() async throws {
        let s = try await SCIMFixture()
        let m = s.m
        let acme = try await Self.receiverToken(m)
        let tenantId = m.tenantId("acme")
        let (connection, scimToken) = try await s.connection()
        try await m.app.test { client in
            let created = try await client.scim(.post, SCIMFixture.base(connection) + "/Users", scimToken, SCIMFixture.user("ada"))
            let userId = try #require(created.json["id"] as? String)
            _ = try await s.signIn("acme", userId: userId)
            let issuer = try #require(try await client.execute(uri: "/t/acme/.well-known/ssf-configuration", method: .get).json["issuer"] as? String)
            func stream(_ events: [String] = [Self.sessionRevoked]) async throws -> String {
                try #require(try await client.call(.post, "/ssf/streams", acme, Self.streamBody(events: events)).json["stream_id"] as? String)
            }
            let watching = try await stream(), byEmail = try await stream(), other = try await stream(), disabled = try await stream()
            let notRequested = try await stream([SSFEventTypes.credentialChange])
            let user: [String: Any] = ["format": "iss_sub", "iss": issuer, "sub": userId]
            for id in [watching, disabled, notRequested] {
                #expect(try await client.call(.post, "/ssf/subjects:add", acme, ["stream_id": id, "subject": user]).status == .ok)
            }
            #expect(try await client.call(.post, "/ssf/subjects:add", acme, [
                "stream_id": byEmail, "subject": ["format": "email", "email": "ADA@example.com"]]).status == .ok)
            #expect(try await client.call(.post, "/ssf/subjects:add", acme, [
                "stream_id": other, "subject": ["format": "iss_sub", "iss": issuer, "sub": "usr_someone_else"]]).status == .ok)
            #expect(try await client.call(.post, "/ssf/status", acme, ["stream_id": disabled, "status": "disabled"]).status == .ok)

            let deprovisioned = try await client.scim(.put, SCIMFixture.base(connection) + "/Users/\(userId)", scimToken,
                                                      SCIMFixture.user("ada", active: false))
            #expect(deprovisioned.status == .ok)

            let sets = try Self.queued(m, tenantId: tenantId, streamId: watching)
            #expect(sets.count == 1)  // one SET, not one more per revoked refresh-token family
            let set = try #require(sets.first)
            #expect(set.kind == .set && set.status == .pending && set.eventType == Self.sessionRevoked)
            let claims = try #require(try JSONSerialization.jsonObject(with: Data(set.payload.utf8)) as? [String: Any])
            #expect(claims["iss"] as? String == issuer && claims["aud"] as? String == "cli_ssf_acme_1" && claims["jti"] as? String == set.id)
            #expect(claims["sub_id"] as? [String: String] == ["format": "iss_sub", "iss": issuer, "sub": userId])
            let events = try #require(claims["events"] as? [String: [String: Any]])
            #expect(events[Self.sessionRevoked]?["event_timestamp"] is Int)

            let emailed = try Self.queued(m, tenantId: tenantId, streamId: byEmail)
            #expect(emailed.count == 1)
            let emailSET = try #require(emailed.first)
            let emailClaims = try #require(try JSONSerialization.jsonObject(with: Data(emailSET.payload.utf8)) as? [String: Any])
            #expect(emailClaims["sub_id"] as? [String: String] == ["format": "email", "email": "ada@example.com"])
            #expect(try Self.queued(m, tenantId: tenantId, streamId: other).isEmpty)
            #expect(try Self.queued(m, tenantId: tenantId, streamId: disabled).isEmpty)
            #expect(try Self.queued(m, tenantId: tenantId, streamId: notRequested).isEmpty)

            // Deleting the stream takes its queued SETs (and their outbox rows) with it.
            #expect(try await client.call(.delete, "/ssf/streams?stream_id=\(watching)", acme).status == .noContent)
            #expect(try Self.queued(m, tenantId: tenantId, streamId: watching).isEmpty)
        }
    }
}
