import Crypto
import Foundation
import Store
import Synchronization
import Testing
@testable import Server

/// A receiver standing in for the network: answers the scripted status codes in turn
/// (the last one repeats) and keeps every request.
final class ScriptedTransport: WebhookTransport, @unchecked Sendable {
    struct Sent: Sendable {
        var url: String
        var headers: [String: String]
        var body: String
    }

    private let state: Mutex<(codes: [Int?], sent: [Sent])>

    init(_ codes: [Int?]) { state = Mutex((codes, [])) }

    var sent: [Sent] { state.withLock { $0.sent } }

    func post(url: String, headers: [(String, String)], body: String) async -> WebhookAttemptResult {
        let code: Int? = state.withLock { state in
            state.sent.append(Sent(url: url, headers: Dictionary(headers, uniquingKeysWith: { $1 }), body: body))
            return state.codes.count > 1 ? state.codes.removeFirst() : state.codes.first ?? 200
        }
        return code.map { WebhookAttemptResult(statusCode: $0) } ?? WebhookAttemptResult(error: "connection refused")
    }
}

@Suite struct WebhookDeliveryTests {
    struct Fixture {
        let m: ManagementApp
        let tenantId: String
        let organizationId: String
        let webhook: Webhook

        var environment: Store.Environment { m.services.environment }
        var tables: WebhookTables { m.services.webhookTables }

        init(eventTypes: [String] = ["device.*"], slug: String = "acme") async throws {
            m = try await ManagementApp()
            tenantId = m.tenantId(slug)
            organizationId = m.firstOrganizationId(slug)
            webhook = Webhook(
                id: RandomID.make(prefix: "whk"), tenantId: tenantId, organizationId: organizationId,
                url: "https://hooks.example.com/in", eventTypes: eventTypes, secret: "whsec_test", createdAt: Date(), createdBy: "usr_admin")
            let webhook = self.webhook, tables = self.tables
            try await environment.write { txn in
                _ = try txn.putJSON(tables.webhooks, WebhookTables.webhookKey(tenantId: webhook.tenantId, id: webhook.id), webhook)
            }
        }

        func audit(_ action: String, organizationId: String?? = .none, target: String = "dev_1") async throws -> AuditEvent {
            let event = AuditEvent(
                tenantId: tenantId, actor: "usr_admin", action: action, target: target, outcome: .success, reason: "because",
                organizationId: organizationId ?? self.organizationId)
            try await environment.write { txn in try txn.appendAudit(event) }
            return event
        }

        func deliveries() throws -> [WebhookDelivery] {
            let tables = self.tables
            return try environment.read { txn in
                try txn.entries(tables.deliveries, prefix: Key(.string(tenantId))).map {
                    try StoredJSON.decode(WebhookDelivery.self, from: $0.value)
                }
            }
        }

        func outboxCount() throws -> Int { try environment.read { try $0.count(tables.outbox) } }

        func drainer(_ transport: ScriptedTransport, base: Duration = .seconds(10)) -> WebhookDrainer {
            var drainer = WebhookDrainer(environment: environment, tables: tables, transport: transport)
            drainer.retry.baseDelay = base
            return drainer
        }
    }

    @Test func matchingEventsOfTheOrganizationOrTheTenantAreQueuedInTheEventsTransaction() async throws {
        let f = try await Fixture()
        _ = try await f.audit("device.risk.update")
        _ = try await f.audit("device.create", organizationId: .some(nil))  // tenant-wide
        _ = try await f.audit("device.create", organizationId: "org_other")  // another organization
        _ = try await f.audit("client.create")  // not subscribed
        _ = try await f.audit("devices.x")  // "device.*" is a prefix of whole segments
        #expect(try f.deliveries().map(\.eventType).sorted() == ["device.create", "device.risk.update"])
        #expect(try f.outboxCount() == 2)

        // A change that fails after writing its audit event leaves no delivery behind.
        struct Boom: Error {}
        let tenantId = f.tenantId, organizationId = f.organizationId
        await #expect(throws: Boom.self) {
            try await f.environment.write { txn in
                try txn.appendAudit(AuditEvent(
                    tenantId: tenantId, actor: "usr_admin", action: "device.create", target: "dev_9", organizationId: organizationId))
                throw Boom()
            }
        }
        #expect(try f.deliveries().count == 2 && f.outboxCount() == 2)

        // Another tenant's events never reach this tenant's webhooks.
        let globex = f.m.tenantId("globex")
        try await f.environment.write { txn in
            try txn.appendAudit(AuditEvent(tenantId: globex, actor: "usr_x", action: "device.create", target: "dev_g"))
        }
        #expect(try f.deliveries().count == 2)
    }

    /// Finished deliveries older than the retention go as new ones arrive; pending ones
    /// (still owed to the receiver) and recent ones stay.
    @Test func oldFinishedDeliveriesArePrunedAsNewOnesArrive() async throws {
        let f = try await Fixture()
        let tables = f.tables, webhook = f.webhook
        let old = WebhookTime.micros(Date().addingTimeInterval(-WebhookOutbox.retention - 86_400))
        let recent = WebhookTime.micros(Date().addingTimeInterval(-86_400))
        func delivery(_ micros: UInt64, _ status: WebhookDelivery.Status) -> WebhookDelivery {
            WebhookDelivery(
                id: RandomID.make(prefix: "whd"), tenantId: webhook.tenantId, organizationId: webhook.organizationId,
                webhookId: webhook.id, eventId: "evt_old", eventType: "device.create", payload: "{}", status: status,
                attempts: 1, createdMicros: micros, nextAttemptMicros: status == .pending ? micros : nil)
        }
        let keep = [delivery(old + 5, .pending), delivery(recent, .delivered)]
        let rows = (0..<3).map { delivery(old + UInt64($0), .delivered) } + [delivery(old + 3, .failed)] + keep
        try await f.environment.write { txn in
            for row in rows { try txn.putDelivery(row, tables: tables) }
        }
        #expect(try f.deliveries().count == 6)
        _ = try await f.audit("device.create")
        let left = try f.deliveries()
        #expect(left.count == 3)
        #expect(Set(left.map(\.id)).isSuperset(of: keep.map(\.id)))
        #expect(left.contains { $0.eventType == "device.create" && $0.status == .pending && $0.eventId != "evt_old" })
    }

    @Test func aDeliveryIsSignedOverTimestampAndBodyAndCarriesTheEvent() async throws {
        let f = try await Fixture()
        let event = try await f.audit("device.risk.update")
        let transport = ScriptedTransport([204])
        let now = Date()
        #expect(try await f.drainer(transport).drainOnce(now: now) == 1)
        let sent = try #require(transport.sent.first)
        #expect(sent.url == "https://hooks.example.com/in")
        let timestamp = try #require(sent.headers["Arbiter-Webhook-Timestamp"])
        #expect(timestamp == String(Int64(now.timeIntervalSince1970)))
        // Recomputed here exactly as README documents it.
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp).\(sent.body)".utf8), using: SymmetricKey(data: Data("whsec_test".utf8)))
        #expect(sent.headers["Arbiter-Webhook-Signature"] == "v1=" + mac.map { String(format: "%02x", $0) }.joined())
        let delivery = try #require(try f.deliveries().first)
        #expect(sent.headers["Arbiter-Webhook-Id"] == delivery.id)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any])
        #expect(body["id"] as? String == event.id && body["type"] as? String == "device.risk.update")
        #expect(body["tenantId"] as? String == f.tenantId && body["organizationId"] as? String == f.organizationId)
        #expect(body["actor"] as? String == "usr_admin" && body["target"] as? String == "dev_1")
        #expect(body["outcome"] as? String == "success" && body["reason"] as? String == "because" && body["time"] is String)
        #expect(Set(body.keys) == ["id", "type", "time", "tenantId", "organizationId", "actor", "target", "outcome", "reason"])
        #expect(delivery.status == .delivered && delivery.attempts == 1 && delivery.lastResponseCode == 204)
        #expect(delivery.nextAttemptMicros == nil && delivery.deliveredAt != nil)
        #expect(try f.outboxCount() == 0)
        // Nothing left: the next pass sends nothing.
        #expect(try await f.drainer(transport).drainOnce(now: now.addingTimeInterval(3600)) == 0)
    }

    @Test func failuresAreRetriedWithBackoffAndJitterThenDelivered() async throws {
        let f = try await Fixture()
        _ = try await f.audit("device.create")
        let transport = ScriptedTransport([500, nil, 200])
        let drainer = f.drainer(transport)
        var now = Date()
        try await drainer.drainOnce(now: now)
        var delivery = try #require(try f.deliveries().first)
        #expect(delivery.status == .pending && delivery.attempts == 1 && delivery.lastResponseCode == 500)
        // Full jitter: the first retry is due within [now, now + 10 s].
        let first = try #require(delivery.nextAttemptAt)
        #expect(first >= now.addingTimeInterval(-0.001) && first <= now.addingTimeInterval(10.001))
        // Not due yet → not sent; the body stays the same bytes.
        #expect(try await drainer.drainOnce(now: now.addingTimeInterval(-1)) == 0)

        now = now.addingTimeInterval(11)
        try await drainer.drainOnce(now: now)
        delivery = try #require(try f.deliveries().first)
        #expect(delivery.status == .pending && delivery.attempts == 2 && delivery.lastResponseCode == nil)
        #expect(delivery.lastError == "connection refused")
        #expect(try #require(delivery.nextAttemptAt) <= now.addingTimeInterval(20.001))

        now = now.addingTimeInterval(21)
        try await drainer.drainOnce(now: now)
        delivery = try #require(try f.deliveries().first)
        #expect(delivery.status == .delivered && delivery.attempts == 3 && delivery.lastResponseCode == 200 && delivery.lastError == nil)
        #expect(transport.sent.count == 3 && Set(transport.sent.map(\.body)).count == 1)
        #expect(try f.outboxCount() == 0)
    }

    @Test func aDeliveryStillFailingAfter24HoursIsFailed() async throws {
        let f = try await Fixture()
        _ = try await f.audit("device.create")
        let transport = ScriptedTransport([503])
        let drainer = f.drainer(transport)
        let created = try #require(try f.deliveries().first).createdAt
        var now = created
        var passes = 0
        while try f.outboxCount() > 0, passes < 200 {
            try await drainer.drainOnce(now: now)
            // The next pass runs exactly when the delivery is due.
            now = try f.deliveries().first?.nextAttemptAt ?? now
            passes += 1
        }
        let delivery = try #require(try f.deliveries().first)
        #expect(delivery.status == .failed && delivery.lastResponseCode == 503 && delivery.nextAttemptMicros == nil)
        // Every attempt was inside the 24 hours, and the hourly cap kept them coming.
        #expect(try #require(delivery.lastAttemptAt).timeIntervalSince(created) <= 24 * 3600)
        #expect(delivery.attempts >= 24 && delivery.attempts == transport.sent.count)
    }

    @Test func aClaimedDeliveryIsNotSentTwiceAndDeletingTheWebhookDropsItsDeliveries() async throws {
        let f = try await Fixture()
        _ = try await f.audit("device.create")
        let drainer = f.drainer(ScriptedTransport([200]))
        let now = Date()
        let claimed = try await drainer.claim(now: now)
        #expect(claimed.count == 1 && claimed[0].secret == "whsec_test")
        // A second drainer in the lease window finds nothing due.
        #expect(try await drainer.claim(now: now.addingTimeInterval(30)).isEmpty)
        // After the lease (the first drainer died) it is offered again.
        #expect(try await drainer.claim(now: now.addingTimeInterval(61)).count == 1)

        let webhook = f.webhook, tables = f.tables
        try await f.environment.write { txn in try txn.deleteWebhook(webhook, tables: tables) }
        #expect(try f.deliveries().isEmpty && f.outboxCount() == 0)
        #expect(try await drainer.drainOnce(now: now.addingTimeInterval(7200)) == 0)
    }

    @Test func retryCeilingsDoubleFromTheBaseUpToAnHour() {
        let policy = WebhookRetryPolicy()
        #expect((1...5).map { policy.ceiling(afterAttempts: $0) } == [10, 20, 40, 80, 160])
        #expect(policy.ceiling(afterAttempts: 12) == 3600 && policy.ceiling(afterAttempts: 1000) == 3600)
        let created = Date(timeIntervalSince1970: 1_900_000_000)
        #expect(policy.nextAttempt(afterAttempts: 3, createdAt: created, now: created, random: 0.5) == created.addingTimeInterval(20))
        #expect(policy.nextAttempt(afterAttempts: 30, createdAt: created, now: created.addingTimeInterval(86_000), random: 1) == nil)
        #expect(policy.nextAttempt(afterAttempts: 30, createdAt: created, now: created.addingTimeInterval(86_000), random: 0.1) != nil)
    }

    @Test func baseDelayAndPollIntervalAreConfigurable() throws {
        var configuration = ServerConfiguration()
        #expect(configuration.webhookRetryBaseMilliseconds == 10_000 && configuration.webhookPollIntervalMilliseconds == 1_000)
        try configuration.apply(environment: ["ARBITER_WEBHOOK_RETRY_BASE_MS": "200", "ARBITER_WEBHOOK_POLL_INTERVAL_MS": "50"])
        #expect(configuration.webhookRetryBaseMilliseconds == 200 && configuration.webhookPollIntervalMilliseconds == 50)
        #expect(throws: ConfigurationError.self) { try configuration.apply(environment: ["ARBITER_WEBHOOK_RETRY_BASE_MS": "0"]) }
        #expect(throws: ConfigurationError.self) { try configuration.apply(environment: ["ARBITER_WEBHOOK_POLL_INTERVAL_MS": "fast"]) }
    }
}
