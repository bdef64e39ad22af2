import CLMDB

extension TransactionReading {
    /// Visits entries in descending key order: from the greatest key strictly below `below`
    /// (or the table's last key) down to `downTo` (inclusive), or until `body` returns
    /// false. For newest-first listings of time-ordered keys (audit events); buffers are
    /// valid only during the call.
    public func scanBackward(
        _ table: Table,
        below: Key?,
        downTo: Key,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, table.dbi, &cursor))
        defer { mdb_cursor_close(cursor) }
        var k = MDB_val()
        var v = MDB_val()
        var rc: Int32
        if let below, !below.bytes.isEmpty {
            rc = below.bytes.withUnsafeBytes { start in
                k = MDB_val(mv_size: start.count, mv_data: UnsafeMutableRawPointer(mutating: start.baseAddress))
                return mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
            }
            // Positioned at the first key ≥ `below` (or past the end): step to the one before.
            rc = rc == MDB_NOTFOUND ? mdb_cursor_get(cursor, &k, &v, MDB_LAST) : mdb_cursor_get(cursor, &k, &v, MDB_PREV)
        } else {
            rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST)
        }
        while rc == MDB_SUCCESS {
            let keyBuffer = UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size)
            if keyBuffer.lexicographicallyPrecedes(downTo.bytes) { return }
            if try !body(keyBuffer, UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)) { return }
            rc = mdb_cursor_get(cursor, &k, &v, MDB_PREV)
        }
        if rc != MDB_NOTFOUND { try LMDBError.check(rc) }
    }
}
