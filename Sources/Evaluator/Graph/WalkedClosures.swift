import PolicyLang
import Store
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ancestor closures computed from parent edges when `in` first asks about an entity,
/// for tenants that keep no stored closures (`AncestorClosures.swift`), and kept like
/// the reader's other caches: until a write commits or the map moves.
///
/// Why: the evaluator's own walk (`AncestorMemo`) decodes every ancestor into strings
/// and hashes it, per request; in scenario (b) that was a fifth of a decision's
/// instructions besides the LMDB reads. Here the walk copies edge bytes straight from the
/// map into a record of the stored closures' format, compares bytes to skip ancestors
/// already found, and `in` then searches that record without decoding
/// (`EntityGraph.closure(_:contains:maxDepth:)`). The next request about the same
/// principal or resource finds the record made.
///
/// Records live in one arena allocated once; when it is full, every record is dropped
/// and it starts over. A closure too large for `maxRecordBytes` is not made (a marker
/// record says so): the evaluator walks as before. Every level of a walk adds an ancestor, so that bound also
/// bounds its depth; the record keeps the true depth (`levels`), and an `in` whose bound
/// is smaller gets no answer from it, so the evaluator walks and reports its depth error.
struct WalkedClosures {
    /// 1 MB, ~40,000 closures of a few ancestors each; with the index (`RecordCache`)
    /// ~2.5 MB per reader once full. Pages are resident only once written.
    static let defaultArenaBytes = 1 << 20
    let arenaBytes: Int
    static let maxRecordBytes = 2 << 10
    /// Each record made (in `arena`), by entity key.
    private(set) var index = RecordCache()
    let arena: UnsafeMutableRawPointer
    private(set) var used = 0
    /// Where each ancestor of the record being made starts (and the end of the last).
    let starts: UnsafeMutablePointer<Int>

    init(arenaBytes: Int = Self.defaultArenaBytes) {
        precondition(arenaBytes >= Self.maxRecordBytes)
        self.arenaBytes = arenaBytes
        arena = .allocate(byteCount: arenaBytes, alignment: 8)
        starts = .allocate(capacity: Self.maxRecordBytes)
    }

    func deallocate() {
        index.deallocate()
        arena.deallocate()
        starts.deallocate()
    }

    mutating func invalidate() {
        index.invalidate()
        used = 0
    }

    /// The record being made: its bytes so far (`end`), its ancestors (`found`, where
    /// each starts in `starts`), and whether it outgrew `maxRecordBytes`. Fields, not
    /// locals captured by the edge callbacks: the reader reaches them through a pointer,
    /// where captured locals cost a dynamic exclusivity check on every access.
    private var record: UnsafeMutableRawPointer?
    private var end = 0
    private(set) var found = 0
    private(set) var overflow = false

    /// Starts a record, dropping every record first when the arena has too little left.
    mutating func begin() {
        if used + Self.maxRecordBytes > arenaBytes { invalidate() }
        record = arena + used
        end = 2
        found = 0
        overflow = false
    }

    /// The edge bytes of ancestor `i` of the record being made.
    func ancestor(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: record! + starts[i], count: starts[i + 1] - starts[i])
    }

    /// Adds `edge` to the record being made unless it is there already.
    @inline(__always)
    mutating func add(_ edge: UnsafeRawBufferPointer) {
        if overflow { return }
        let record = self.record!
        var i = 0
        while i < found {
            if starts[i + 1] - starts[i] == edge.count, memcmp(record + starts[i], edge.baseAddress!, edge.count) == 0 { return }
            i += 1
        }
        guard end + edge.count <= Self.maxRecordBytes else {
            overflow = true
            return
        }
        (record + end).copyMemory(from: edge.baseAddress!, byteCount: edge.count)
        starts[found] = end
        end += edge.count
        found += 1
        starts[found] = end
    }

    /// Ends the record with its depth and keeps it under `key`; a record that outgrew
    /// `maxRecordBytes` is kept as `tooDeep` with no ancestors, a marker that sends every
    /// later `in` about the entity to the evaluator's walk without walking here again.
    mutating func keep(_ key: UnsafeRawBufferPointer, levels: Int) -> UnsafeRawBufferPointer {
        let record = self.record!
        if overflow { end = 2 }
        record.storeBytes(of: (overflow ? EntityGraph.tooDeep : UInt16(levels)).littleEndian, as: UInt16.self)
        let made = UnsafeRawBufferPointer(start: record, count: end)
        index.insert(.ancestors, key, made)
        used += (end + 7) & ~7
        self.record = nil
        return made
    }
}

extension GraphReader {
    /// The entity's closure record, made from its parent edges if not made yet in this
    /// snapshot generation (`tooDeep` when its ancestors do not fit in a record).
    func walkedClosure(of uid: EntityUID) throws(EntitySourceError) -> UnsafeRawBufferPointer {
        let key = entityKey(uid)
        if let made = walked.pointee.index.lookup(.ancestors, key), let made { return made }
        let walked = self.walked
        walked.pointee.begin()
        // Breadth-first as `AncestorMemo.walk` and `writeClosure`: level 1 holds the
        // entity's parents, each next level the new parents of the one before.
        try forEachParentEdge(key: key) { edge in walked.pointee.add(edge) }
        var levels = walked.pointee.found > 0 ? 1 : 0
        var levelStart = 0
        var levelEnd = walked.pointee.found
        while levelStart < levelEnd, !walked.pointee.overflow {
            for i in levelStart..<levelEnd {
                keys.pointee.truncate(to: tenantPrefixLength)
                keys.pointee.append(encoded: walked.pointee.ancestor(i))
                try forEachParentEdge(key: keys.pointee.bytes) { edge in walked.pointee.add(edge) }
            }
            levelStart = levelEnd
            levelEnd = walked.pointee.found
            if levelEnd > levelStart { levels += 1 }
        }
        return walked.pointee.keep(entityKey(uid), levels: levels)
    }
}
