import CLMDB

/// An error code returned by LMDB, with LMDB's own message.
public struct LMDBError: Error, Equatable, CustomStringConvertible, Sendable {
    public let code: Int32

    public init(code: Int32) { self.code = code }

    public var description: String { "LMDB error \(code): \(String(cString: mdb_strerror(code)))" }

    public var isMapFull: Bool { code == MDB_MAP_FULL }

    @usableFromInline static func check(_ rc: Int32) throws {
        if rc != MDB_SUCCESS { throw LMDBError(code: rc) }
    }
}
