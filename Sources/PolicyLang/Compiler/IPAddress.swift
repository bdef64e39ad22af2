/// Cedar's `ipaddr` extension value: an IPv4 or IPv6 address with a CIDR prefix length.
///
/// It lives in PolicyLang (not Evaluator) because the compiler folds `ip("…")` calls on
/// literal strings into constants, and the VM uses the same type at run time.
/// Parsing follows Cedar's rules exactly (`cedar-policy-core/src/extensions/ipaddr.rs`):
/// Rust's standard address syntax, no IPv4 embedded in IPv6 text, a prefix of plain
/// decimal digits without leading zeros, at most 43 bytes in all. Equality compares the
/// address as written and the prefix, so `10.0.0.1/24` ≠ `10.0.0.0/24`, as in Cedar.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public var isIPv4: Bool
    /// The address bits; an IPv4 address occupies the low 32 bits.
    public var address: UInt128
    public var prefixLength: UInt8

    public init(isIPv4: Bool, address: UInt128, prefixLength: UInt8) {
        self.isIPv4 = isIPv4
        self.address = address
        self.prefixLength = prefixLength
    }

    public var isIPv6: Bool { !isIPv4 }

    private var width: UInt8 { isIPv4 ? 32 : 128 }

    public var isLoopback: Bool {
        if isIPv4 { return (address >> 24) & 0xFF == 127 && prefixLength >= 8 }
        return address == 1 && prefixLength >= 128
    }

    public var isMulticast: Bool {
        if isIPv4 { return (address >> 28) & 0xF == 0xE && prefixLength >= 4 }
        return address >> 120 == 0xFF && prefixLength >= 8
    }

    /// Whether every address of `self` lies inside the range `other` (same family only).
    public func isInRange(_ other: IPAddress) -> Bool {
        guard isIPv4 == other.isIPv4 else { return false }
        let all: UInt128 = isIPv4 ? 0xFFFF_FFFF : .max
        func netmask(_ prefix: UInt8) -> UInt128 {
            prefix == 0 ? 0 : (all << UInt128(width - prefix)) & all
        }
        func hostmask(_ prefix: UInt8) -> UInt128 { all & ~netmask(prefix) }
        let selfNetwork = address & netmask(prefixLength)
        let otherNetwork = other.address & netmask(other.prefixLength)
        let selfBroadcast = address | hostmask(prefixLength)
        let otherBroadcast = other.address | hostmask(other.prefixLength)
        return otherNetwork <= selfNetwork && selfBroadcast <= otherBroadcast
    }

    public var description: String {
        if isIPv4 {
            let octets = (0..<4).map { String((address >> UInt128(24 - 8 * $0)) & 0xFF) }
            return octets.joined(separator: ".") + "/\(prefixLength)"
        }
        let groups = (0..<8).map { String((address >> UInt128(112 - 16 * $0)) & 0xFFFF, radix: 16) }
        return groups.joined(separator: ":") + "/\(prefixLength)"
    }

    /// Parses `text` as Cedar's `ip()` does; the error is the message Cedar would raise.
    public static func parse(_ text: String) -> Result<IPAddress, ExtensionError> {
        let bytes = Array(text.utf8)
        guard bytes.count <= 43 else {
            return .failure(ExtensionError("error parsing IP address from string `\(text)`: string length is too large"))
        }
        let colons = bytes.lazy.filter { $0 == UInt8(ascii: ":") }.count
        let dots = bytes.lazy.filter { $0 == UInt8(ascii: ".") }.count
        if colons >= 2 && dots >= 2 {
            return .failure(ExtensionError(
                "error parsing IP address from string: IPv4 embedded in IPv6 is not accepted. Found: `\(text)`"))
        }
        let addressBytes: ArraySlice<UInt8>
        var prefixBytes: ArraySlice<UInt8>? = nil
        if let slash = bytes.firstIndex(of: UInt8(ascii: "/")) {
            addressBytes = bytes[..<slash]
            prefixBytes = bytes[(slash + 1)...]
        } else {
            addressBytes = bytes[...]
        }
        let isV4: Bool
        let address: UInt128
        if let v4 = parseIPv4(addressBytes) {
            isV4 = true
            address = UInt128(v4)
        } else if let v6 = parseIPv6(addressBytes) {
            isV4 = false
            address = v6
        } else {
            return .failure(ExtensionError("invalid IP address: \(text)"))
        }
        let maximum: UInt8 = isV4 ? 32 : 128
        guard let prefixBytes else {
            return .success(IPAddress(isIPv4: isV4, address: address, prefixLength: maximum))
        }
        let maxDigits = isV4 ? 2 : 3
        guard !prefixBytes.isEmpty, prefixBytes.count <= maxDigits,
              prefixBytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              prefixBytes.first != UInt8(ascii: "0") || prefixBytes.count == 1
        else {
            return .failure(ExtensionError("error parsing prefix in `\(text)`"))
        }
        let prefix = prefixBytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard prefix <= Int(maximum) else {
            return .failure(ExtensionError("error parsing prefix: \(prefix) is larger than the limit \(maximum)"))
        }
        return .success(IPAddress(isIPv4: isV4, address: address, prefixLength: UInt8(prefix)))
    }

    /// Dotted quad: four decimal octets, no leading zeros, each at most 255.
    private static func parseIPv4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count),
                  part.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  part.first != UInt8(ascii: "0") || part.count == 1
            else { return nil }
            let octet = part.reduce(0) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            result = result << 8 | octet
        }
        return result
    }

    /// Colon-hex groups of 1–4 digits with at most one `::`, which stands for at least
    /// one zero group (the grammar of Rust's `Ipv6Addr::from_str`, minus embedded IPv4,
    /// which Cedar rejects before getting here).
    private static func parseIPv6(_ bytes: ArraySlice<UInt8>) -> UInt128? {
        var position = bytes.startIndex
        func hexValue(_ byte: UInt8) -> UInt16? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt16(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt16(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt16(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        /// Reads up to `limit` groups separated by single colons, backing off a colon
        /// that is not followed by a group.
        func readGroups(limit: Int) -> [UInt16] {
            var groups: [UInt16] = []
            while groups.count < limit {
                var cursor = position
                if !groups.isEmpty {
                    guard cursor < bytes.endIndex, bytes[cursor] == UInt8(ascii: ":") else { break }
                    cursor += 1
                }
                var value: UInt16 = 0
                var digits = 0
                while digits < 4, cursor < bytes.endIndex, let digit = hexValue(bytes[cursor]) {
                    value = value << 4 | digit
                    digits += 1
                    cursor += 1
                }
                guard digits > 0 else { break }
                groups.append(value)
                position = cursor
            }
            return groups
        }
        let head = readGroups(limit: 8)
        var groups = head
        if head.count < 8 {
            guard position + 1 < bytes.endIndex,
                  bytes[position] == UInt8(ascii: ":"), bytes[position + 1] == UInt8(ascii: ":")
            else { return nil }
            position += 2
            let tail = readGroups(limit: 8 - head.count - 1)
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard position == bytes.endIndex else { return nil }
        return groups.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }
}

/// A failure of an extension constructor (`ip`, `decimal`): an evaluation error in Cedar.
public struct ExtensionError: Error, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
