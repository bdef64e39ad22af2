import Foundation
import Identity
import Store

/// The Shared Signals side of the webhook drainer: where a queued SET goes, how it is
/// signed and posted (RFC 8935 §2), and which answers end it for good.
struct SSFPush: Sendable {
    let tables: SSFTables
    let issuer: AccessTokenIssuer

    enum Target: Equatable {
        case send(url: String, authorization: String?)
        /// Kept (out of the outbox) while the stream is paused; released when it is enabled.
        case hold
        /// Not sent, and failed with this reason (stream deleted or disabled meanwhile).
        case drop(String)
    }

    /// Read at claim time, inside the drainer's transaction: a stream disabled or deleted
    /// since the SET was queued gets nothing more; a paused one holds it (counted against
    /// its limit of held SETs, past which it is dropped).
    func target(of delivery: WebhookDelivery, in txn: WriteTransaction) throws -> Target {
        guard var stream = try txn.ssfStream(tenantId: delivery.tenantId, id: delivery.webhookId, tables: tables) else {
            return .drop("stream deleted")
        }
        switch stream.status {
        case .disabled: return .drop("stream disabled")
        case .paused:
            guard (stream.held ?? 0) < SSFTables.maxHeldPerStream else { return .drop("stream paused with too many held SETs") }
            stream.held = (stream.held ?? 0) + 1
            try txn.putSSFStream(stream, tables: tables)
            return .hold
        case .enabled: return .send(url: stream.endpointURL, authorization: stream.authorizationHeader)
        }
    }

    /// Signs the stored claims and POSTs the compact SET (RFC 8935 §2.1).
    func send(_ job: WebhookDrainer.Claimed, transport: any WebhookTransport, now: Date) async -> WebhookAttemptResult {
        let token: String
        do {
            token = try await SecurityEventToken.sign(claims: job.delivery.payload, tenantId: job.delivery.tenantId, issuer: issuer, now: now)
        } catch {
            return WebhookAttemptResult(error: "could not sign the SET")
        }
        var headers = [("Content-Type", SecurityEventToken.contentType), ("Accept", "application/json")]
        if let authorization = job.authorization { headers.append(("Authorization", authorization)) }
        return await transport.post(url: job.url, headers: headers, body: token)
    }

    /// RFC 8935 §2.4: a 400 is the receiver refusing this SET (`{"err": …, "description": …}`),
    /// which no retry changes. Answers what to record, or nil when the attempt may be retried.
    static func permanentFailure(_ result: WebhookAttemptResult) -> String? {
        guard result.statusCode == 400 else { return nil }
        struct ErrorBody: Decodable {
            var err: String?
            var description: String?
        }
        let body = result.body.flatMap { try? JSONDecoder().decode(ErrorBody.self, from: Data($0.utf8)) }
        let err = body?.err.map { String($0.prefix(100)) } ?? "invalid_request"
        let description = body?.description.map { ": " + String($0.prefix(200)) } ?? ""
        return "receiver refused the SET (\(err))" + description
    }
}
