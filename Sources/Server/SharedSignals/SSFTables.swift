import Foundation
import Store

/// The LMDB tables of Shared Signals streams and their subjects. Queued SETs live in the
/// webhook tables (`WebhookDelivery.kind == .set`), so one outbox and one drainer carry both.
struct SSFTables: Sendable {
    /// (tenantId, streamId) → SSFStream
    let streams: Table
    /// (tenantId, streamId, subject key) → the subject as added (`SSFSubject`): the observer
    /// asks one point read per candidate subject of an event.
    let subjects: Table

    static let maxStreamsPerTenant = 20
    static let maxSubjectsPerStream = 10_000
    static let maxHeldPerStream = 1000

    init(environment: Store.Environment) throws {
        streams = try environment.table("ssf.streams")
        subjects = try environment.table("ssf.subjects")
    }

    static func streamKey(tenantId: String, id: String) -> Key { Key(.string(tenantId), .string(id)) }
    static func subjectKey(tenantId: String, streamId: String, subject: SSFSubject) -> Key {
        Key(.string(tenantId), .string(streamId), .string(subject.key))
    }
}

extension TransactionReading {
    func ssfStream(tenantId: String, id: String, tables: SSFTables) throws -> SSFStream? {
        guard !id.isEmpty, id.utf8.count <= 100 else { return nil }
        return try getJSON(SSFStream.self, tables.streams, SSFTables.streamKey(tenantId: tenantId, id: id))
    }

    func ssfStreams(tenantId: String, tables: SSFTables) throws -> [SSFStream] {
        try entries(tables.streams, prefix: Key(.string(tenantId)), limit: SSFTables.maxStreamsPerTenant * 2)
            .map { try StoredJSON.decode(SSFStream.self, from: $0.value) }
    }

    func ssfHasSubject(_ subject: SSFSubject, tenantId: String, streamId: String, tables: SSFTables) throws -> Bool {
        try get(tables.subjects, SSFTables.subjectKey(tenantId: tenantId, streamId: streamId, subject: subject)) != nil
    }
}

extension WriteTransaction {
    /// After a status change: SETs held while paused are released into the outbox (enabled)
    /// or failed (disabled). Reads the stream's delivery records once (30 days at most).
    func settleHeldSETs(_ stream: SSFStream, to status: SSFStream.Status, now: Date, webhooks: WebhookTables) throws {
        guard status != .paused else { return }
        var held: [WebhookDelivery] = []
        try scan(webhooks.deliveries, prefix: Key(.string(stream.tenantId), .string(stream.id))) { _, value in
            let delivery = try StoredJSON.decode(WebhookDelivery.self, from: value)
            if delivery.status == .pending, delivery.nextAttemptMicros == nil { held.append(delivery) }
            return true
        }
        let micros = WebhookTime.micros(now)
        for var delivery in held {
            if status == .enabled {
                delivery.nextAttemptMicros = micros
            } else {
                delivery.status = .failed
                delivery.lastError = "stream disabled"
            }
            try putDelivery(delivery, tables: webhooks)
        }
    }

    func putSSFStream(_ stream: SSFStream, tables: SSFTables) throws {
        _ = try putJSON(tables.streams, SSFTables.streamKey(tenantId: stream.tenantId, id: stream.id), stream)
    }

    /// Deletes the stream, its subjects, and its queued and past SETs (with their outbox rows).
    func deleteSSFStream(_ stream: SSFStream, tables: SSFTables, webhooks: WebhookTables) throws {
        _ = try delete(tables.streams, SSFTables.streamKey(tenantId: stream.tenantId, id: stream.id))
        var subjects: [Key] = []
        try scan(tables.subjects, prefix: Key(.string(stream.tenantId), .string(stream.id))) { key, _ in
            subjects.append(Key(encoded: key))
            return true
        }
        for key in subjects { _ = try delete(tables.subjects, key) }
        let rows = try entries(webhooks.deliveries, prefix: Key(.string(stream.tenantId), .string(stream.id)))
        for row in rows {
            let delivery = try StoredJSON.decode(WebhookDelivery.self, from: row.value)
            if delivery.status == .pending { try removeFromOutbox(delivery, tables: webhooks) }
            _ = try delete(webhooks.deliveries, row.key)
        }
    }
}
