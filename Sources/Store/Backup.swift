import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Consistent copies of a data directory and their restoration (DESIGN §7).
///
/// A backup is LMDB's own compacting copy (`mdb_env_copyfd2` with `MDB_CP_COMPACT`): it
/// runs inside one read transaction, so it is a snapshot of one committed state while
/// writers go on, and it leaves out free pages, so the file is no larger than the data.
/// The result is a single file holding a valid LMDB environment (`MDB_NOSUBDIR` layout).
public enum Backup {
    public struct FileInfo: Sendable, Equatable {
        /// Bytes of the backup file.
        public var bytes: Int
        /// Named tables in the backup.
        public var tables: Int
        /// The highest committed transaction id it holds.
        public var transactionID: Int
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case cannotWrite(path: String, errno: Int32)
        case notABackup(path: String, reason: String)
        case dataDirectoryInUse(path: String)
        case dataDirectoryNotEmpty(path: String)

        public var description: String {
            switch self {
            case .cannotWrite(let path, let code): "cannot write \(path): \(String(cString: strerror(code)))"
            case .notABackup(let path, let reason): "\(path) is not an Arbiter backup: \(reason)"
            case .dataDirectoryInUse(let path):
                "a server is running on \(path); stop it before restoring into that directory"
            case .dataDirectoryNotEmpty(let path):
                "\(path) already holds data; pass --force to replace it"
            }
        }
    }

    /// Writes a compacted copy of `environment` to `file` (created or replaced). The copy
    /// goes to a temporary file next to it first and is renamed only once complete and
    /// synced, so an interrupted backup never leaves a truncated file under the final name.
    @discardableResult
    public static func write(_ environment: Environment, to file: String) throws -> FileInfo {
        let temporary = file + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        guard fd >= 0 else { throw Failure.cannotWrite(path: temporary, errno: errno) }
        do {
            // Counted as a reader so an in-process map resize waits for the copy to end.
            environment.enterReader()
            defer { environment.leaveReader() }
            var rc = mdb_env_copyfd2(environment.env, fd, UInt32(MDB_CP_COMPACT))
            if rc == MDB_MAP_RESIZED {
                environment.leaveReader()
                try environment.adoptGrownMap()
                environment.enterReader()
                _ = ftruncate(fd, 0)
                _ = lseek(fd, 0, SEEK_SET)
                rc = mdb_env_copyfd2(environment.env, fd, UInt32(MDB_CP_COMPACT))
            }
            try LMDBError.check(rc)
            guard fsync(fd) == 0 else { throw Failure.cannotWrite(path: temporary, errno: errno) }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, file) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure.cannotWrite(path: file, errno: code)
        }
        return try inspect(file)
    }

    /// Opens `file` read-only as an LMDB environment and reads its main table: proof that
    /// it is a complete backup before anything is replaced with it.
    public static func inspect(_ file: String) throws -> FileInfo {
        var info = stat()
        guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw Failure.notABackup(path: file, reason: "no such file")
        }
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env))
        defer { mdb_env_close(env) }
        mdb_env_set_maxdbs(env, 256)
        // NOLOCK: a backup file is never shared with a writer, and no `-lock` file appears.
        let rc = mdb_env_open(env, file, UInt32(MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK), 0o640)
        guard rc == MDB_SUCCESS else {
            throw Failure.notABackup(path: file, reason: String(cString: mdb_strerror(rc)))
        }
        var txn: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn))
        defer { mdb_txn_abort(txn) }
        var main: MDB_dbi = 0
        try LMDBError.check(mdb_dbi_open(txn, nil, 0, &main))
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(txn, main, &stat))
        var envInfo = MDB_envinfo()
        mdb_env_info(env, &envInfo)
        return FileInfo(bytes: Int(info.st_size), tables: Int(stat.ms_entries), transactionID: envInfo.me_last_txnid)
    }

    /// Replaces the data of `directory` with the backup `file`. Refuses while a server holds
    /// the directory (`DataDirectoryLock`), and refuses to overwrite existing data unless
    /// `force`. The file is checked, copied beside the data file, synced and renamed over
    /// it, so the directory holds either the old data or the whole backup, never a mix.
    public static func restore(from file: String, into directory: String, force: Bool) throws -> FileInfo {
        let backup = try inspect(file)
        try Environment.makeDirectory(directory)
        guard let exclusive = DataDirectoryLock.exclusive(directory: directory) else {
            throw Failure.dataDirectoryInUse(path: directory)
        }
        defer { exclusive.release() }
        let dataFile = directory + "/data.mdb"
        var existing = stat()
        if stat(dataFile, &existing) == 0 && !force { throw Failure.dataDirectoryNotEmpty(path: directory) }

        let temporary = directory + "/data.mdb.restoring"
        try copyFile(file, to: temporary)
        guard rename(temporary, dataFile) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure.cannotWrite(path: dataFile, errno: code)
        }
        // The old lock file describes readers of the replaced data; LMDB rebuilds it.
        unlink(directory + "/lock.mdb")
        return backup
    }

    private static func copyFile(_ source: String, to target: String) throws {
        let input = open(source, O_RDONLY)
        guard input >= 0 else { throw Failure.notABackup(path: source, reason: String(cString: strerror(errno))) }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        guard output >= 0 else { throw Failure.cannotWrite(path: target, errno: errno) }
        var failure: Int32 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        copying: while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 { failure = errno; break }
            var written = 0
            while written < count {
                let n = buffer.withUnsafeBytes { Glibc.write(output, $0.baseAddress! + written, count - written) }
                if n < 0 { failure = errno; break copying }
                written += n
            }
        }
        if failure == 0 && fsync(output) != 0 { failure = errno }
        close(output)
        if failure != 0 {
            unlink(target)
            throw Failure.cannotWrite(path: target, errno: failure)
        }
    }
}
