import Dispatch
import HummingbirdBcrypt

/// bcrypt with a configurable cost. Hashing takes tens to hundreds of milliseconds on
/// purpose, so it runs on a global dispatch queue, never on an HTTP event loop or the
/// cooperative pool.
public struct PasswordHasher: Sendable {
    /// bcrypt reads at most 72 bytes; longer inputs would be silently truncated, so we refuse them.
    public static let maxPasswordBytes = 72
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = min(max(cost, 4), 31)
    }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Bcrypt.hash(password, cost: cost))
            }
        }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Bcrypt.verify(password, hash: hash))
            }
        }
    }
}
