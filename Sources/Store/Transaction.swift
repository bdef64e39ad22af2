import CLMDB

/// Reads shared by read-only and read-write transactions.
///
/// Values are handed out as `UnsafeRawBufferPointer`s into LMDB's memory map: valid only
/// inside the transaction's closure and never to be kept beyond it (DESIGN §8, "nothing
/// cached outside a transaction's lifetime").
public protocol TransactionReading {
    var handle: OpaquePointer { get }
    var environment: Environment { get }
}

public struct ReadTransaction: TransactionReading {
    public let handle: OpaquePointer
    public let environment: Environment
}

extension ReadTransaction {
    /// The id of the snapshot this transaction reads (the last write committed before it).
    public var snapshotID: Int { Int(mdb_txn_id(handle)) }
}

public struct WriteTransaction: TransactionReading {
    public let handle: OpaquePointer
    public let environment: Environment
}

extension TransactionReading {
    /// Zero-copy read: calls `body` with the value's bytes in the map, or returns nil.
    @inlinable
    public func withValue<T>(_ table: Table, _ key: Key, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
        try key.bytes.withUnsafeBytes { keyBytes in try withValue(table, rawKey: keyBytes, body) }
    }

    /// `withValue` for a key already encoded elsewhere (a `KeyBuffer` kept between reads,
    /// where a `Key` would allocate its bytes per read).
    @inlinable
    public func withValue<T>(_ table: Table, rawKey: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
        var k = MDB_val(mv_size: rawKey.count, mv_data: UnsafeMutableRawPointer(mutating: rawKey.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(handle, table.dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc)
        return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    public func get(_ table: Table, _ key: Key) throws -> [UInt8]? {
        try withValue(table, key) { Array($0) }
    }

    public func contains(_ table: Table, _ key: Key) throws -> Bool {
        try withValue(table, key) { _ in true } ?? false
    }

    /// Visits entries in key order, starting at `from` (inclusive) or the first key, and
    /// stopping before `to` (exclusive) or at the end, or when `body` returns false.
    /// Key and value buffers point into the map and are valid only during the call.
    public func scan(
        _ table: Table,
        from: Key? = nil,
        to: Key? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, table.dbi, &cursor))
        defer { mdb_cursor_close(cursor) }
        var k = MDB_val()
        var v = MDB_val()
        var rc: Int32
        // LMDB refuses an empty key, and an empty lower bound means "from the start" anyway.
        if let from, !from.bytes.isEmpty {
            rc = from.bytes.withUnsafeBytes { start in
                k = MDB_val(mv_size: start.count, mv_data: UnsafeMutableRawPointer(mutating: start.baseAddress))
                return mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
            }
        } else {
            rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST)
        }
        while rc == MDB_SUCCESS {
            let keyBuffer = UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size)
            if let to, !keyBuffer.lexicographicallyPrecedes(to.bytes) { return }
            if try !body(keyBuffer, UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)) { return }
            rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
        }
        if rc != MDB_NOTFOUND { try LMDBError.check(rc) }
    }

    /// Visits every entry whose key starts with `prefix`, in key order.
    public func scan(
        _ table: Table,
        prefix: Key,
        after: Key? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var start = prefix
        if let after {
            // The smallest key strictly greater than `after`: append a zero byte.
            start = Key(encoded: after.bytes + [0x00])
        }
        try scan(table, from: start, to: prefix.prefixUpperBound(), body)
    }

    /// Copies out up to `limit` entries under `prefix` (for listings, not hot paths).
    public func entries(_ table: Table, prefix: Key, after: Key? = nil, limit: Int = .max) throws -> [(key: Key, value: [UInt8])] {
        var result: [(key: Key, value: [UInt8])] = []
        guard limit > 0 else { return result }
        try scan(table, prefix: prefix, after: after) { key, value in
            result.append((Key(encoded: key), Array(value)))
            return result.count < limit
        }
        return result
    }

    public func count(_ table: Table) throws -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(handle, table.dbi, &stat))
        return stat.ms_entries
    }
}

extension WriteTransaction {
    /// Writes `value` under `key`. With `overwrite: false` an existing key is left alone
    /// and the call returns false, which is how uniqueness (slugs, names) is claimed.
    @discardableResult
    public func put(_ table: Table, _ key: Key, _ value: some Collection<UInt8>, overwrite: Bool = true) throws -> Bool {
        let flags: UInt32 = overwrite ? 0 : UInt32(table.allowsDuplicates ? MDB_NODUPDATA : MDB_NOOVERWRITE)
        let bytes = Array(value)
        let rc = key.bytes.withUnsafeBytes { keyBytes in
            bytes.withUnsafeBytes { valueBytes in
                var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var v = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                return mdb_put(handle, table.dbi, &k, &v, flags)
            }
        }
        if rc == MDB_KEYEXIST { return false }
        try LMDBError.check(rc)
        return true
    }

    /// Deletes `key` (every value of it in a duplicate-key table). Returns false when absent.
    @discardableResult
    public func delete(_ table: Table, _ key: Key) throws -> Bool {
        let rc = key.bytes.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_del(handle, table.dbi, &k, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        try LMDBError.check(rc)
        return true
    }
}

extension TransactionReading {
    /// Visits every value stored under `key` in a duplicate-key table, in value order,
    /// until `body` returns false. Buffers point into the map.
    public func forEachDuplicate(
        _ table: Table, _ key: Key, _ body: (_ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, table.dbi, &cursor))
        defer { mdb_cursor_close(cursor) }
        var v = MDB_val()
        var rc: Int32 = try key.bytes.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_cursor_get(cursor, &k, &v, MDB_SET_KEY)
        }
        var k = MDB_val()
        while rc == MDB_SUCCESS {
            if try !body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)) { return }
            rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT_DUP)
        }
        if rc != MDB_NOTFOUND { try LMDBError.check(rc) }
    }
}

extension WriteTransaction {
    /// Removes one value of a duplicate-key table. Returns false when it was not there.
    @discardableResult
    public func delete(_ table: Table, _ key: Key, value: some Collection<UInt8>) throws -> Bool {
        let bytes = Array(value)
        let rc = key.bytes.withUnsafeBytes { keyBytes in
            bytes.withUnsafeBytes { valueBytes in
                var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var v = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                return mdb_del(handle, table.dbi, &k, &v)
            }
        }
        if rc == MDB_NOTFOUND { return false }
        try LMDBError.check(rc)
        return true
    }
}
