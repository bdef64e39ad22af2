import Foundation
import Store

/// The audit observer that turns an event into deliveries: one pending delivery (and its
/// outbox row) per webhook of the event's tenant that subscribes to the event's action and
/// belongs to the event's organization — or to any organization for a tenant-wide event.
///
/// It runs inside the transaction that writes the event (`Store.AuditObservers`), so the
/// change, its audit event and its deliveries commit together and the request never waits
/// for a receiver: the `WebhookDrainer` sends them later.
struct WebhookOutbox: Sendable {
    let tables: WebhookTables

    static let observerName = "webhooks"
    /// Finished deliveries are kept this long for `GET …/deliveries`, then pruned.
    static let retention: TimeInterval = 30 * 24 * 3600
    static let prunePerEvent = 8

    func register(on environment: Store.Environment) {
        let outbox = self
        environment.auditObservers.set(Self.observerName) { txn, event in try outbox.enqueue(event, in: txn) }
    }

    func enqueue(_ event: AuditEvent, in txn: WriteTransaction, now: Date = Date()) throws {
        let subscribed = try txn.webhooks(tenantId: event.tenantId, tables: tables).filter { webhook in
            (event.organizationId == nil || event.organizationId == webhook.organizationId)
                && webhook.eventTypes.contains { WebhookEventTypes.matches($0, action: event.action) }
        }
        guard !subscribed.isEmpty else { return }
        let payload = try Self.payload(event)
        let micros = WebhookTime.micros(now)
        for webhook in subscribed {
            try txn.putDelivery(WebhookDelivery(
                id: RandomID.make(prefix: "whd"), tenantId: webhook.tenantId, organizationId: webhook.organizationId,
                webhookId: webhook.id, eventId: event.id, eventType: event.action, payload: payload, status: .pending,
                attempts: 0, createdMicros: micros, nextAttemptMicros: micros), tables: tables)
            try txn.pruneDeliveries(
                tenantId: webhook.tenantId, webhookId: webhook.id,
                beforeMicros: micros &- min(micros, UInt64(Self.retention * 1_000_000)), limit: Self.prunePerEvent, tables: tables)
        }
    }

    /// The delivery body (README "Webhooks"): the event as the audit API shows it, plus
    /// its tenant. `id` is the event's id, the same in every attempt and every webhook.
    static func payload(_ event: AuditEvent) throws -> String {
        struct Body: Encodable {
            var id: String
            var type: String
            var time: Date
            var tenantId: String
            var organizationId: String?
            var actor: String
            var target: String
            var outcome: String
            var reason: String?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let body = Body(
            id: event.id, type: event.action, time: event.time, tenantId: event.tenantId,
            organizationId: event.organizationId, actor: event.actor, target: event.target,
            outcome: event.outcome.rawValue, reason: event.reason)
        return String(decoding: try encoder.encode(body), as: UTF8.self)
    }
}
