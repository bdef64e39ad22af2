import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reverse proxies whose forwarded client-certificate header is believed
/// (`--trusted-proxy`, IPv4/IPv6 addresses or CIDR blocks). A header from any other TCP
/// peer is ignored: anyone could otherwise claim any certificate.
public struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        var address: [UInt8]
        var prefixLength: Int

        func contains(_ candidate: [UInt8]) -> Bool {
            guard candidate.count == address.count else { return false }
            var remaining = prefixLength
            for (a, b) in zip(address, candidate) where remaining > 0 {
                let bits = min(8, remaining)
                let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if a & mask != b & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    let networks: [Network]

    public var isEmpty: Bool { networks.isEmpty }

    /// Parses each entry; throws on the first that is not an address or CIDR block.
    public init(_ entries: [String]) throws(ConfigurationError) {
        var networks: [Network] = []
        for entry in entries {
            guard let network = Self.parse(entry) else {
                throw ConfigurationError("'\(entry)' is not an IP address or CIDR block (such as 10.0.0.5, 10.0.0.0/8 or fd00::/8)")
            }
            networks.append(network)
        }
        self.networks = networks
    }

    static func parse(_ entry: String) -> Network? {
        let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = bytes(String(parts[0])) else { return nil }
        let maximum = address.count * 8
        if parts.count == 1 { return Network(address: address, prefixLength: maximum) }
        guard parts[1].allSatisfy(\.isASCII), let length = Int(parts[1]), (0...maximum).contains(length) else { return nil }
        return Network(address: address, prefixLength: length)
    }

    /// The address's bytes: 4 for IPv4 (also an IPv4-mapped IPv6 address), 16 for IPv6.
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return Array(bytes[12...])
        }
        return bytes
    }

    /// True when the TCP peer is one of the trusted proxies.
    public func contains(_ peer: SocketAddress?) -> Bool {
        guard !networks.isEmpty, let text = peer?.ipAddress, let candidate = Self.bytes(text) else { return false }
        return networks.contains { $0.contains(candidate) }
    }
}
