import Foundation
import Identity
import NIOCore
import Synchronization

/// The server-filled `context` (`ServerContext`: `token`, `now`, `ip`) of the last check
/// answered on a connection, reused while it cannot differ: the same bearer token, the
/// same second (`now` has one-second resolution) and a peer whose address is the
/// caller's (not a trusted proxy, whose `X-Forwarded-For` names the caller per request),
/// and a token not bound to a device (a bound device's `context.device` is read live;
/// for any other token a `DeviceContextProvider` answers nil without reading anything,
/// and the fast path declines bound tokens anyway). Clients send check
/// after check with one token on a keep-alive connection; building the token record (a
/// set of scopes), reading the clock's date and parsing the peer's address per request
/// showed in profiles (≈4.7% of the fast path's CPU).
///
/// One per connection handler, used on its event loop only: no lock.
struct ServerContextCache {
    private var token = ""
    private var second: Int64 = .min
    private var context: ServerContext?
    /// Contexts built (not reused) by this cache, for tests.
    private(set) var built = 0
    /// Contexts reused, in this process (tests see the live server's caches with it).
    static let reused = Atomic<Int>(0)

    mutating func context(
        token text: String, verified: VerifiedAccessToken, peer: SocketAddress?, forwardedFor: () -> String?,
        trustedProxies: TrustedProxies, device: (any DeviceContextProvider)?, now: Date = Date()
    ) -> ServerContext {
        let second = Int64(now.timeIntervalSince1970)
        if let context, second == self.second, text == token {
            Self.reused.add(1, ordering: .relaxed)
            return context
        }
        let made = ServerContext(token: verified, peer: peer, forwardedFor: forwardedFor, trustedProxies: trustedProxies, device: device, now: now)
        built += 1
        if device == nil || !verified.claims.isDeviceBound, !trustedProxies.contains(peer) {
            (token, self.second, context) = (text, second, made)
        } else {
            context = nil
        }
        return made
    }
}
