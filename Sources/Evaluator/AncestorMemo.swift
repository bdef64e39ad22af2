import PolicyLang

/// Per-request memo for `in`: the set of all ancestors of each entity asked about,
/// computed once per request by a breadth-first walk over parent edges with a visited
/// set (so cycles in bad data terminate) and a depth bound (so a pathological chain
/// is an error, not a stall). A request that tests `principal in G` in fifty rules walks
/// the principal's ancestry once. A store that keeps precomputed ancestor closures
/// (`EntitySource.forEachAncestor`) answers the walk in one read instead.
///
/// Why not a `[EntityUID: Set<EntityUID>]`: that allocated a set (and its growth) per
/// entity per request and hashed every uid with SipHash, ~40% of a document-sharing
/// decision. Here every entity asked about (an "owner") gets a small integer tag; its
/// uid and its ancestors go to one flat array of uids, and one open-addressing table
/// holds (tag, hash) → position for both "which owner is this uid" (tag 0) and "is this
/// uid an ancestor of owner n" (tag n + 1). Nothing is freed between requests: `reset`
/// bumps a generation stamp that marks every slot empty, and the arrays keep their
/// capacity, so a decision allocates only while the scratch grows past its previous
/// high-water mark.
struct AncestorMemo {
    let maxDepth: Int
    private let table: SlotTable
    /// Owner uids and their ancestors, each owner's uid followed by its ancestors.
    private var uids: [EntityUID] = []
    /// Per owner: where its uid is in `uids`, and how many ancestors follow it.
    private var ownerStart: [Int32] = []
    private var ownerCount: [Int32] = []
    /// The owner of the last `in`: nearly every `in` of a request is about the principal
    /// or the resource, so this skips even the table probe.
    private var lastOwner = -1

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
        table = SlotTable()
        uids.reserveCapacity(64)
        ownerStart.reserveCapacity(8)
        ownerCount.reserveCapacity(8)
    }

    mutating func reset() {
        table.clear()
        // A request that walked a huge hierarchy should not pin its memory for good.
        if uids.capacity > SlotTable.keptCapacity {
            uids = []
            uids.reserveCapacity(64)
        } else {
            uids.removeAll(keepingCapacity: true)
        }
        ownerStart.removeAll(keepingCapacity: true)
        ownerCount.removeAll(keepingCapacity: true)
        lastOwner = -1
    }

    /// Cedar's `lhs in rhs` for entities: equal, or `rhs` is a transitive parent.
    mutating func isDescendant<E: EntitySource>(_ lhs: EntityUID, of rhs: EntityUID, in entities: E) throws(EvaluationError) -> Bool {
        if Value.sameEntity(lhs, rhs) { return true }
        // A store keeping closures answers from the mapped record, cheaper than copying
        // the closure into the memo as uids (strings) and hashing each.
        do {
            if let known = try entities.closureContains(lhs, ancestor: rhs, maxDepth: maxDepth) { return known }
        } catch {
            throw EvaluationError("entity store: \(error.message)")
        }
        let owner: Int
        if lastOwner >= 0, Value.sameEntity(uids[Int(ownerStart[lastOwner])], lhs) {
            owner = lastOwner
        } else {
            owner = try self.owner(of: lhs, in: entities)
            lastOwner = owner
        }
        if ownerCount[owner] == 0 { return false }
        return find(rhs, hash: Self.hash(rhs), tag: UInt32(owner + 1)) != nil
    }

    /// The owner tag of `entity`, walking its ancestry the first time it is asked about.
    private mutating func owner<E: EntitySource>(of entity: EntityUID, in entities: E) throws(EvaluationError) -> Int {
        let hash = Self.hash(entity)
        if let known = find(entity, hash: hash, tag: 0) { return known }
        // Claim the tag before the walk: if the walk fails, the tag is never registered
        // under tag 0, so its slots are dead and the next owner gets a fresh tag.
        let owner = ownerStart.count
        let start = uids.count
        ownerStart.append(Int32(start))
        ownerCount.append(0)
        uids.append(entity)
        let tag = UInt32(owner + 1)
        do throws(EvaluationError) {
            let closed: Bool
            do {
                closed = try entities.forEachAncestor(of: entity, maxDepth: maxDepth) { ancestor in
                    self.insert(ancestor, tag: tag)
                }
            } catch {
                throw EvaluationError("entity store: \(error.message)")
            }
            if !closed { try walk(from: entity, start: start, tag: tag, in: entities) }
        } catch {
            uids.removeLast(uids.count - start - 1)
            throw error
        }
        ownerCount[owner] = Int32(uids.count - start - 1)
        table.insert(hash: hash, tag: 0, node: Int32(owner))
        return owner
    }

    /// Breadth-first over parent edges, level by level: level 0 is the entity itself,
    /// each level's nodes are the previous level's parents not seen before. Errors when
    /// there are still nodes after `maxDepth` levels, as the walk always has.
    private mutating func walk<E: EntitySource>(from entity: EntityUID, start: Int, tag: UInt32, in entities: E) throws(EvaluationError) {
        var depth = 0
        var levelStart = start  // level 0 is the entity, stored at `start`
        var levelEnd = start + 1
        while levelStart < levelEnd {
            guard depth <= maxDepth else {
                throw EvaluationError("the parents of \(entity) go deeper than \(maxDepth) levels")
            }
            var i = levelStart
            while i < levelEnd {
                let node = uids[i]
                do {
                    try entities.forEachParent(of: node) { parent in self.insert(parent, tag: tag) }
                } catch {
                    throw EvaluationError("entity store: \(error.message)")
                }
                i += 1
            }
            levelStart = levelEnd
            levelEnd = uids.count
            depth += 1
        }
    }

    /// Adds `uid` to the owner's ancestors unless it is there already.
    @inline(__always)
    private mutating func insert(_ uid: EntityUID, tag: UInt32) {
        let hash = Self.hash(uid)
        if find(uid, hash: hash, tag: tag) != nil { return }
        table.insert(hash: hash, tag: tag, node: Int32(uids.count))
        uids.append(uid)
    }

    /// The node stored for (`tag`, `uid`): a position in `uids` for ancestors, an owner
    /// number for tag 0.
    @inline(__always)
    private func find(_ uid: EntityUID, hash: UInt32, tag: UInt32) -> Int? {
        let slots = table.slots
        let mask = table.mask
        let stamp = table.stamp
        var i = SlotTable.start(hash: hash, tag: tag) & mask
        while true {
            let slot = slots[i]
            if slot.stamp != stamp { return nil }
            if slot.hash == hash, slot.tag == tag {
                let node = Int(slot.node)
                let stored = tag == 0 ? uids[Int(ownerStart[node])] : uids[node]
                if Value.sameEntity(stored, uid) { return node }
            }
            i = (i + 1) & mask
        }
    }

    /// FNV-1a over the type's and the id's UTF-8 bytes (with a separator), folded to 32
    /// bits: a few multiplies for a typical uid, where `Hasher` runs SipHash rounds.
    @inline(__always)
    static func hash(_ uid: EntityUID) -> UInt32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        h = fnv(uid.type, h)
        h = (h ^ 0xFF) &* 0x0000_0100_0000_01B3
        h = fnv(uid.id, h)
        return UInt32(truncatingIfNeeded: h ^ (h >> 29) ^ (h >> 47))
    }

    @inline(__always)
    private static func fnv(_ string: String, _ seed: UInt64) -> UInt64 {
        var h = seed
        if let done = string.utf8.withContiguousStorageIfAvailable({ bytes -> UInt64 in
            var h = seed
            for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            return h
        }) {
            return done
        }
        for byte in string.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}

/// The open-addressing table behind `AncestorMemo`: linear probing, at most half full,
/// slots valid only when their stamp is the current one. A class only so that it can
/// free its memory; the memo reads its fields without copying anything.
final class SlotTable {
    struct Slot {
        var stamp: UInt32
        var tag: UInt32
        var hash: UInt32
        var node: Int32
    }

    static let initialCapacity = 256
    /// Above this many slots (or memo uids), `clear` goes back to the initial size.
    static let keptCapacity = 1 << 16

    private(set) var slots: UnsafeMutablePointer<Slot>
    private(set) var mask: Int
    private(set) var stamp: UInt32 = 1
    private var used = 0

    init() {
        slots = Self.allocate(Self.initialCapacity)
        mask = Self.initialCapacity - 1
    }

    deinit { slots.deallocate() }

    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<Slot> {
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
        slots.initialize(repeating: Slot(stamp: 0, tag: 0, hash: 0, node: 0), count: capacity)
        return slots
    }

    @inline(__always)
    static func start(hash: UInt32, tag: UInt32) -> Int {
        Int(truncatingIfNeeded: ((UInt64(hash) ^ (UInt64(tag) &* 0x9E37_79B9_7F4A_7C15)) &* 0xFF51_AFD7_ED55_8CCD) >> 32)
    }

    /// Empties the table in O(1): a new stamp makes every slot stale.
    func clear() {
        if mask + 1 > Self.keptCapacity {
            slots.deallocate()
            slots = Self.allocate(Self.initialCapacity)
            mask = Self.initialCapacity - 1
            stamp = 1
        } else if stamp == .max {
            slots.update(repeating: Slot(stamp: 0, tag: 0, hash: 0, node: 0), count: mask + 1)
            stamp = 1
        } else {
            stamp += 1
        }
        used = 0
    }

    /// Adds a slot; the caller has checked that (tag, uid) is not there.
    @inline(__always)
    func insert(hash: UInt32, tag: UInt32, node: Int32) {
        if (used + 1) * 2 > mask + 1 { grow() }
        var i = Self.start(hash: hash, tag: tag) & mask
        while slots[i].stamp == stamp { i = (i + 1) & mask }
        slots[i] = Slot(stamp: stamp, tag: tag, hash: hash, node: node)
        used += 1
    }

    private func grow() {
        let old = slots
        let oldCapacity = mask + 1
        let capacity = oldCapacity * 2
        slots = Self.allocate(capacity)
        mask = capacity - 1
        for j in 0..<oldCapacity where old[j].stamp == stamp {
            var i = Self.start(hash: old[j].hash, tag: old[j].tag) & mask
            while slots[i].stamp == stamp { i = (i + 1) & mask }
            slots[i] = old[j]
        }
        old.deallocate()
    }
}
