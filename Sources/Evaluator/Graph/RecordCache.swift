#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// (table, key bytes) → where the values are in the memory map, for what a
/// `GraphReader` found: entity attribute records and ancestor-closure records (one value
/// or "no record" per key), and parent edges (the key's duplicate values, up to `width`).
/// `WalkedClosures` uses one as its index, with values in its own arena.
///
/// A decision reads the principal's and the resource's records several times (one
/// `attribute` call per attribute a rule reads), and the next decision often reads the
/// same principal again. An LMDB point read is a B-tree descent — about 3,000
/// instructions on a 1M-entity graph, the largest single cost of a decision — where this
/// is a hash of ~40 bytes and one compare. A parent walk is one cursor descent per level,
/// and the upper levels (folders, teams, departments) are the same for most requests.
///
/// Entries stay valid across snapshots as long as the snapshot id (the last committed
/// write it shows) and the map generation (remaps move every page) stay the same: LMDB
/// never rewrites a page reachable from the latest committed snapshot, so a pointer
/// found in snapshot N still points at the same bytes in the next snapshot that is
/// also N. That holds for a duplicate value too: it lives in its key's leaf page (or in
/// that key's sub-tree pages). `GraphReader.renew()` checks both and calls
/// `invalidate()` when either moved.
///
/// Four-way set-associative, allocated once (no allocation per lookup or insert): a key
/// hashes to a set of `ways` slots and may sit in any of them; a full set replaces its
/// entries in turn. Direct-mapped (one slot a key), the load benchmark's ≈7,200 records
/// in 16,384 slots collided for about a third of them, and a collided pair evicts each
/// other on every pass over the hot set; in sets of four, a set must draw five of the
/// hot keys before any of them is lost. Each slot keeps 32 bits of the key's hash, so a
/// lookup compares key bytes only with the slot that is almost surely the key's. Keys
/// longer than a slot, and keys with more values than `width`, are not cached. Not
/// thread-safe: one per reader.
struct RecordCache {
    /// 16,384 slots of 64 key bytes: ~1.5 MB for one value a slot (records), ~2.3 MB for
    /// four (parent edges); a reader keeps both and `WalkedClosures` (~2.5 MB), ~6 MB in
    /// all once full. Its memory comes zeroed from `calloc`, so only the pages of slots in
    /// use become resident. Sized for a hot set of some thousands of principals,
    /// resources, groups and folders per tenant: with 2,048 slots, the load benchmark's
    /// 4,000 requests over scenario (b) (≈10,000 distinct entities) missed so often that
    /// LMDB's B-tree descents were 10% of the server's samples, 3.6% with 16,384. The
    /// server keeps at most 16 workers × 2 readers: ≤ 200 MB if every one filled up.
    static let slots = 16384
    static let slotBytes = 64
    /// Slots a key may sit in (one set); `slots` is a multiple.
    static let ways = 4
    static let sets = slots / ways

    enum Table: UInt8 {
        case entities = 1
        case ancestors = 2
        case parents = 3
    }

    /// How many values a slot holds.
    let width: Int
    private let keyBytes: UnsafeMutableRawPointer
    private let keyLengths: UnsafeMutablePointer<Int32>
    private let tables: UnsafeMutablePointer<UInt8>
    /// A slot holds an entry of the current generation iff its stamp equals `stamp`,
    /// so invalidating is one increment, not a sweep.
    private let stamps: UnsafeMutablePointer<UInt32>
    /// The upper half of each slot's key hash (the lower half picks the set).
    private let hashes: UnsafeMutablePointer<UInt32>
    /// Per set, the way its next insert replaces when every way holds a current entry.
    private let victims: UnsafeMutablePointer<UInt8>
    private let counts: UnsafeMutablePointer<UInt8>
    /// `width` values per slot, the first `counts[slot]` of them set.
    private let values: UnsafeMutablePointer<UnsafeRawBufferPointer>
    private var stamp: UInt32 = 1

    init(width: Int = 1) {
        precondition(width >= 1 && width <= Int(UInt8.max))
        self.width = width
        keyBytes = Self.zeroed(Self.slots * Self.slotBytes, as: UInt8.self).raw
        keyLengths = Self.zeroed(Self.slots, as: Int32.self).typed
        tables = Self.zeroed(Self.slots, as: UInt8.self).typed
        stamps = Self.zeroed(Self.slots, as: UInt32.self).typed
        hashes = Self.zeroed(Self.slots, as: UInt32.self).typed
        victims = Self.zeroed(Self.sets, as: UInt8.self).typed
        counts = Self.zeroed(Self.slots, as: UInt8.self).typed
        // All-zero bits are `UnsafeRawBufferPointer(start: nil, count: 0)`.
        values = Self.zeroed(Self.slots * width, as: UnsafeRawBufferPointer.self).typed
    }

    /// `count` zeroed values of a trivial type, from `calloc`: a large block comes from
    /// fresh pages that the kernel maps in only when first written, so an idle slot
    /// costs no resident memory.
    private static func zeroed<T>(_ count: Int, as type: T.Type) -> (raw: UnsafeMutableRawPointer, typed: UnsafeMutablePointer<T>) {
        precondition(_isPOD(T.self))
        guard let raw = calloc(count, MemoryLayout<T>.stride) else { fatalError("out of memory for the record cache") }
        return (raw, raw.bindMemory(to: T.self, capacity: count))
    }

    func deallocate() {
        free(keyBytes)
        free(keyLengths)
        free(tables)
        free(stamps)
        free(hashes)
        free(victims)
        free(counts)
        free(values)
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
        guard let found = values(table, key) else { return nil }
        return .some(found.first)
    }

    /// The key's values when cached (empty: it has none), nil on a miss.
    @inline(__always)
    func values(_ table: Table, _ key: UnsafeRawBufferPointer) -> UnsafeBufferPointer<UnsafeRawBufferPointer>? {
        guard let slot = find(table, key, hash: Self.hash(table, key)) else { return nil }
        return UnsafeBufferPointer(start: values + slot * width, count: Int(counts[slot]))
    }

    /// The slot holding a current entry for the key, if any.
    @inline(__always)
    private func find(_ table: Table, _ key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let first = Self.set(hash) * Self.ways
        let tag = Self.tag(hash)
        for slot in first..<(first + Self.ways)
        where hashes[slot] == tag && stamps[slot] == stamp && tables[slot] == table.rawValue
            && Int(keyLengths[slot]) == key.count && memcmp(keyBytes + slot * Self.slotBytes, key.baseAddress!, key.count) == 0 {
            return slot
        }
        return nil
    }

    /// Records `record` (nil: the key has no record) for the key.
    @inline(__always)
    mutating func insert(_ table: Table, _ key: UnsafeRawBufferPointer, _ record: UnsafeRawBufferPointer?) {
        if let record {
            withUnsafePointer(to: record) { insert(table, key, values: UnsafeBufferPointer(start: $0, count: 1)) }
        } else {
            insert(table, key, values: UnsafeBufferPointer(start: nil, count: 0))
        }
    }

    /// Records the key's values; more than `width` of them are not cached. The slot is
    /// the key's own when it is cached already, else a free one of its set (none
    /// current), else the set's next victim in turn.
    @inline(__always)
    mutating func insert(_ table: Table, _ key: UnsafeRawBufferPointer, values found: UnsafeBufferPointer<UnsafeRawBufferPointer>) {
        guard key.count <= Self.slotBytes, found.count <= width else { return }
        let hash = Self.hash(table, key)
        let slot = find(table, key, hash: hash) ?? freeSlot(hash)
        (keyBytes + slot * Self.slotBytes).copyMemory(from: key.baseAddress!, byteCount: key.count)
        keyLengths[slot] = Int32(key.count)
        tables[slot] = table.rawValue
        stamps[slot] = stamp
        hashes[slot] = Self.tag(hash)
        counts[slot] = UInt8(found.count)
        if let base = found.baseAddress { (values + slot * width).update(from: base, count: found.count) }
    }

    /// A slot of the key's set to overwrite.
    @inline(__always)
    private func freeSlot(_ hash: UInt64) -> Int {
        let set = Self.set(hash)
        let first = set * Self.ways
        for slot in first..<(first + Self.ways) where stamps[slot] != stamp { return slot }
        let way = Int(victims[set])
        victims[set] = UInt8((way + 1) % Self.ways)
        return first + way
    }

    @inline(__always)
    private static func set(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & (sets - 1) }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 32) }

    /// FNV-1a over the key, 8 bytes at a time (keys share the tenant prefix, so every
    /// byte must count), mixed so that both halves depend on every byte: the low half
    /// picks the set, the high half is the slot's tag.
    @inline(__always)
    static func hash(_ table: Table, _ key: UnsafeRawBufferPointer) -> UInt64 {
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
        // A finalizer (murmur3's fmix64) so the low bits the set is taken from mix in
        // the high ones too.
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
