import PolicyLang

/// What the VM may ask of the entity store. It asks for one attribute or one entity's
/// direct parents at a time, never for a whole entity, so that the LMDB implementation
/// (next issue) can answer straight from memory-mapped pages: look up one key, decode
/// one attribute value, walk one parent list. The VM adds the transitive walk, the
/// visited set and the per-request memo on top (see `AncestorMemo`).
///
/// The VM is generic over this protocol (never `any EntitySource`), so each concrete
/// store gets a specialized VM with direct calls and no existential boxing.
public protocol EntitySource {
    /// One attribute of one entity.
    func attribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> AttributeLookup
    /// Whether the entity exists and has the attribute (Cedar: `has` on a missing
    /// entity is false, not an error). Need not decode the value.
    func hasAttribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> Bool
    /// Calls `body` with each direct parent of `entity` (none when it does not exist).
    func forEachParent(of entity: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError)
    /// Optional (the default answers false): every transitive ancestor of `entity` from a
    /// closure the store keeps precomputed (Zanzibar's Leopard index), so that `in` costs
    /// one read instead of one per level. Calls `body` with exactly the set the
    /// breadth-first walk over `forEachParent` would find (in any order, duplicates
    /// allowed) and returns true; returns false, having called nothing, when it has no
    /// closure for the entity or the walk would go deeper than `maxDepth` levels — the
    /// caller then walks `forEachParent` itself (and reports the depth error).
    func forEachAncestor(of entity: EntityUID, maxDepth: Int, _ body: (EntityUID) -> Void) throws(EntitySourceError) -> Bool
    /// `forEachParent` for an action entity (the request's action and its action
    /// groups), which every decision asks about: a store may answer from a cache it keeps
    /// while its data does not change. The default is `forEachParent`.
    func forEachActionParent(of action: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError)
    /// Optional (the default answers nil): whether `ancestor` is in `entity`'s
    /// precomputed closure, answered without listing the closure; nil when the store has
    /// no closure for it or the walk would go deeper than `maxDepth` (the caller then
    /// uses `forEachAncestor` / the walk, and their depth error).
    func closureContains(_ entity: EntityUID, ancestor: EntityUID, maxDepth: Int) throws(EntitySourceError) -> Bool?
}

extension EntitySource {
    public func closureContains(_ entity: EntityUID, ancestor: EntityUID, maxDepth: Int) throws(EntitySourceError) -> Bool? {
        nil
    }

    public func forEachActionParent(of action: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError) {
        try forEachParent(of: action, body)
    }

    public func forEachAncestor(of entity: EntityUID, maxDepth: Int, _ body: (EntityUID) -> Void) throws(EntitySourceError) -> Bool {
        false
    }
}

public enum AttributeLookup: Sendable, Equatable {
    case value(Value)
    case noSuchAttribute
    case noSuchEntity
}

/// A failure of the store itself (I/O, corruption); the rule being evaluated errors.
public struct EntitySourceError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
