import Foundation
import Logging
import Store

/// Sends what the outbox holds. One pass (`drainOnce`) is three steps:
///
/// 1. Claim, in one write transaction, up to `batchSize` due rows: each moves to
///    now + `claimLease`, so a second drainer skips them, and a process that dies while
///    sending tries them again once the lease runs out (at-least-once delivery).
/// 2. Send them concurrently, outside any transaction.
/// 3. Record the results in one write transaction: 2xx is delivered; anything else is
///    retried per `retry` (backoff with full jitter) or, past its maximum age, failed.
///
/// `WebhookDeliveryService` runs passes on a timer; tests call `drainOnce(now:)` directly.
struct WebhookDrainer: Sendable {
    let environment: Store.Environment
    let tables: WebhookTables
    var transport: any WebhookTransport
    var retry = WebhookRetryPolicy()
    var batchSize = 32
    var claimLease: Duration = .seconds(60)
    var logger = Logger(label: "arbiter.webhooks")
    /// Called with each attempt's outcome (`delivered`, `retry`, `failed`), for metrics.
    var onOutcome: (@Sendable (String) -> Void)?
    /// Shared Signals pushes (`WebhookDelivery.kind == .set`) travel the same outbox and
    /// retry policy; this finds their stream and signs their SET. Without it they stay queued.
    var sharedSignals: SSFPush?

    struct Claimed: Sendable {
        var delivery: WebhookDelivery
        var url: String
        var secret: String
        /// A Shared Signals stream's Authorization header value, when it has one.
        var authorization: String? = nil
    }

    /// Runs one pass at `now`; answers how many attempts it made.
    @discardableResult
    func drainOnce(now: Date = Date()) async throws -> Int {
        let claimed = try await claim(now: now)
        guard !claimed.isEmpty else { return 0 }
        let transport = self.transport, sharedSignals = self.sharedSignals
        let results = await withTaskGroup(of: (Int, WebhookAttemptResult).self) { group in
            for (index, job) in claimed.enumerated() {
                group.addTask {
                    if job.delivery.kind == .set {
                        guard let push = sharedSignals else { return (index, WebhookAttemptResult(error: "no Shared Signals sender")) }
                        return (index, await push.send(job, transport: transport, now: now))
                    }
                    let timestamp = Int64(now.timeIntervalSince1970)
                    let headers = [
                        (WebhookSignature.idHeader, job.delivery.id),
                        (WebhookSignature.timestampHeader, String(timestamp)),
                        (WebhookSignature.signatureHeader,
                         WebhookSignature.sign(secret: job.secret, timestamp: timestamp, body: job.delivery.payload)),
                    ]
                    return (index, await transport.post(url: job.url, headers: headers, body: job.delivery.payload))
                }
            }
            var results = [WebhookAttemptResult?](repeating: nil, count: claimed.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0 ?? WebhookAttemptResult(error: "not sent") }
        }
        try await record(claimed, results, now: now)
        return claimed.count
    }

    func claim(now: Date) async throws -> [Claimed] {
        let tables = self.tables, batchSize = self.batchSize, sharedSignals = self.sharedSignals
        let nowMicros = WebhookTime.micros(now)
        let leaseMicros = UInt64(WebhookRetryPolicy.seconds(claimLease) * 1_000_000)
        return try await environment.write { txn in
            var due: [(key: Key, value: [UInt8])] = []
            try txn.scan(tables.outbox, from: nil, to: Key(.uint(nowMicros + 1))) { key, value in
                due.append((Key(encoded: key), Array(value)))
                return due.count < batchSize
            }
            var claimed: [Claimed] = []
            for row in due {
                _ = try txn.delete(tables.outbox, row.key)
                guard var delivery = try txn.getJSON(WebhookDelivery.self, tables.deliveries, Key(encoded: row.value)),
                      delivery.status == .pending
                else { continue }
                if delivery.kind == .set {
                    guard let sharedSignals else { continue }
                    switch try sharedSignals.target(of: delivery, in: txn) {
                    case .send(let url, let authorization):
                        delivery.nextAttemptMicros = nowMicros + leaseMicros
                        try txn.putDelivery(delivery, tables: tables)
                        claimed.append(Claimed(delivery: delivery, url: url, secret: "", authorization: authorization))
                    case .hold:
                        delivery.nextAttemptMicros = nil
                        try txn.putDelivery(delivery, tables: tables)
                    case .drop(let reason):
                        delivery.status = .failed
                        delivery.lastError = reason
                        delivery.nextAttemptMicros = nil
                        try txn.putDelivery(delivery, tables: tables)
                    }
                    continue
                }
                guard let webhook = try txn.webhook(tenantId: delivery.tenantId, id: delivery.webhookId, tables: tables)
                else { continue }
                delivery.nextAttemptMicros = nowMicros + leaseMicros
                try txn.putDelivery(delivery, tables: tables)
                claimed.append(Claimed(delivery: delivery, url: webhook.url, secret: webhook.secret))
            }
            return claimed
        }
    }

    func record(_ claimed: [Claimed], _ results: [WebhookAttemptResult], now: Date) async throws {
        let tables = self.tables, retry = self.retry
        let outcomes: [String] = try await environment.write { txn in
            var outcomes: [String] = []
            for (job, result) in zip(claimed, results) {
                let key = WebhookTables.deliveryKey(job.delivery)
                // Gone (its webhook was deleted meanwhile) or taken over by another drainer.
                guard var delivery = try txn.getJSON(WebhookDelivery.self, tables.deliveries, key),
                      delivery.status == .pending, delivery.nextAttemptMicros == job.delivery.nextAttemptMicros
                else { continue }
                try txn.removeFromOutbox(delivery, tables: tables)
                delivery.attempts += 1
                delivery.lastAttemptAt = now
                delivery.lastResponseCode = result.statusCode
                delivery.lastError = result.error
                if result.delivered {
                    delivery.status = .delivered
                    delivery.deliveredAt = now
                    delivery.nextAttemptMicros = nil
                    outcomes.append("delivered")
                } else if delivery.kind == .set, let permanent = SSFPush.permanentFailure(result) {
                    // RFC 8935 §2.4: a 400 with an error code is the receiver refusing the SET itself.
                    delivery.status = .failed
                    delivery.lastError = permanent
                    delivery.nextAttemptMicros = nil
                    outcomes.append("failed")
                } else if let next = retry.nextAttempt(afterAttempts: delivery.attempts, createdAt: delivery.createdAt, now: now) {
                    delivery.nextAttemptMicros = max(WebhookTime.micros(next), WebhookTime.micros(now))
                    outcomes.append("retry")
                } else {
                    delivery.status = .failed
                    delivery.nextAttemptMicros = nil
                    outcomes.append("failed")
                }
                try txn.putDelivery(delivery, tables: tables)
            }
            return outcomes
        }
        for outcome in outcomes {
            onOutcome?(outcome)
            if outcome == "failed" {
                // Ids only: never the secret, the body or the URL's query.
                logger.warning("webhook delivery failed for good", metadata: ["outcome": .string(outcome)])
            }
        }
    }
}
