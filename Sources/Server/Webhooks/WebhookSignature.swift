import Crypto
import Foundation

/// The signature of one delivery attempt (README "Webhooks"):
/// `Arbiter-Webhook-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, where
/// the timestamp is `Arbiter-Webhook-Timestamp` (Unix seconds) — signing it lets a receiver
/// refuse an old request replayed with its original signature.
enum WebhookSignature {
    static let idHeader = "Arbiter-Webhook-Id"
    static let timestampHeader = "Arbiter-Webhook-Timestamp"
    static let signatureHeader = "Arbiter-Webhook-Signature"

    static func sign(secret: String, timestamp: Int64, body: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: key)
        return "v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
