#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// (table, key bytes) → where the record is in the memory map (or "no record"), for the
/// records a `GraphReader` found: entity attribute records and ancestor-closure records.
///
/// A decision reads the principal's and the resource's records several times (one
/// `attribute` call per attribute a rule reads), and the next decision often reads the
/// same principal again. An LMDB point read is a B-tree descent — about 3,000
/// instructions on a 1M-entity graph, the largest single cost of a decision — where this
/// is a hash of ~40 bytes and one compare.
///
/// Entries stay valid across snapshots as long as the snapshot id (the last committed
/// write it shows) and the map generation (remaps move every page) stay the same: LMDB
/// never rewrites a page reachable from the latest committed snapshot, so a pointer
/// found in snapshot N still points at the same bytes in the next snapshot that is
/// also N. `GraphReader.renew()` checks both and calls `invalidate()` when either moved.
///
/// Direct-mapped, allocated once (no allocation per lookup or insert); a collision
/// replaces the older entry. Keys longer than a slot are not cached. Not thread-safe:
/// one per reader.
struct RecordCache {
    /// 2,048 slots of 64 key bytes: ~190 KB per reader. The server keeps at most
    /// 16 workers × 2 readers, so ≤ 6 MB in all, and a hot set of a few thousand
    /// principals stays cached.
    static let slots = 2048
    static let slotBytes = 64

    enum Table: UInt8 {
        case entities = 1
        case ancestors = 2
    }

    private let keyBytes: UnsafeMutableRawPointer
    private let keyLengths: UnsafeMutablePointer<Int32>
    private let tables: UnsafeMutablePointer<UInt8>
    /// A slot holds an entry of the current generation iff its stamp equals `stamp`,
    /// so invalidating is one increment, not a sweep.
    private let stamps: UnsafeMutablePointer<UInt32>
    private let records: UnsafeMutablePointer<UnsafeRawBufferPointer?>
    private var stamp: UInt32 = 1

    init() {
        keyBytes = .allocate(byteCount: Self.slots * Self.slotBytes, alignment: 8)
        keyLengths = .allocate(capacity: Self.slots)
        keyLengths.initialize(repeating: 0, count: Self.slots)
        tables = .allocate(capacity: Self.slots)
        tables.initialize(repeating: 0, count: Self.slots)
        stamps = .allocate(capacity: Self.slots)
        stamps.initialize(repeating: 0, count: Self.slots)
        records = .allocate(capacity: Self.slots)
        records.initialize(repeating: nil, count: Self.slots)
    }

    func deallocate() {
        keyBytes.deallocate()
        keyLengths.deallocate()
        tables.deallocate()
        stamps.deallocate()
        records.deallocate()
    }

    /// Forgets every entry.
    mutating func invalidate() {
        stamp &+= 1
        if stamp == 0 {  // wrapped: old stamps could match again
            stamps.update(repeating: 0, count: Self.slots)
            stamp = 1
        }
    }

    /// `.some(record)` when cached (`record` nil: the key has no record), nil on a miss.
    @inline(__always)
    func lookup(_ table: Table, _ key: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer?? {
        let slot = Self.slot(table, key)
        guard stamps[slot] == stamp, tables[slot] == table.rawValue, Int(keyLengths[slot]) == key.count,
              memcmp(keyBytes + slot * Self.slotBytes, key.baseAddress!, key.count) == 0
        else { return nil }
        return .some(records[slot])
    }

    @inline(__always)
    mutating func insert(_ table: Table, _ key: UnsafeRawBufferPointer, _ record: UnsafeRawBufferPointer?) {
        guard key.count <= Self.slotBytes else { return }
        let slot = Self.slot(table, key)
        (keyBytes + slot * Self.slotBytes).copyMemory(from: key.baseAddress!, byteCount: key.count)
        keyLengths[slot] = Int32(key.count)
        tables[slot] = table.rawValue
        stamps[slot] = stamp
        records[slot] = record
    }

    /// FNV-1a over the key, 8 bytes at a time (keys share the tenant prefix, so every
    /// byte must count), folded to a slot.
    @inline(__always)
    private static func slot(_ table: Table, _ key: UnsafeRawBufferPointer) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(table.rawValue)
        var i = 0
        let count = key.count
        let base = key.baseAddress!
        while i + 8 <= count {
            hash = (hash ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
            hash ^= hash >> 29
            i += 8
        }
        while i < count {
            hash = (hash ^ UInt64(base.load(fromByteOffset: i, as: UInt8.self))) &* 0x100_0000_01b3
            i += 1
        }
        hash ^= hash >> 32
        return Int(truncatingIfNeeded: hash) & (slots - 1)
    }
}
