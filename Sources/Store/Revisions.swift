/// Per-tenant revision counters (DESIGN §3.4): every write that changes a tenant's data
/// bumps its counter in the same transaction, so "at least revision R" can be answered.
extension TransactionReading {
    /// The tenant's current revision; 0 before its first write.
    public func revision(tenant: String) throws -> UInt64 {
        try withValue(environment.revisions, Key(.string(tenant))) { Revisions.decode($0) } ?? 0
    }
}

extension WriteTransaction {
    /// Increments the tenant's revision and returns the new value.
    @discardableResult
    public func bumpRevision(tenant: String) throws -> UInt64 {
        let next = try revision(tenant: tenant) + 1
        try put(environment.revisions, Key(.string(tenant)), Revisions.encode(next))
        return next
    }
}

enum Revisions {
    static func encode(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard bytes.count == 8 else { return 0 }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// A "read at least this revision" request that this store cannot satisfy: the caller
/// names a revision the tenant has not reached (a future or foreign token). The HTTP
/// layer answers 409.
public struct RevisionNotReached: Error, Equatable, Sendable {
    public var requested: UInt64
    public var current: UInt64

    public init(requested: UInt64, current: UInt64) {
        self.requested = requested
        self.current = current
    }
}

/// Revisions travel as opaque strings so callers treat them as tokens (like Zanzibar's
/// zookies), not as numbers to do arithmetic on.
public enum RevisionToken {
    public static func encode(_ revision: UInt64) -> String { String(revision) }

    public static func decode(_ token: String) -> UInt64? {
        guard !token.isEmpty, token.utf8.count <= 20, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(token)
    }
}
