import PolicyLang
import Store
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    let parents: ReadCursor
    /// The last few entity records found in this snapshot (see `RecordCache`).
    let records: UnsafeMutablePointer<RecordCache>
    /// Whether `in` may read the tenant's precomputed ancestor closures when it keeps
    /// them (see `AncestorClosures.swift`); false always walks parent edges.
    public var usesAncestorClosures = true
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
        parents = try transaction.cursor(graph.tables.parents)
        records = .allocate(capacity: 1)
        records.initialize(to: RecordCache())
    }

    deinit {
        records.pointee.deallocate()
        records.deinitialize(count: 1)
        records.deallocate()
        keys.pointee.deallocate()
        keys.deinitialize(count: 1)
        keys.deallocate()
    }

    /// Starts a new snapshot (the latest revision). Idempotent while one is open.
    public func renew() throws {
        records.pointee.clear()
        try transaction.renew()
    }

    /// Ends the snapshot, so writers may reuse its pages.
    public func reset() {
        records.pointee.clear()
        transaction.reset()
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
    /// `attribute` call; the cache turns the repeats into a key compare instead of a
    /// B-tree descent. Pages of a read snapshot never change, so the pointers stay valid
    /// until the snapshot ends, when the cache is cleared.
    @inline(__always)
    func record(of uid: EntityUID) throws(EntitySourceError) -> UnsafeRawBufferPointer? {
        let key = entityKey(uid)
        if let slot = records.pointee.slot(of: key) { return records.pointee.records[slot] }
        let (found, code) = transaction.transaction.withValue(graph.tables.entities, rawKey: key) { $0 }
        if let error = LMDBError.failed(code) { throw EntitySourceError("graph store: \(error)") }
        records.pointee.insert(key, found)
        return found
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
        let (found, code) = transaction.transaction.withValue(graph.tables.ancestors, rawKey: entityKey(uid)) { $0 }
        if let error = LMDBError.failed(code) { throw EntitySourceError("graph store: \(error)") }
        return .some(found)
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

/// A handful of (entity key → record in the map) pairs, in memory allocated once,
/// replaced round-robin. Keys longer than a slot are simply not cached.
struct RecordCache {
    static let slots = 8
    static let slotBytes = 96
    let keyBytes: UnsafeMutableRawPointer
    let keyLengths: UnsafeMutablePointer<Int>
    let records: UnsafeMutablePointer<UnsafeRawBufferPointer?>
    var used = 0
    var next = 0

    init() {
        keyBytes = .allocate(byteCount: Self.slots * Self.slotBytes, alignment: 8)
        keyLengths = .allocate(capacity: Self.slots)
        keyLengths.initialize(repeating: 0, count: Self.slots)
        records = .allocate(capacity: Self.slots)
        records.initialize(repeating: nil, count: Self.slots)
    }

    func deallocate() {
        keyBytes.deallocate()
        keyLengths.deallocate()
        records.deallocate()
    }

    mutating func clear() {
        used = 0
        next = 0
    }

    @inline(__always)
    func slot(of key: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        while i < used {
            if keyLengths[i] == key.count, memcmp(keyBytes + i * Self.slotBytes, key.baseAddress!, key.count) == 0 { return i }
            i += 1
        }
        return nil
    }

    mutating func insert(_ key: UnsafeRawBufferPointer, _ record: UnsafeRawBufferPointer?) {
        guard key.count <= Self.slotBytes else { return }
        let i = next
        next = (next + 1) % Self.slots
        if used < Self.slots { used += 1 }
        (keyBytes + i * Self.slotBytes).copyMemory(from: key.baseAddress!, byteCount: key.count)
        keyLengths[i] = key.count
        records[i] = record
    }
}
