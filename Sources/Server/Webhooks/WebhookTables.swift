import Foundation
import Store

/// The LMDB tables of webhooks, their deliveries and the outbox the drainer reads.
struct WebhookTables: Sendable {
    /// (tenantId, webhookId) → Webhook: the observer reads one tenant's few webhooks per event.
    let webhooks: Table
    /// (tenantId, webhookId, createdMicros, deliveryId) → WebhookDelivery, oldest first.
    let deliveries: Table
    /// (dueMicros, deliveryId) → the delivery's key bytes: what is due, in due order,
    /// across tenants. A row exists exactly while its delivery is pending.
    let outbox: Table

    /// At most this many webhooks per tenant (each audit event reads them all).
    static let maxPerTenant = 50

    init(environment: Store.Environment) throws {
        webhooks = try environment.table("webhooks")
        deliveries = try environment.table("webhooks.deliveries")
        outbox = try environment.table("webhooks.outbox")
    }

    static func webhookKey(tenantId: String, id: String) -> Key { Key(.string(tenantId), .string(id)) }

    static func deliveryKey(_ delivery: WebhookDelivery) -> Key {
        Key(.string(delivery.tenantId), .string(delivery.webhookId), .uint(delivery.createdMicros), .string(delivery.id))
    }

    static func outboxKey(dueMicros: UInt64, deliveryId: String) -> Key { Key(.uint(dueMicros), .string(deliveryId)) }
}

extension TransactionReading {
    func webhook(tenantId: String, id: String, tables: WebhookTables) throws -> Webhook? {
        try getJSON(Webhook.self, tables.webhooks, WebhookTables.webhookKey(tenantId: tenantId, id: id))
    }

    func webhooks(tenantId: String, tables: WebhookTables) throws -> [Webhook] {
        try entries(tables.webhooks, prefix: Key(.string(tenantId)), limit: WebhookTables.maxPerTenant * 2)
            .map { try StoredJSON.decode(Webhook.self, from: $0.value) }
    }
}

extension WriteTransaction {
    /// Stores `delivery` and, while it is pending, its outbox row.
    func putDelivery(_ delivery: WebhookDelivery, tables: WebhookTables) throws {
        let key = WebhookTables.deliveryKey(delivery)
        _ = try putJSON(tables.deliveries, key, delivery)
        if delivery.status == .pending, let due = delivery.nextAttemptMicros {
            _ = try put(tables.outbox, WebhookTables.outboxKey(dueMicros: due, deliveryId: delivery.id), key.bytes)
        }
    }

    /// Takes `delivery`'s outbox row out (before it is rescheduled or finished).
    func removeFromOutbox(_ delivery: WebhookDelivery, tables: WebhookTables) throws {
        if let due = delivery.nextAttemptMicros {
            _ = try delete(tables.outbox, WebhookTables.outboxKey(dueMicros: due, deliveryId: delivery.id))
        }
    }

    /// Deletes up to `limit` of the webhook's oldest deliveries that finished (delivered or
    /// failed) and were created before `beforeMicros`. Called a few rows at a time on every
    /// new delivery, so history stays bounded by the retention without a sweeper and no
    /// event pays for more than `limit` deletes.
    func pruneDeliveries(tenantId: String, webhookId: String, beforeMicros: UInt64, limit: Int, tables: WebhookTables) throws {
        var old: [Key] = []
        var seen = 0
        try scan(tables.deliveries, prefix: Key(.string(tenantId), .string(webhookId))) { key, value in
            seen += 1
            let delivery = try StoredJSON.decode(WebhookDelivery.self, from: value)
            guard delivery.createdMicros < beforeMicros else { return false }
            if delivery.status != .pending { old.append(Key(encoded: key)) }
            return old.count < limit && seen < limit * 4
        }
        for key in old { _ = try delete(tables.deliveries, key) }
    }

    /// Deletes a webhook with its deliveries and their outbox rows.
    func deleteWebhook(_ webhook: Webhook, tables: WebhookTables) throws {
        _ = try delete(tables.webhooks, WebhookTables.webhookKey(tenantId: webhook.tenantId, id: webhook.id))
        let rows = try entries(tables.deliveries, prefix: Key(.string(webhook.tenantId), .string(webhook.id)))
        for row in rows {
            let delivery = try StoredJSON.decode(WebhookDelivery.self, from: row.value)
            if delivery.status == .pending { try removeFromOutbox(delivery, tables: tables) }
            _ = try delete(tables.deliveries, row.key)
        }
    }
}
