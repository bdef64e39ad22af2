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
