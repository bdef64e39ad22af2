import CLMDB

/// A read-only transaction kept for many short reads: `renew()` starts a fresh snapshot,
/// `reset()` ends it, and neither allocates (LMDB's `mdb_txn_reset`/`mdb_txn_renew`).
/// A server thread or a benchmark keeps one and renews it per request or per batch, where
/// `Environment.read` begins (and mallocs) a new transaction each time. Cursors opened
/// with `cursor(_:)` are opened once too, and renewed on their first use after a renew.
///
/// While renewed it counts as an active reader, so a map resize waits for `reset()`:
/// keep it renewed only for the length of one request or batch. Not thread-safe; one per
/// thread (the environment is `MDB_NOTLS`, so a reset transaction may move threads).
public final class ReusableReadTransaction {
    public let environment: Environment
    fileprivate let handle: OpaquePointer
    private var cursors: [ReadCursor] = []
    public private(set) var isActive = false
    /// Counts `renew()`s: a cursor renewed at an older count is renewed on its next use.
    fileprivate private(set) var generation = 0

    /// Begins the transaction (active, as after `renew()`).
    public init(environment: Environment) throws {
        self.environment = environment
        environment.enterReader()
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(environment.env, nil, UInt32(MDB_RDONLY), &txn)
        if rc == MDB_MAP_RESIZED {
            environment.leaveReader()
            try environment.adoptGrownMap()
            environment.enterReader()
            rc = mdb_txn_begin(environment.env, nil, UInt32(MDB_RDONLY), &txn)
        }
        guard rc == MDB_SUCCESS, let txn else {
            environment.leaveReader()
            throw LMDBError(code: rc)
        }
        handle = txn
        isActive = true
    }

    deinit {
        for cursor in cursors { mdb_cursor_close(cursor.handle) }
        mdb_txn_abort(handle)
        if isActive { environment.leaveReader() }
    }

    /// The transaction for reads; valid until the next `reset()`.
    public var transaction: ReadTransaction { ReadTransaction(handle: handle, environment: environment) }

    /// Ends the snapshot; its pages may be reused by writers. Idempotent.
    public func reset() {
        guard isActive else { return }
        mdb_txn_reset(handle)
        isActive = false
        environment.leaveReader()
    }

    /// Starts a new snapshot at the latest committed revision. Idempotent while active.
    public func renew() throws {
        guard !isActive else { return }
        environment.enterReader()
        var rc = mdb_txn_renew(handle)
        if rc == MDB_MAP_RESIZED {
            // Another process grew the map; adopt it (no transaction of ours may be active).
            environment.leaveReader()
            try environment.adoptGrownMap()
            environment.enterReader()
            rc = mdb_txn_renew(handle)
        }
        guard rc == MDB_SUCCESS else {
            environment.leaveReader()
            throw LMDBError(code: rc)
        }
        // Cursors are renewed when next used (`ReadCursor.renewIfStale`), not here: renewing
        // one looks its table up in the main database (LMDB marks every named table stale
        // in a new snapshot), and a request answered from the reader's caches uses none.
        generation &+= 1
        isActive = true
    }

    /// The id of the snapshot (LMDB's transaction id: the last committed write it shows).
    /// Two snapshots with the same id see the same data, so a reader can keep facts it
    /// read from one snapshot for the next while the id stays the same. Call while active.
    public var snapshotID: Int { Int(mdb_txn_id(handle)) }

    /// A cursor on `table`, opened once and valid across resets (renewed on its first
    /// use in each snapshot). Call while active.
    public func cursor(_ table: Table) throws -> ReadCursor {
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, table.dbi, &cursor))
        let result = ReadCursor(handle: cursor!, table: table, transaction: self)
        cursors.append(result)
        return result
    }
}

/// A cursor owned by a `ReusableReadTransaction`, for allocation-free duplicate walks.
/// Valid while its transaction lives (which closes it); use it while that is active.
public final class ReadCursor {
    let handle: OpaquePointer
    public let table: Table
    /// Unowned: the transaction keeps its cursors, and closes them when it goes.
    private unowned(unsafe) let transaction: ReusableReadTransaction
    /// The transaction's `generation` this cursor was last renewed at.
    private var renewedAt: Int

    init(handle: OpaquePointer, table: Table, transaction: ReusableReadTransaction) {
        self.handle = handle
        self.table = table
        self.transaction = transaction
        renewedAt = transaction.generation
    }

    /// Binds the cursor to the transaction's current snapshot when it was last used in
    /// an earlier one; LMDB's code (success when nothing was to do).
    @inline(__always)
    private func renewIfStale() -> Int32 {
        let generation = transaction.generation
        guard renewedAt != generation else { return MDB_SUCCESS }
        let rc = mdb_cursor_renew(transaction.handle, handle)
        if rc == MDB_SUCCESS { renewedAt = generation }
        return rc
    }

    /// Visits every value stored under `key` (all duplicates, in order) until `body`
    /// returns false. The key is raw encoded bytes; buffers point into the map.
    @inline(__always)
    public func forEachDuplicate<E: Error>(
        key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(E) -> Bool
    ) throws(E) -> Int32 {
        let renewed = renewIfStale()
        guard renewed == MDB_SUCCESS else { return renewed }
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        var rc = mdb_cursor_get(handle, &k, &v, MDB_SET_KEY)
        while rc == MDB_SUCCESS {
            if try !body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)) { return MDB_SUCCESS }
            rc = mdb_cursor_get(handle, &k, &v, MDB_NEXT_DUP)
        }
        return rc == MDB_NOTFOUND ? MDB_SUCCESS : rc
    }
}

extension TransactionReading {
    /// `withValue` for a key already encoded in caller-owned memory (a `KeyBuffer`):
    /// no array is built. Returns LMDB's code and leaves `body` uncalled unless found.
    @inline(__always)
    public func withValue<T, E: Error>(
        _ table: Table, rawKey: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(E) -> T
    ) throws(E) -> (found: T?, code: Int32) {
        var k = MDB_val(mv_size: rawKey.count, mv_data: UnsafeMutableRawPointer(mutating: rawKey.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(handle, table.dbi, &k, &v)
        guard rc == MDB_SUCCESS else { return (nil, rc == MDB_NOTFOUND ? MDB_SUCCESS : rc) }
        return (try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)), MDB_SUCCESS)
    }
}

extension LMDBError {
    /// Whether a return code from the raw-key calls above is a failure.
    public static func failed(_ code: Int32) -> LMDBError? { code == MDB_SUCCESS ? nil : LMDBError(code: code) }
}
