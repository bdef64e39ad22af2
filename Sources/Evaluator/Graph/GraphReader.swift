import PolicyLang
import Store

/// One tenant's graph for many short reads: a read transaction that is renewed per
/// request (or batch) and reset after it, a key buffer and a parent-edge cursor, all made
/// once. A decision through it builds no key arrays, opens no cursor and begins no
/// transaction, so the store side of the decision allocates nothing (strings of up to 15
/// bytes decode inline). Not thread-safe: one per thread.
///
///     let reader = try graph.reader(tenant: "acme")
///     for request in batch {
///         let decision = try reader.read { authorizer.authorize(request, graph: $0, mode: .fast) }
///     }
public final class GraphReader {
    public let graph: EntityGraph
    public let tenant: String
    let transaction: ReusableReadTransaction
    /// Behind a pointer, so building a key runs no exclusivity checks on class fields.
    let keys: UnsafeMutablePointer<KeyBuffer>
    let tenantPrefixLength: Int
    /// For `edgeKey`, apart from `keys`.
    let edges: UnsafeMutablePointer<KeyBuffer>
    let parents: ReadCursor
    /// Entity and closure records found, kept while the snapshot id and the map stay
    /// the same (see `RecordCache`).
    let records: UnsafeMutablePointer<RecordCache>
    /// Parent edges found, under the same rule as `records`: keys with up to four
    /// parents (nearly every entity), the edges as pointers into the map.
    let parentEdges: UnsafeMutablePointer<RecordCache>
    /// How many parents an entity may have for `parentEdges` to keep them (the size of
    /// the tuple `forEachParentEdge` gathers them in).
    static let cachedParents = 4
    /// Ancestor closures made from parent edges (`WalkedClosures.swift`), same lifetime.
    let walked: UnsafeMutablePointer<WalkedClosures>
    /// The parents of the actions that requests named (Cedar's action groups), read once
    /// per snapshot id: every decision asks for them and they are a handful of edges.
    var actionParents: [(action: EntityUID, parents: [EntityUID])] = []
    static let maxCachedActions = 64
    /// The last few entities whose records were asked for, and the records: a rule's
    /// attribute reads name the request's principal and resource again and again, with
    /// the very same strings, so matching the strings' representation (`sameStrings`)
    /// skips encoding the key and probing `records`. Same lifetime as `records`.
    private let recentUIDs: UnsafeMutablePointer<EntityUID>
    private let recentRecords: UnsafeMutablePointer<UnsafeRawBufferPointer?>
    private var recentCount = 0
    private var recentNext = 0
    static let recentSlots = 4
    /// What the caches' entries were found in: (snapshot id, map generation).
    private var cachedSnapshot = -1
    private var cachedMapGeneration = -1
    /// The tenant's revision at `cachedSnapshot`: read once per snapshot id, not per
    /// check (≈1.7% of a check's server CPU).
    private var cachedRevision: UInt64?
    /// Whether `in` may read the tenant's precomputed ancestor closures when it keeps
    /// them (see `AncestorClosures.swift`); false never reads them (parent edges only).
    public var usesAncestorClosures = true
    /// Whether `in`, for a tenant without stored closures, may make them from parent
    /// edges (`WalkedClosures.swift`); false leaves the walk to the evaluator.
    public var usesWalkedClosures = true
    /// Whether the tenant keeps closures, as of the snapshot with id `closuresCheckedAt`:
    /// the marker is read again only after a write moved the snapshot on.
    private var closuresEnabled = false
    private var closuresCheckedAt = -1

    init(graph: EntityGraph, tenant: String) throws {
        self.graph = graph
        self.tenant = tenant
        transaction = try ReusableReadTransaction(environment: graph.environment)
        keys = .allocate(capacity: 1)
        keys.initialize(to: KeyBuffer())
        keys.pointee.appendString(tenant)
        tenantPrefixLength = keys.pointee.count
        edges = .allocate(capacity: 1)
        edges.initialize(to: KeyBuffer())
        parents = try transaction.cursor(graph.tables.parents)
        records = .allocate(capacity: 1)
        records.initialize(to: RecordCache())
        parentEdges = .allocate(capacity: 1)
        parentEdges.initialize(to: RecordCache(width: Self.cachedParents))
        walked = .allocate(capacity: 1)
        walked.initialize(to: WalkedClosures())
        recentUIDs = .allocate(capacity: Self.recentSlots)
        recentUIDs.initialize(repeating: EntityUID(type: "", id: ""), count: Self.recentSlots)
        recentRecords = .allocate(capacity: Self.recentSlots)
        recentRecords.initialize(repeating: nil, count: Self.recentSlots)
    }

    deinit {
        recentUIDs.deinitialize(count: Self.recentSlots)
        recentUIDs.deallocate()
        recentRecords.deallocate()
        Self.free(records) { $0.deallocate() }
        Self.free(parentEdges) { $0.deallocate() }
        Self.free(walked) { $0.deallocate() }
        Self.free(keys) { $0.deallocate() }
        Self.free(edges) { $0.deallocate() }
    }

    /// Frees one of the reader's boxed structs: its own storage (`release`), then the box.
    private static func free<T>(_ box: UnsafeMutablePointer<T>, _ release: (T) -> Void) {
        release(box.pointee)
        box.deinitialize(count: 1)
        box.deallocate()
    }

    /// Starts a new snapshot (the latest revision). Idempotent while one is open.
    /// The record cache survives when nothing was written since it was filled.
    public func renew() throws {
        try transaction.renew()
        let snapshot = transaction.snapshotID
        let mapGeneration = graph.environment.mapGeneration
        if snapshot != cachedSnapshot || mapGeneration != cachedMapGeneration {
            records.pointee.invalidate()
            parentEdges.pointee.invalidate()
            walked.pointee.invalidate()
            recentCount = 0
            recentNext = 0
            actionParents.removeAll(keepingCapacity: true)
            cachedRevision = nil
            cachedSnapshot = snapshot
            cachedMapGeneration = mapGeneration
        }
    }

    /// Ends the snapshot, so writers may reuse its pages (the cache is checked again by
    /// the next `renew`).
    public func reset() {
        transaction.reset()
    }

    /// The tenant's revision as of the current snapshot.
    public func revision() throws -> UInt64 {
        if let cachedRevision { return cachedRevision }
        let revision = try transaction.transaction.revision(tenant: tenant)
        cachedRevision = revision
        return revision
    }

    /// The graph as of the current snapshot; valid until `reset()`.
    public var entities: LMDBEntities { LMDBEntities(reader: self) }

    /// Runs `body` against a fresh snapshot and ends the snapshot after it.
    public func read<T>(_ body: (LMDBEntities) throws -> T) throws -> T {
        try renew()
        defer { reset() }
        return try body(LMDBEntities(reader: self))
    }

    /// The attribute record of an entity in this snapshot, nil when it has none. A rule
    /// reads several attributes of the request's principal and resource, each a separate
    /// `attribute` call, and the next request often names the same principal; the cache
    /// turns the repeats into a hash and a compare instead of a B-tree descent.
    @inline(__always)
    func record(of uid: EntityUID) throws(EntitySourceError) -> UnsafeRawBufferPointer? {
        var i = 0
        while i < recentCount {
            if Self.sameStrings(recentUIDs[i], uid) { return recentRecords[i] }
            i += 1
        }
        let key = entityKey(uid)
        let found: UnsafeRawBufferPointer?
        if let cached = records.pointee.lookup(.entities, key) {
            found = cached
        } else {
            let (read, code) = transaction.transaction.withValue(graph.tables.entities, rawKey: key) { $0 }
            if let error = LMDBError.failed(code) { throw EntitySourceError("graph store: \(error)") }
            records.pointee.insert(.entities, key, read)
            found = read
        }
        recentUIDs[recentNext] = uid
        recentRecords[recentNext] = found
        recentNext = (recentNext + 1) % Self.recentSlots
        if recentCount < Self.recentSlots { recentCount += 1 }
        return found
    }

    /// Calls `body` with each parent edge of `uid` in this snapshot (encoded type and id,
    /// in the map), from `parentEdges` when cached, else by a cursor walk that fills it.
    @inline(__always)
    func forEachParentEdge(
        of uid: EntityUID, _ body: (UnsafeRawBufferPointer) throws(EntitySourceError) -> Void
    ) throws(EntitySourceError) {
        try forEachParentEdge(key: entityKey(uid), body)
    }

    /// `forEachParentEdge(of:)` for an entity key already encoded (`entityKey`).
    @inline(__always)
    func forEachParentEdge(
        key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(EntitySourceError) -> Void
    ) throws(EntitySourceError) {
        if let edges = parentEdges.pointee.values(.parents, key) {
            for edge in edges { try body(edge) }
            return
        }
        // Gathered on the stack, not in reader fields: `body` may walk another entity's
        // parents through this same reader, which reuses the key buffer.
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        var gathered = (none, none, none, none)  // `cachedParents` of them
        var savedKey = KeyCopy()
        let cacheable = key.count <= RecordCache.slotBytes
        if cacheable { withUnsafeMutableBytes(of: &savedKey) { $0.copyMemory(from: key) } }
        let width = Self.cachedParents
        var count = 0
        let code = try parents.forEachDuplicate(key: key) { edge throws(EntitySourceError) -> Bool in
            if count < width {
                withUnsafeMutableBytes(of: &gathered) {
                    $0.storeBytes(of: edge, toByteOffset: count * MemoryLayout<UnsafeRawBufferPointer>.stride, as: UnsafeRawBufferPointer.self)
                }
            }
            count += 1
            try body(edge)
            return true
        }
        if let error = LMDBError.failed(code) { throw EntitySourceError("graph store: \(error)") }
        guard cacheable, count <= width else { return }
        withUnsafeBytes(of: gathered) { raw in
            let edges = raw.assumingMemoryBound(to: UnsafeRawBufferPointer.self)
            withUnsafeBytes(of: savedKey) { saved in
                parentEdges.pointee.insert(
                    .parents, UnsafeRawBufferPointer(rebasing: saved[0..<key.count]),
                    values: UnsafeBufferPointer(rebasing: edges[0..<count]))
            }
        }
    }

    /// Room for a key `RecordCache` keeps (`slotBytes`), on the stack.
    private struct KeyCopy {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// Whether two uids are made of the same strings in the same representation: the
    /// same inline bytes (strings of up to 15 bytes) or the same storage object. That
    /// implies equal uids (the reverse does not hold: a miss just takes the slower
    /// path). Sound because `recentUIDs` retains its uids, so a storage address seen
    /// there cannot have been freed and reused for other bytes.
    @inline(__always)
    static func sameStrings(_ a: EntityUID, _ b: EntityUID) -> Bool {
        CedarString.identical(a.id, b.id) && CedarString.identical(a.type, b.type)
    }

    /// The closure record of `uid` (see `AncestorClosures.swift`): `.none` when the
    /// tenant keeps no closures or this reader does not use them, `.some(nil)` when the
    /// entity has no ancestors.
    @inline(__always)
    func closure(of uid: EntityUID) throws(EntitySourceError) -> UnsafeRawBufferPointer?? {
        guard usesAncestorClosures else { return .none }
        let snapshot = transaction.snapshotID
        if snapshot != closuresCheckedAt {
            keys.pointee.truncate(to: tenantPrefixLength)
            let (found, code) = transaction.transaction.withValue(graph.tables.ancestors, rawKey: keys.pointee.bytes) { _ in true }
            if let error = LMDBError.failed(code) { throw EntitySourceError("graph store: \(error)") }
            closuresEnabled = found ?? false
            closuresCheckedAt = snapshot
        }
        guard closuresEnabled else { return .none }
        let key = entityKey(uid)
        if let cached = records.pointee.lookup(.ancestors, key) { return .some(cached) }
        let (found, code) = transaction.transaction.withValue(graph.tables.ancestors, rawKey: key) { $0 }
        if let error = LMDBError.failed(code) { throw EntitySourceError("graph store: \(error)") }
        records.pointee.insert(.ancestors, key, found)
        return .some(found)
    }

    /// Encodes (type, id) as a parent edge or closure entry is stored, into a buffer of
    /// its own (the key buffer may hold the record's key).
    @inline(__always)
    func edgeKey(_ uid: EntityUID) -> UnsafeRawBufferPointer {
        edges.pointee.removeAll()
        edges.pointee.appendString(uid.type)
        edges.pointee.appendString(uid.id)
        return edges.pointee.bytes
    }

    /// Encodes (tenant, type, id) into the key buffer and returns its bytes.
    @inline(__always)
    func entityKey(_ uid: EntityUID) -> UnsafeRawBufferPointer {
        keys.pointee.truncate(to: tenantPrefixLength)
        keys.pointee.appendString(uid.type)
        keys.pointee.appendString(uid.id)
        return keys.pointee.bytes
    }
}

extension EntityGraph {
    /// A reusable reader of one tenant's graph (see `GraphReader`); it starts with an open
    /// snapshot, so call `reset()` (or use `read`) when done with it.
    public func reader(tenant: String) throws -> GraphReader {
        try GraphReader(graph: self, tenant: tenant)
    }
}

extension Authorizer {
    /// The LMDB store's entry point, specialized in this module (as the in-memory one is)
    /// so callers in other modules get the direct-call VM rather than the generic one.
    public func authorize(_ request: Request, graph: LMDBEntities, mode: AuthorizationMode = .complete) -> Decision {
        authorize(request, entities: graph, mode: mode)
    }
}
