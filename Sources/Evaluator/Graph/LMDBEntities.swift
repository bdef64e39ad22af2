import PolicyLang
import Store

/// The VM's view of one tenant's graph inside one LMDB read transaction. Attributes are
/// found and decoded one at a time from the mapped page; parents come from the
/// duplicate-key edge table, and `in` from closures (stored, or made by the reader from
/// parent edges: `WalkedClosures`). The reader keeps pointers to records and parent
/// edges it found, and the closures it made, for later snapshots only while no write has
/// committed and the map has not moved, the one case in which LMDB guarantees the bytes
/// are the same (`RecordCache`); DESIGN's "nothing cached outside a transaction's
/// lifetime" holds for everything else.
///
/// Lookups encode their key into the reader's reused buffer and walk parents with its
/// reused cursor, and edge uids are decoded straight from the page, so a lookup
/// allocates only for strings longer than 15 bytes (which Swift cannot store inline) and
/// for set and record attribute values.
public struct LMDBEntities: EntitySource {
    let reader: GraphReader

    init(reader: GraphReader) { self.reader = reader }

    public var transaction: ReadTransaction { reader.transaction.transaction }
    public var tenant: String { reader.tenant }
    var tables: EntityGraph.Tables { reader.graph.tables }

    /// The revision this snapshot shows.
    public func revision() throws -> UInt64 { try reader.revision() }

    public func attribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> AttributeLookup {
        guard let record = try reader.record(of: entity) else { return .noSuchEntity }
        guard let bytes = try AttributeCodec.find(name, in: record) else { return .noSuchAttribute }
        return .value(try AttributeCodec.decodeValue(bytes))
    }

    public func hasAttribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> Bool {
        guard let record = try reader.record(of: entity) else { return false }
        return try AttributeCodec.find(name, in: record) != nil
    }

    public func forEachParent(of entity: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError) {
        try reader.forEachParentEdge(of: entity) { edge throws(EntitySourceError) in
            body(try EntityGraph.uid(fromEdge: edge))
        }
    }

    /// The action's parents from the reader's per-snapshot cache (read through
    /// `forEachParent` the first time an action is asked about in a snapshot).
    public func forEachActionParent(of action: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError) {
        for entry in reader.actionParents where Value.sameEntity(entry.action, action) {
            for parent in entry.parents { body(parent) }
            return
        }
        var parents: [EntityUID] = []
        try forEachParent(of: action) { parents.append($0) }
        if reader.actionParents.count >= GraphReader.maxCachedActions { reader.actionParents.removeFirst() }
        reader.actionParents.append((action, parents))
        for parent in parents { body(parent) }
    }

    /// From the tenant's ancestor closures when it keeps them: one read for the whole
    /// ancestry instead of one cursor walk per level.
    public func forEachAncestor(of entity: EntityUID, maxDepth: Int, _ body: (EntityUID) -> Void) throws(EntitySourceError) -> Bool {
        guard let closure = try reader.closure(of: entity) else { return false }
        guard let record = closure else { return true }  // closures kept, none recorded: no parents
        return try EntityGraph.forEachAncestor(inClosure: record, maxDepth: maxDepth, body)
    }

    /// `in` straight from the closure record: the ancestor's edge bytes searched for in
    /// the mapped record (see `EntityGraph.closure(_:contains:maxDepth:)`); without
    /// stored closures, in the record the reader made from parent edges.
    public func closureContains(_ entity: EntityUID, ancestor: EntityUID, maxDepth: Int) throws(EntitySourceError) -> Bool? {
        guard let closure = try reader.closure(of: entity) else {
            guard reader.usesWalkedClosures else { return nil }
            return try EntityGraph.closure(reader.walkedClosure(of: entity), contains: reader.edgeKey(ancestor), maxDepth: maxDepth)
        }
        guard let record = closure else { return false }  // closures kept, none recorded: no parents
        return try EntityGraph.closure(record, contains: reader.edgeKey(ancestor), maxDepth: maxDepth)
    }

    /// Whether the entity has a record (for export and tests).
    public func contains(_ uid: EntityUID) throws -> Bool {
        try transaction.contains(tables.entities, EntityGraph.entityKey(tenant, uid))
    }

    /// One whole entity, decoded (export, tests; never the evaluator's path).
    public func entity(_ uid: EntityUID) throws -> Entity? {
        let key = EntityGraph.entityKey(tenant, uid)
        guard let attributes = try transaction.withValue(tables.entities, key, { record in try AttributeCodec.decodeAll(record) })
        else { return nil }
        var parents: [EntityUID] = []
        try forEachParent(of: uid) { parents.append($0) }
        return Entity(uid: uid, attributes: attributes, parents: parents)
    }

    /// Every entity of the tenant in key order, until `body` returns false.
    public func forEachEntity(_ body: (Entity) throws -> Bool) throws {
        var uids: [EntityUID] = []
        try transaction.scan(tables.entities, prefix: Key(.string(tenant))) { key, _ in
            let parts = try Key(encoded: key).components()
            guard parts.count == 3, let type = parts[1].stringValue, let id = parts[2].stringValue else {
                throw AttributeCodec.corrupt
            }
            uids.append(EntityUID(type: type, id: id))
            return true
        }
        for uid in uids {
            if let entity = try entity(uid), try !body(entity) { return }
        }
    }

    /// Direct children of an entity, from the reverse index.
    public func children(of uid: EntityUID) throws -> [EntityUID] {
        var result: [EntityUID] = []
        try transaction.forEachDuplicate(tables.children, EntityGraph.entityKey(tenant, uid)) { value in
            result.append(try EntityGraph.uid(fromEdge: value))
            return true
        }
        return result
    }
}
