import Foundation
import PolicyLang
import Store

/// The entitlement graph of every tenant in LMDB (DESIGN §3.4):
/// - `graph.entities`  (tenant, type, id) → attributes in `AttributeCodec` form
/// - `graph.parents`   (tenant, type, id) → (type, id) of each parent, one duplicate each
/// - `graph.children`  (tenant, type, id) → (type, id) of each child, the reverse index
/// - `graph.ancestors` (tenant, type, id) → every transitive ancestor, for tenants that
///   turned ancestor closures on (see `AncestorClosures.swift`)
/// Every change bumps the tenant's revision in the same write transaction.
public final class EntityGraph: Sendable {
    public let environment: Store.Environment
    public let tables: Tables

    public struct Tables: Sendable {
        public let entities: Table
        public let parents: Table
        public let children: Table
        public let ancestors: Table
    }

    public init(environment: Store.Environment) throws {
        self.environment = environment
        tables = Tables(
            entities: try environment.table("graph.entities"),
            parents: try environment.table("graph.parents", options: .duplicateKeys),
            children: try environment.table("graph.children", options: .duplicateKeys),
            ancestors: try environment.table("graph.ancestors"))
    }

    static func entityKey(_ tenant: String, _ uid: EntityUID) -> Key {
        Key(.string(tenant), .string(uid.type), .string(uid.id))
    }

    static func edgeValue(_ uid: EntityUID) -> [UInt8] {
        Key(.string(uid.type), .string(uid.id)).bytes
    }

    /// Decodes a parent or child edge value, (type, id), straight from the mapped bytes.
    @inline(__always)
    static func uid(fromEdge bytes: UnsafeRawBufferPointer) throws(EntitySourceError) -> EntityUID {
        guard let (type, next) = Key.decodeString(bytes, at: 0),
              let (id, end) = Key.decodeString(bytes, at: next), end == bytes.count
        else { throw AttributeCodec.corrupt }
        return EntityUID(type: type, id: id)
    }

    // MARK: Writes inside a caller's transaction

    /// Creates or replaces entities: attributes and parent edges both take the new values.
    /// For use inside a write transaction that also records the change that caused it.
    public func upsert(_ entities: [Entity], tenant: String, in txn: WriteTransaction) throws {
        for entity in entities {
            let key = Self.entityKey(tenant, entity.uid)
            try txn.put(tables.entities, key, AttributeCodec.encode(entity.attributes))
            try removeParentEdges(of: entity.uid, key: key, tenant: tenant, in: txn)
            for parent in entity.parents {
                try txn.put(tables.parents, key, Self.edgeValue(parent))
                try txn.put(tables.children, Self.entityKey(tenant, parent), Self.edgeValue(entity.uid))
            }
        }
        if try ancestorClosuresEnabled(tenant: tenant, in: txn) {
            try updateAncestorClosures(from: entities.map(\.uid), tenant: tenant, in: txn)
        }
    }

    /// Deletes entities and their parent edges. Edges of children that point at a deleted
    /// entity stay, as Cedar allows parents that are not themselves entities.
    public func delete(_ uids: [EntityUID], tenant: String, in txn: WriteTransaction) throws {
        for uid in uids {
            let key = Self.entityKey(tenant, uid)
            try txn.delete(tables.entities, key)
            try removeParentEdges(of: uid, key: key, tenant: tenant, in: txn)
        }
        if try ancestorClosuresEnabled(tenant: tenant, in: txn) {
            try updateAncestorClosures(from: uids, tenant: tenant, in: txn)
        }
    }

    private func removeParentEdges(of uid: EntityUID, key: Key, tenant: String, in txn: WriteTransaction) throws {
        var oldParents: [EntityUID] = []
        try txn.forEachDuplicate(tables.parents, key) { value in
            oldParents.append(try Self.uid(fromEdge: value))
            return true
        }
        guard !oldParents.isEmpty else { return }
        try txn.delete(tables.parents, key)
        let childEdge = Self.edgeValue(uid)
        for parent in oldParents {
            try txn.delete(tables.children, Self.entityKey(tenant, parent), value: childEdge)
        }
    }

    // MARK: Whole changes

    /// Upserts and deletes in one write transaction, with the tenant's revision bump and an
    /// audit event; returns the new revision.
    public func apply(tenant: String, upserts: [Entity], deletes: [EntityUID] = [], actor: String, reason: String? = nil) async throws -> UInt64 {
        try await environment.write { txn in
            try self.upsert(upserts, tenant: tenant, in: txn)
            try self.delete(deletes, tenant: tenant, in: txn)
            let revision = try txn.bumpRevision(tenant: tenant)
            try txn.appendAudit(AuditEvent(
                tenantId: tenant, actor: actor, action: "graph.write", target: "graph",
                reason: reason ?? "\(upserts.count) upserted, \(deletes.count) deleted"))
            return revision
        }
    }

    // MARK: Reads

    /// Runs `body` with the tenant's graph as of one consistent snapshot.
    /// For many reads in a row, keep a `reader(tenant:)` instead.
    public func read<T>(tenant: String, _ body: (LMDBEntities) throws -> T) throws -> T {
        let reader = try GraphReader(graph: self, tenant: tenant)
        defer { reader.reset() }
        return try body(reader.entities)
    }

    /// Read-your-writes: runs `body` on a snapshot at `revision` or newer. A single node's
    /// newest snapshot always includes every committed write, so the only failure is a
    /// revision the tenant has not reached, which throws `RevisionNotReached`.
    public func read<T>(tenant: String, atLeast revision: UInt64, _ body: (LMDBEntities) throws -> T) throws -> T {
        try read(tenant: tenant) { entities in
            let current = try entities.revision()
            guard current >= revision else { throw RevisionNotReached(requested: revision, current: current) }
            return try body(entities)
        }
    }
}
