import CLMDB

/// A named LMDB database inside an environment. Opened once, valid for the life of the
/// environment, cheap to copy.
public struct Table: Sendable, Hashable {
    public let name: String
    @usableFromInline let dbi: MDB_dbi
    public let allowsDuplicates: Bool
}

public struct TableOptions: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Several sorted values per key (LMDB DUPSORT), used for edge lists.
    public static let duplicateKeys = TableOptions(rawValue: UInt32(MDB_DUPSORT))
}
