#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An order-preserving encoding for composite keys.
///
/// LMDB compares keys as raw bytes, so a key made of several parts (tenant, kind, id, …)
/// must be encoded such that byte order equals tuple order, and such that all keys that
/// share a leading tuple share a byte prefix. No package on this machine offers that for
/// LMDB, so we use the scheme of FoundationDB's tuple layer, reduced to what we need:
///
/// - a string is `0x02`, its UTF-8 bytes with every `0x00` written as `0x00 0xFF`, then `0x00`;
/// - bytes are `0x01`, escaped and terminated the same way;
/// - an unsigned integer is `0x15` followed by 8 big-endian bytes (fixed width keeps order).
///
/// The terminator `0x00` sorts below every tag and below the escape `0xFF`, so `"ab" < "abc"`
/// and a tuple sorts before every longer tuple that extends it.
public struct Key: Hashable, Comparable, Sendable, CustomStringConvertible {
    public private(set) var bytes: [UInt8]

    static let bytesTag: UInt8 = 0x01
    static let stringTag: UInt8 = 0x02
    static let uintTag: UInt8 = 0x15

    public init() { bytes = [] }

    public init(_ components: KeyComponent...) {
        self.init(components)
    }

    public init(_ components: [KeyComponent]) {
        bytes = []
        bytes.reserveCapacity(components.count * 16)
        for component in components { append(component) }
    }

    /// Wraps bytes read back from a table. The bytes are not validated until `components()`.
    public init(encoded: [UInt8]) { bytes = encoded }

    public init(encoded: UnsafeRawBufferPointer) { bytes = Array(encoded) }

    public mutating func append(_ component: KeyComponent) {
        switch component {
        case .string(let s):
            bytes.append(Self.stringTag)
            appendEscaped(s.utf8)
        case .bytes(let b):
            bytes.append(Self.bytesTag)
            appendEscaped(b)
        case .uint(let n):
            bytes.append(Self.uintTag)
            withUnsafeBytes(of: n.bigEndian) { bytes.append(contentsOf: $0) }
        }
    }

    public func appending(_ components: KeyComponent...) -> Key {
        var copy = self
        for component in components { copy.append(component) }
        return copy
    }

    private mutating func appendEscaped<S: Sequence>(_ source: S) where S.Element == UInt8 {
        for byte in source {
            bytes.append(byte)
            if byte == 0x00 { bytes.append(0xFF) }
        }
        bytes.append(0x00)
    }

    /// True when `self` begins with every component of `prefix`.
    public func hasPrefix(_ prefix: Key) -> Bool {
        bytes.starts(with: prefix.bytes)
    }

    /// Decodes the components back. Throws on bytes that this encoding never produces.
    public func components() throws -> [KeyComponent] {
        var result: [KeyComponent] = []
        var index = 0
        func readEscaped() throws -> [UInt8] {
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == 0x00 {
                    if index < bytes.count && bytes[index] == 0xFF {
                        out.append(0x00)
                        index += 1
                    } else {
                        return out
                    }
                } else {
                    out.append(byte)
                }
            }
            throw KeyDecodingError.truncated
        }
        while index < bytes.count {
            let tag = bytes[index]
            index += 1
            switch tag {
            case Self.stringTag:
                result.append(.string(String(decoding: try readEscaped(), as: UTF8.self)))
            case Self.bytesTag:
                result.append(.bytes(try readEscaped()))
            case Self.uintTag:
                guard index + 8 <= bytes.count else { throw KeyDecodingError.truncated }
                var n: UInt64 = 0
                for i in 0..<8 { n = n << 8 | UInt64(bytes[index + i]) }
                index += 8
                result.append(.uint(n))
            default:
                throw KeyDecodingError.unknownTag(tag)
            }
        }
        return result
    }

    /// The smallest key greater than every key that has `self` as a prefix, used as the
    /// exclusive upper bound of a prefix scan. `nil` when no such key exists (all 0xFF).
    public func prefixUpperBound() -> Key? {
        var upper = bytes
        while let last = upper.last {
            if last == 0xFF {
                upper.removeLast()
            } else {
                upper[upper.count - 1] = last + 1
                return Key(encoded: upper)
            }
        }
        return nil
    }

    public static func < (lhs: Key, rhs: Key) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    public var description: String {
        guard let parts = try? components() else { return "Key(\(bytes))" }
        return "(" + parts.map(\.description).joined(separator: ", ") + ")"
    }
}

public enum KeyComponent: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case uint(UInt64)
    case bytes([UInt8])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: UInt64) { self = .uint(value) }

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .uint(let n): return String(n)
        case .bytes(let b): return "0x" + b.map { String($0, radix: 16) }.joined()
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var uintValue: UInt64? {
        if case .uint(let n) = self { return n }
        return nil
    }
}

public enum KeyDecodingError: Error, Equatable {
    case truncated
    case unknownTag(UInt8)
}

/// A reusable byte buffer for building tuple-encoded keys without allocating: the same
/// encoding as `Key` (string parts only), written into memory owned by the buffer and
/// reused lookup after lookup. Grows (allocates) only when a key is longer than any
/// before it. A struct holding raw pointers, so that writing a key costs no exclusivity
/// checks; keep it in one place (e.g. behind an `UnsafeMutablePointer`) and call
/// `deallocate()` once. Not thread-safe.
public struct KeyBuffer {
    @usableFromInline var storage: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0

    public init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        storage = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 8)
    }

    public func deallocate() { storage.deallocate() }

    /// Forgets everything after the first `length` bytes (to keep a prefix such as the tenant).
    @inline(__always)
    public mutating func truncate(to length: Int) {
        precondition(length <= count)
        count = length
    }

    public mutating func removeAll() { count = 0 }

    /// Appends a string component: `0x02`, its UTF-8 bytes with `0x00` escaped, `0x00`.
    @inline(__always)
    public mutating func appendString(_ string: String) {
        var string = string
        if let done = string.utf8.withContiguousStorageIfAvailable({ utf8 in append(escaped: UnsafeRawBufferPointer(utf8)) }) {
            return done
        }
        string.makeContiguousUTF8()
        string.utf8.withContiguousStorageIfAvailable { append(escaped: UnsafeRawBufferPointer($0)) }
    }

    /// Appends a string component from raw UTF-8 bytes.
    public mutating func append(escaped bytes: UnsafeRawBufferPointer) {
        // Worst case every byte is 0x00 and doubles, plus tag and terminator.
        if count + bytes.count * 2 + 2 > capacity { reserve(count + bytes.count * 2 + 2) }
        var out = storage.advanced(by: count)
        out.storeBytes(of: Key.stringTag, as: UInt8.self)
        out += 1
        if let base = bytes.baseAddress, bytes.count > 0, memchr(base, 0, bytes.count) == nil {
            out.copyMemory(from: base, byteCount: bytes.count)
            out += bytes.count
        } else {
            for byte in bytes {
                out.storeBytes(of: byte, as: UInt8.self)
                out += 1
                if byte == 0x00 {
                    out.storeBytes(of: 0xFF, as: UInt8.self)
                    out += 1
                }
            }
        }
        out.storeBytes(of: 0x00, as: UInt8.self)
        out += 1
        count = storage.distance(to: out)
    }

    /// Appends bytes that are already encoded (a `Key`'s `bytes`).
    public mutating func append(encoded bytes: [UInt8]) {
        bytes.withUnsafeBytes { append(encoded: $0) }
    }

    /// Appends bytes that are already encoded, from memory (an edge value in the map).
    public mutating func append(encoded bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if count + bytes.count > capacity { reserve(count + bytes.count) }
        storage.advanced(by: count).copyMemory(from: base, byteCount: bytes.count)
        count += bytes.count
    }

    /// The key written so far; valid until the buffer is next changed.
    @inlinable
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

    private mutating func reserve(_ needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        grown.copyMemory(from: storage, byteCount: count)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }
}

extension Key {
    /// Decodes one string component at `offset` of encoded key bytes without building a
    /// `Key` or an array: returns the string and the offset after its terminator, or nil
    /// when the bytes there are not a string component. Strings of up to 15 UTF-8 bytes
    /// are stored inline by Swift, so decoding them allocates nothing.
    public static func decodeString(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (String, next: Int)? {
        guard let (end, escaped) = stringEnd(bytes, at: offset) else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[(offset + 1)..<end])
        if !escaped { return (String(decoding: raw, as: UTF8.self), end + 1) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(raw.count)
        var j = 0
        while j < raw.count {
            unescaped.append(raw[j])
            j += raw[j] == 0x00 ? 2 : 1
        }
        return (String(decoding: unescaped, as: UTF8.self), end + 1)
    }

    /// Where the string component at `offset` ends: the position of its terminating 0x00
    /// (the component's bytes follow its tag up to there; the next component starts one
    /// after it) and whether it holds escaped 0x00 bytes. Nil when the bytes there are
    /// not a string component. For callers that compare components as bytes without
    /// decoding them.
    @inline(__always)
    public static func stringEnd(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (terminator: Int, escaped: Bool)? {
        guard offset < bytes.count, bytes[offset] == stringTag else { return nil }
        var i = offset + 1
        var escaped = false
        while i < bytes.count {
            if bytes[i] == 0x00 {
                if i + 1 < bytes.count, bytes[i + 1] == 0xFF {
                    escaped = true
                    i += 2
                    continue
                }
                return (i, escaped)
            }
            i += 1
        }
        return nil
    }
}
