import Foundation
import Identity
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Where this server may be told to send requests by a tenant (issuer metadata fetches,
/// webhook deliveries). A tenant administrator must not be able to make a deployed server
/// call the network it sits in (SSRF): loopback, private and link-local addresses are
/// allowed only on a development server, one whose public URL is itself on loopback.
enum OutboundAddresses {
    /// IP literals a deployed server must not be made to call: loopback, RFC 1918,
    /// carrier-grade NAT, link-local (cloud metadata services), unspecified, and their IPv6
    /// counterparts, plus `localhost`. Host names are resolved by `privateAddress(resolving:)`.
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

    /// The first address `host` resolves to that `isPrivate` refuses, or nil when every one
    /// is public (or the name does not resolve: the request then fails on its own). Checked
    /// right before each request, so a name registered while it pointed elsewhere is caught
    /// when it points inward. The client resolves again when it connects, so a name that
    /// changes in between (DNS rebinding) is not caught; a resolver pinned to the checked
    /// address would be, and AsyncHTTPClient has no hook for one.
    static func privateAddress(resolving host: String) async -> String? {
        let host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if isPrivate(host: host) { return host }
        let isLiteral = host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
        if isLiteral || host.contains(":") { return nil }
        // getaddrinfo blocks; NIO's thread pool keeps it off the event loops.
        let addresses = (try? await NIOThreadPool.singleton.runIfActive { resolve(host) }) ?? []
        return addresses.first { isPrivate(host: $0) }
    }

    /// Every IPv4 and IPv6 address `host` resolves to, as numeric strings.
    private static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let entry = next, addresses.count < 32 {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            next = entry.pointee.ai_next
        }
        return addresses
    }

    /// Whether a server published at `publicBaseURL` is a development server.
    static func allowsPrivate(publicBaseURL: String) -> Bool {
        ConnectionRules.isLoopback(URLComponents(string: publicBaseURL)?.host ?? "")
    }
}
