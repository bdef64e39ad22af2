import Foundation
import Identity

/// Where this server may be told to send requests by a tenant (issuer metadata fetches,
/// webhook deliveries). A tenant administrator must not be able to make a deployed server
/// call the network it sits in (SSRF): loopback, private and link-local addresses are
/// allowed only on a development server, one whose public URL is itself on loopback.
enum OutboundAddresses {
    /// IP literals a deployed server must not be made to call: loopback, RFC 1918,
    /// carrier-grade NAT, link-local (cloud metadata services), unspecified, and their IPv6
    /// counterparts, plus `localhost`. Host names are not resolved here (see README).
    static func isPrivate(host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        if parts.count == 4 {
            switch (parts[0], parts[1]) {
            case (127, _), (10, _), (0, _), (169, 254), (192, 168): return true
            case (172, let second) where (16...31).contains(second): return true
            case (100, let second) where (64...127).contains(second): return true
            default: return false
            }
        }
        if host.contains(":") {
            return host == "::1" || host == "::" || host.hasPrefix("fe80:") || host.hasPrefix("fc") || host.hasPrefix("fd")
                || host.hasPrefix("::ffff:")
        }
        return false
    }

    /// Whether a server published at `publicBaseURL` is a development server.
    static func allowsPrivate(publicBaseURL: String) -> Bool {
        ConnectionRules.isLoopback(URLComponents(string: publicBaseURL)?.host ?? "")
    }
}
