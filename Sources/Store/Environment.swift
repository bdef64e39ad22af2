import CLMDB
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One LMDB environment in a data directory (DESIGN §7).
///
/// - Readers: any number, on any thread, concurrently (`MDB_NOTLS`). A read takes no lock;
///   it only bumps an atomic counter so that a map resize can wait for readers to leave.
/// - Writers: one at a time. `write` runs on a dedicated serial queue so HTTP event-loop
///   threads never block on LMDB's writer lock; `writeSync` is for the CLI and tests.
/// - A write that fills the map (`MDB_MAP_FULL`) is aborted, the map is doubled and the
///   whole transaction body is run again, so callers never see the error. Bodies must
///   therefore have no side effects outside the transaction.
public final class Environment: @unchecked Sendable {
    public let path: String
    let env: OpaquePointer

    /// Serializes writers and map resizes inside this process.
    private let writerLock = Mutex<Void>(())
    private let writerQueue = DispatchQueue(label: "arbiter.store.writer")
    /// Readers currently inside a transaction, and whether a resize wants them out.
    private let activeReaders = Atomic<Int>(0)
    private let resizing = Atomic<Bool>(false)
    /// Bumped each time this process remaps the file (`mdb_env_set_mapsize`), which
    /// moves every page: a pointer into the map kept across read snapshots is valid only
    /// while this and the snapshot id stay the same (`GraphReader`'s record cache).
    private let remaps = Atomic<Int>(0)
    private let tables = Mutex<[String: Table]>([:])
    private let closed = Atomic<Bool>(false)

    /// Store-owned tables.
    public let revisions: Table
    public let audit: Table
    /// Hooks that run inside every `appendAudit`'s transaction (the webhook outbox).
    public let auditObservers = AuditObservers()

    public struct Options: Sendable {
        public var initialMapSize: Int = 64 << 20
        public var maxTables: UInt32 = 128
        public var maxReaders: UInt32 = 512
        public init() {}
    }

    public init(path: String, options: Options = Options()) throws {
        self.path = path
        try Self.makeDirectory(path)
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env))
        guard let env else { throw LMDBError(code: EINVAL) }
        self.env = env
        do {
            try LMDBError.check(mdb_env_set_maxdbs(env, options.maxTables))
            try LMDBError.check(mdb_env_set_maxreaders(env, options.maxReaders))
            // Ignored by LMDB if the file already records a larger map.
            try LMDBError.check(mdb_env_set_mapsize(env, options.initialMapSize))
            try LMDBError.check(mdb_env_open(env, path, UInt32(MDB_NOTLS), 0o640))
            // Slots left behind by a process that died mid-read would pin old pages forever.
            var dead: Int32 = 0
            try LMDBError.check(mdb_reader_check(env, &dead))
        } catch {
            mdb_env_close(env)
            throw error
        }
        revisions = try Self.open(env: env, name: "revisions", options: [])
        audit = try Self.open(env: env, name: "audit", options: [])
    }

    deinit { close() }

    /// Closes the environment. Every transaction must have ended.
    public func close() {
        if closed.exchange(true, ordering: .acquiringAndReleasing) { return }
        mdb_env_close(env)
    }

    /// Opens (creating if needed) a named table. Idempotent and cheap after the first call.
    public func table(_ name: String, options: TableOptions = []) throws -> Table {
        if let table = tables.withLock({ $0[name] }) { return table }
        let table = try writerLock.withLock { _ in try Self.open(env: env, name: name, options: options) }
        tables.withLock { $0[name] = table }
        return table
    }

    private static func open(env: OpaquePointer, name: String, options: TableOptions) throws -> Table {
        var txn: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(env, nil, 0, &txn))
        var dbi: MDB_dbi = 0
        let rc = mdb_dbi_open(txn, name, UInt32(MDB_CREATE) | options.rawValue, &dbi)
        if rc != MDB_SUCCESS {
            mdb_txn_abort(txn)
            throw LMDBError(code: rc)
        }
        try LMDBError.check(mdb_txn_commit(txn))
        return Table(name: name, dbi: dbi, allowsDuplicates: options.contains(.duplicateKeys))
    }

    // MARK: Reads

    /// Runs `body` in a read-only transaction that sees one consistent snapshot.
    public func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
        enterReader()
        defer { activeReaders.subtract(1, ordering: .sequentiallyConsistent) }
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        if rc == MDB_MAP_RESIZED {
            leaveReader()
            try adoptGrownMap()
            enterReader()
            rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        }
        try LMDBError.check(rc)
        defer { mdb_txn_abort(txn) }
        return try body(ReadTransaction(handle: txn!, environment: self))
    }

    /// Another process (`arbiter graph import`, `arbiter admin …` on a live data directory)
    /// grew the map, and a transaction of ours answered `MDB_MAP_RESIZED`: adopt the new
    /// size. LMDB allows `mdb_env_set_mapsize` only while this process has no transaction
    /// active, so, as for our own growth, writers are held off and readers drained first.
    /// The caller must not count as a reader.
    func adoptGrownMap() throws {
        try writerLock.withLock { _ in try adoptGrownMapLocked() }
    }

    /// `adoptGrownMap` with the writer lock already held (no write transaction open).
    private func adoptGrownMapLocked() throws {
        resizing.store(true, ordering: .sequentiallyConsistent)
        defer { resizing.store(false, ordering: .sequentiallyConsistent) }
        while activeReaders.load(ordering: .sequentiallyConsistent) > 0 { sched_yield() }
        defer { remaps.add(1, ordering: .sequentiallyConsistent) }
        try LMDBError.check(mdb_env_set_mapsize(env, 0))
    }

    /// How many times this process has remapped the file (see `remaps`).
    public var mapGeneration: Int { remaps.load(ordering: .acquiring) }

    func enterReader() {
        while true {
            activeReaders.add(1, ordering: .sequentiallyConsistent)
            if !resizing.load(ordering: .sequentiallyConsistent) { return }
            // A resize is waiting for readers to drain: step out and let it finish.
            activeReaders.subtract(1, ordering: .sequentiallyConsistent)
            while resizing.load(ordering: .sequentiallyConsistent) { sched_yield() }
        }
    }

    func leaveReader() {
        activeReaders.subtract(1, ordering: .sequentiallyConsistent)
    }

    // MARK: Writes

    /// Runs `body` in a write transaction on the writer queue, off the caller's thread.
    /// A thrown error aborts the transaction and is rethrown; nothing of it is kept.
    public func write<T: Sendable>(_ body: @escaping @Sendable (WriteTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            writerQueue.async {
                continuation.resume(with: Result { try self.writeSync(body) })
            }
        }
    }

    /// Runs `body` in a write transaction on the calling thread, blocking until it commits.
    public func writeSync<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        try writerLock.withLock { _ in
            while true {
                var txn: OpaquePointer?
                var rc = mdb_txn_begin(env, nil, 0, &txn)
                if rc == MDB_MAP_RESIZED {
                    // Another process grew the map: adopt its size and begin again.
                    try adoptGrownMapLocked()
                    rc = mdb_txn_begin(env, nil, 0, &txn)
                }
                try LMDBError.check(rc)
                let result: T
                do {
                    result = try body(WriteTransaction(handle: txn!, environment: self))
                } catch let error as LMDBError where error.isMapFull {
                    mdb_txn_abort(txn)
                    try growMap()
                    continue
                } catch {
                    mdb_txn_abort(txn)
                    throw error
                }
                let commit = mdb_txn_commit(txn)  // frees txn whatever the outcome
                if commit == MDB_MAP_FULL {
                    try growMap()
                    continue
                }
                try LMDBError.check(commit)
                return result
            }
        }
    }

    /// Doubles the map. Called with the writer lock held and no write transaction open;
    /// waits for in-flight readers, since LMDB forbids resizing under live transactions.
    private func growMap() throws {
        resizing.store(true, ordering: .sequentiallyConsistent)
        defer { resizing.store(false, ordering: .sequentiallyConsistent) }
        while activeReaders.load(ordering: .sequentiallyConsistent) > 0 { sched_yield() }
        let current = mapSize
        defer { remaps.add(1, ordering: .sequentiallyConsistent) }
        try LMDBError.check(mdb_env_set_mapsize(env, current * 2))
    }

    // MARK: Facts

    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return info.me_mapsize
    }

    /// Bytes of the map in use (last page number × page size).
    public var mapUsed: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        var stat = MDB_stat()
        mdb_env_stat(env, &stat)
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }

    /// The id of the newest committed write transaction. Ids only grow, so a reader that
    /// saw some state at snapshot id N knows nothing was written since while this is N.
    public var lastCommittedID: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return info.me_last_txnid
    }

    /// Reader slots in use in the lock table (all processes, including reusable snapshots).
    public var readerCount: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return Int(info.me_numreaders)
    }

    /// Reader slots the lock table has (`maxReaders`).
    public var readerLimit: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return Int(info.me_maxreaders)
    }

    static func makeDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 { return }
        // Create intermediate directories one by one (mkdir -p).
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o750) != 0 && errno != EEXIST {
                throw LMDBError(code: errno)
            }
        }
    }
}
