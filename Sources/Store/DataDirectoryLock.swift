#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock on `<data directory>/arbiter.lock` that tells a running server apart
/// from short-lived tools. `arbiter serve` holds it shared for its whole life; tools that
/// may run beside a server (`graph import`, `admin create-client`, `admin backup`) take
/// nothing, since LMDB already serializes their writes; `admin restore`, which replaces
/// the data file underneath, needs it exclusive and so refuses while a server runs.
/// The kernel drops the lock when the process exits, however it exits.
public final class DataDirectoryLock: @unchecked Sendable {
    private var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { release() }

    /// Takes the lock shared (a server). Nil when a restore holds it.
    public static func shared(directory: String) -> DataDirectoryLock? { take(directory, LOCK_SH) }

    /// Takes the lock exclusive (a restore). Nil when a server holds it.
    public static func exclusive(directory: String) -> DataDirectoryLock? { take(directory, LOCK_EX) }

    private static func take(_ directory: String, _ operation: Int32) -> DataDirectoryLock? {
        let fd = open(directory + "/arbiter.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { return nil }
        guard flock(fd, operation | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return DataDirectoryLock(fd: fd)
    }

    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }
}
