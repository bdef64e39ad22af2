import Evaluator
import Foundation
import HTTPTypes
import Identity
import NIOCore
import PolicyLang

/// The request context the server fills in for every runtime check; a caller can never
/// supply (and so never forge) these keys — a body naming one is a 400.
///
/// - `context.token`: `{scopes: Set<String>, clientId: String, sessionId?: String, authTime?: Long}`
///   of the caller's access token (the session and sign-in time only for user tokens);
/// - `context.now`: the server's clock, epoch seconds;
/// - `context.ip`: the caller's address as an `ip(…)` value (the TCP peer, or the
///   right-most `X-Forwarded-For` hop when the peer is a `--trusted-proxy`); absent when
///   unknown (in-process tests);
/// - `context.device`: reserved for the device-trust issue (7): `DeviceContextProvider`
///   fills it when a device is bound to the token; absent otherwise.
struct ServerContext: Sendable {
    static let reservedKeys: Set<String> = ["token", "now", "ip", "device"]

    var values: [String: Value]

    /// `forwardedFor`: the request's `X-Forwarded-For` (its fields joined by commas), read
    /// only when the peer is a trusted proxy. A function, not fields, so the router (HTTP
    /// types) and the check fast path (NIO's HTTP/1 head) each read their own.
    init(token: VerifiedAccessToken, peer: SocketAddress?, forwardedFor: () -> String?, trustedProxies: TrustedProxies,
         device: (any DeviceContextProvider)?, now: Date = Date()) {
        var tokenRecord: [String: Value] = [
            "scopes": .set(Set(token.scopes.map(Value.string))),
            "clientId": .string(token.clientId),
        ]
        if let session = token.claims.session_id { tokenRecord["sessionId"] = .string(session) }
        if let authTime = token.claims.auth_time { tokenRecord["authTime"] = .long(authTime) }
        values = ["token": .record(tokenRecord), "now": .long(Int64(now.timeIntervalSince1970))]
        if let ip = Self.clientIP(peer: peer, forwardedFor: forwardedFor, trustedProxies: trustedProxies) { values["ip"] = .ipaddr(ip) }
        if let device = device?.deviceContext(for: token) { values["device"] = device }
    }

    /// The caller's context with the server's keys added; the caller's keys were checked
    /// against `reservedKeys` when the body was read.
    func merged(into callerContext: [String: Value]) -> [String: Value] {
        if callerContext.isEmpty { return values }
        return callerContext.merging(values) { _, server in server }
    }

    static let forwardedForHeader = HTTPField.Name("X-Forwarded-For")!

    static func clientIP(peer: SocketAddress?, forwardedFor: () -> String?, trustedProxies: TrustedProxies) -> IPAddress? {
        var text = peer?.ipAddress
        if trustedProxies.contains(peer), let forwarded = forwardedFor(),
           let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty, last.count <= 64 {
            text = last
        }
        guard var text else { return nil }
        // An IPv6 zone (fe80::1%eth0) is no part of Cedar's ip().
        if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }
        if case .success(let ip) = IPAddress.parse(text) { return ip }
        return nil
    }
}

/// The hook the device-trust issue (7) implements: the `context.device` record of a
/// device-bound token (posture, risk, …), nil when no device is bound. Set it on
/// `RuntimeAuthorizer.device`; `GET …/me` reports `device: null` until then.
protocol DeviceContextProvider: Sendable {
    func deviceContext(for token: VerifiedAccessToken) -> Value?
}
