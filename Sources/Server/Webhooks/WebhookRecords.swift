import Foundation
import Store

/// A subscription of an organization to audit events, delivered as signed HTTP POSTs.
struct Webhook: Codable, Sendable, Equatable {
    var id: String
    var tenantId: String
    var organizationId: String
    var url: String
    /// Audit action names (`client.create`), prefixes (`device.*`) or `*`.
    var eventTypes: [String]
    /// The HMAC-SHA256 key of every delivery's signature. Unlike the other secrets of the
    /// design (§5), this one is stored as is: signing needs the key itself, and a hash could
    /// not sign. It is shown once, in the creation answer, is never returned again by any
    /// route and never logged (no log line in this module names it).
    var secret: String
    var createdAt: Date
    var createdBy: String
}

/// One event on its way to one webhook: the exact body (fixed at enqueue, so every
/// attempt sends and signs the same bytes) and where its attempts stand.
struct WebhookDelivery: Codable, Sendable, Equatable {
    enum Status: String, Codable, Sendable, CaseIterable {
        case pending, delivered, failed
    }

    var id: String
    var tenantId: String
    var organizationId: String
    var webhookId: String
    var eventId: String
    var eventType: String
    var payload: String
    var status: Status
    var attempts: Int
    var lastResponseCode: Int?
    /// Why the last attempt got no HTTP answer (connection refused, timeout); no secrets.
    var lastError: String?
    var lastAttemptAt: Date?
    var deliveredAt: Date?
    /// Microseconds since the epoch, exact: the delivery's keys are built from them.
    var createdMicros: UInt64
    /// When the outbox offers it next (its outbox key); nil once delivered or failed.
    var nextAttemptMicros: UInt64?
    /// What the outbox carries: nil for a webhook delivery; `set` for a Shared Signals
    /// push (RFC 8935), whose `webhookId` is the stream id and whose `payload` is the
    /// Security Event Token's claims (signed at send time, the same claims every attempt).
    var kind: Kind? = nil

    enum Kind: String, Codable, Sendable {
        case set
    }

    var createdAt: Date { WebhookTime.date(createdMicros) }
    var nextAttemptAt: Date? { nextAttemptMicros.map(WebhookTime.date) }
}

enum WebhookTime {
    static func micros(_ date: Date) -> UInt64 { UInt64(max(0, date.timeIntervalSince1970 * 1_000_000)) }
    static func date(_ micros: UInt64) -> Date { Date(timeIntervalSince1970: Double(micros) / 1_000_000) }
}
