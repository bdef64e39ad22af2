import Foundation

/// When a failed delivery is tried again: exponential backoff with full jitter (a uniform
/// delay between 0 and base·2^(n−1), capped), so receivers coming back from an outage are
/// not hit by every sender at once; after `maxAge` since the event the delivery is failed.
struct WebhookRetryPolicy: Sendable {
    var baseDelay: Duration = .seconds(10)
    var maxDelay: Duration = .seconds(3600)
    var maxAge: Duration = .seconds(24 * 3600)

    /// The ceiling of the delay after the `attempts`-th failed attempt (1-based).
    func ceiling(afterAttempts attempts: Int) -> Double {
        let base = Self.seconds(baseDelay)
        let exponent = Double(min(max(attempts - 1, 0), 40))
        return min(Self.seconds(maxDelay), base * pow(2, exponent))
    }

    /// The next attempt's time, or nil when it would fall past `maxAge` (give up).
    func nextAttempt(afterAttempts attempts: Int, createdAt: Date, now: Date, random: Double = Double.random(in: 0...1)) -> Date? {
        let next = now.addingTimeInterval(ceiling(afterAttempts: attempts) * random)
        return next.timeIntervalSince(createdAt) > Self.seconds(maxAge) ? nil : next
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
