import PolicyLang
import Store
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Precomputed ancestor closures (the model is Zanzibar's Leopard index): for a tenant
/// that turns them on, `graph.ancestors` holds, for every entity with parents, every
/// entity its parent edges reach, so that the evaluator's `in` reads one record instead
/// of walking one parent list per level (`LMDBEntities.forEachAncestor`).
///
/// The switch is per tenant and stored in the graph (a marker record under the bare
/// tenant key), not a process setting: every writer of the tenant's edges then keeps the
/// closures current in the same write transaction as the edge change, whichever process
/// writes. A reader may still ignore them (`GraphReader.usesAncestorClosures`).
///
/// A record is `levels` (UInt16, little-endian) followed by each ancestor as an edge
/// value, (type, id) key-encoded. `levels` is the deepest breadth-first level that found
/// a new ancestor — the walk the evaluator would do errors exactly when it exceeds the
/// evaluator's depth bound, so a reader with a smaller bound falls back to that walk (and
/// its error). A walk deeper than `closureDepthLimit` stores `tooDeep` and no ancestors.
/// The walk has a visited set, so a written cycle gives a finite closure (which may
/// contain the entity itself, as the walk's does). Entities without parents have no
/// record: with closures on, no record means no ancestors.
extension EntityGraph {
    static let closureDepthLimit = 1_024
    static let tooDeep: UInt16 = .max

    static func closuresMarker(_ tenant: String) -> Key { Key(.string(tenant)) }

    /// Whether the tenant keeps ancestor closures.
    public func ancestorClosuresEnabled(tenant: String, in txn: some TransactionReading) throws -> Bool {
        try txn.contains(tables.ancestors, Self.closuresMarker(tenant))
    }

    /// Turns closures on for the tenant: computes one for every entity, sets the marker.
    /// One write transaction (the caller's); idempotent.
    public func enableAncestorClosures(tenant: String, in txn: WriteTransaction) throws {
        var uids: [EntityUID] = []
        try txn.scan(tables.parents, prefix: Key(.string(tenant))) { key, _ in
            let parts = try Key(encoded: key).components()
            guard parts.count == 3, let type = parts[1].stringValue, let id = parts[2].stringValue else {
                throw AttributeCodec.corrupt
            }
            let uid = EntityUID(type: type, id: id)
            if uids.last != uid { uids.append(uid) }
            return true
        }
        for uid in uids { try writeClosure(of: uid, tenant: tenant, in: txn) }
        try txn.put(tables.ancestors, Self.closuresMarker(tenant), [1])
    }

    /// Turns closures off for the tenant and deletes them.
    public func disableAncestorClosures(tenant: String, in txn: WriteTransaction) throws {
        var keys: [Key] = []
        try txn.scan(tables.ancestors, prefix: Key(.string(tenant))) { key, _ in
            keys.append(Key(encoded: key))
            return true
        }
        for key in keys { try txn.delete(tables.ancestors, key) }
    }

    /// After the parent edges of `changed` were rewritten in `txn`: recomputes the
    /// closure of each changed entity and of everything below it (from the reverse
    /// index, with a visited set so a cycle ends).
    func updateAncestorClosures(from changed: [EntityUID], tenant: String, in txn: WriteTransaction) throws {
        var affected = Set<EntityUID>()
        var frontier: [EntityUID] = []
        for uid in changed where affected.insert(uid).inserted { frontier.append(uid) }
        while let node = frontier.popLast() {
            try txn.forEachDuplicate(tables.children, Self.entityKey(tenant, node)) { value in
                let child = try Self.uid(fromEdge: value)
                if affected.insert(child).inserted { frontier.append(child) }
                return true
            }
        }
        for uid in affected { try writeClosure(of: uid, tenant: tenant, in: txn) }
    }

    /// Walks the entity's parents breadth-first as the evaluator does and stores the result.
    func writeClosure(of uid: EntityUID, tenant: String, in txn: WriteTransaction) throws {
        var seen = Set<EntityUID>()
        var found: [EntityUID] = []
        var frontier = [uid]
        var next: [EntityUID] = []
        var depth = 0
        var levels = 0
        while !frontier.isEmpty {
            if depth > Self.closureDepthLimit {
                levels = Int(Self.tooDeep)
                found = []
                break
            }
            for node in frontier {
                try txn.forEachDuplicate(tables.parents, Self.entityKey(tenant, node)) { value in
                    let parent = try Self.uid(fromEdge: value)
                    if seen.insert(parent).inserted {
                        found.append(parent)
                        next.append(parent)
                    }
                    return true
                }
            }
            if !next.isEmpty { levels = depth + 1 }
            swap(&frontier, &next)
            next.removeAll(keepingCapacity: true)
            depth += 1
        }
        let key = Self.entityKey(tenant, uid)
        if levels == 0 {
            try txn.delete(tables.ancestors, key)
            return
        }
        var record: [UInt8] = [UInt8(levels & 0xFF), UInt8(levels >> 8)]
        for ancestor in found { record += Self.edgeValue(ancestor) }
        try txn.put(tables.ancestors, key, record)
    }

    /// Whether the closure record holds the ancestor whose edge encoding
    /// (`edgeValue`) is `target`; nil when the record says the walk goes deeper than
    /// `maxDepth` (the caller walks instead). Compares bytes in the map: no uid is
    /// decoded into strings, nothing is hashed.
    @inline(__always)
    static func closure(
        _ record: UnsafeRawBufferPointer, contains target: UnsafeRawBufferPointer, maxDepth: Int
    ) throws(EntitySourceError) -> Bool? {
        guard record.count >= 2 else { throw AttributeCodec.corrupt }
        let levels = Int(record[0]) | Int(record[1]) << 8
        if levels == Int(tooDeep) || levels > maxDepth { return nil }
        let base = record.baseAddress!
        var offset = 2
        while offset < record.count {
            // The encoding is prefix-free except that a final 0x00 may be the start of an
            // escaped 0x00 (0x00 0xFF) in a longer id: a match must not be followed by 0xFF.
            if record.count - offset >= target.count,
               memcmp(base + offset, target.baseAddress!, target.count) == 0,
               offset + target.count == record.count || record[offset + target.count] != 0xFF {
                return true
            }
            guard let type = Key.stringEnd(record, at: offset),
                  let id = Key.stringEnd(record, at: type.terminator + 1)
            else { throw AttributeCodec.corrupt }
            offset = id.terminator + 1
        }
        return false
    }

    /// Calls `body` with each ancestor in a closure record; false when the record says
    /// the walk goes deeper than `maxDepth` (the caller walks instead).
    @inline(__always)
    static func forEachAncestor(
        inClosure record: UnsafeRawBufferPointer, maxDepth: Int, _ body: (EntityUID) -> Void
    ) throws(EntitySourceError) -> Bool {
        guard record.count >= 2 else { throw AttributeCodec.corrupt }
        let levels = Int(record[0]) | Int(record[1]) << 8
        if levels == Int(tooDeep) || levels > maxDepth { return false }
        var offset = 2
        while offset < record.count {
            guard let (type, afterType) = Key.decodeString(record, at: offset),
                  let (id, afterID) = Key.decodeString(record, at: afterType)
            else { throw AttributeCodec.corrupt }
            body(EntityUID(type: type, id: id))
            offset = afterID
        }
        return true
    }
}
