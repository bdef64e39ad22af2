import Evaluator
import Foundation
import Identity
import NIOCore
import Testing
@testable import Server

/// The check fast path reuses a connection's server-filled `context` only while it cannot
/// differ from a freshly built one: same token, same second, a peer that is the caller.
@Suite struct ServerContextCacheTests {
    @Test func aContextIsReusedOnlyWhileItCannotDiffer() async throws {
        let f = try await RuntimeFixture()
        let admin = try await f.m.adminToken()
        let checker = try await f.checkerToken()
        let verifiedAdmin = try await f.services.tokenVerifier.verify(admin)
        let verifiedChecker = try await f.services.tokenVerifier.verify(checker)
        let peer = try SocketAddress(ipAddress: "10.1.2.3", port: 4000)
        let none = try TrustedProxies([])
        let at = { (seconds: Double) in Date(timeIntervalSince1970: seconds) }
        func fresh(_ verified: VerifiedAccessToken, _ now: Date, proxies: TrustedProxies = none, forwardedFor: String? = nil) -> [String: Value] {
            ServerContext(token: verified, peer: peer, forwardedFor: { forwardedFor }, trustedProxies: proxies, device: nil, now: now).values
        }

        var cache = ServerContextCache()
        #expect(cache.context(token: admin, verified: verifiedAdmin, peer: peer, forwardedFor: { nil }, trustedProxies: none, device: nil, now: at(1000.1)).values
            == fresh(verifiedAdmin, at(1000.1)))
        // Same token, same second: reused, and equal to what would be built.
        #expect(cache.context(token: admin, verified: verifiedAdmin, peer: peer, forwardedFor: { nil }, trustedProxies: none, device: nil, now: at(1000.9)).values
            == fresh(verifiedAdmin, at(1000.9)))
        #expect(cache.built == 1)
        // The next second: `now` moves.
        let next = cache.context(token: admin, verified: verifiedAdmin, peer: peer, forwardedFor: { nil }, trustedProxies: none, device: nil, now: at(1001.0))
        #expect(next.values["now"] == .long(1001) && cache.built == 2)
        // Another token: its own `context.token`.
        let other = cache.context(token: checker, verified: verifiedChecker, peer: peer, forwardedFor: { nil }, trustedProxies: none, device: nil, now: at(1001.5))
        #expect(other.values == fresh(verifiedChecker, at(1001.5)) && other.values != next.values && cache.built == 3)
        #expect(cache.context(token: admin, verified: verifiedAdmin, peer: peer, forwardedFor: { nil }, trustedProxies: none, device: nil, now: at(1001.6)).values
            == fresh(verifiedAdmin, at(1001.6)))
        #expect(cache.built == 4)

        // The server always has a device provider (issue 7); for a token not bound to a
        // device it answers nil, so the context is reused all the same.
        var withDevices = ServerContextCache()
        let devices = DeviceContext(binding: f.services.deviceBinding)
        for now in [at(2000.1), at(2000.7)] {
            let context = withDevices.context(token: admin, verified: verifiedAdmin, peer: peer, forwardedFor: { nil }, trustedProxies: none, device: devices, now: now)
            #expect(context.values == fresh(verifiedAdmin, now) && context.values["device"] == nil)
        }
        #expect(withDevices.built == 1)

        // A trusted proxy's X-Forwarded-For names the caller per request: never reused.
        let proxies = try TrustedProxies(["10.0.0.0/8"])
        var proxied = ServerContextCache()
        for hop in ["192.0.2.1", "192.0.2.2"] {
            let context = proxied.context(token: admin, verified: verifiedAdmin, peer: peer, forwardedFor: { hop }, trustedProxies: proxies, device: nil, now: at(1000))
            #expect(context.values == fresh(verifiedAdmin, at(1000), proxies: proxies, forwardedFor: hop))
            #expect(context.values["ip"]?.description.contains(hop) == true, "\(String(describing: context.values["ip"]))")
        }
        #expect(proxied.built == 2)
    }
}
