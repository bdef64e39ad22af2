import PolicyLang

/// Entities held in a dictionary: for `arbiter policy test/eval`, for tests, and as the
/// reference the LMDB-backed source will be checked against.
public struct InMemoryEntities: EntitySource, Sendable {
    public private(set) var entities: [EntityUID: Entity]

    public init() { entities = [:] }

    /// Fails on a duplicate uid, as Cedar does when it loads entities.
    public init(_ list: [Entity]) throws(EntityJSONError) {
        entities = Dictionary(minimumCapacity: list.count)
        for entity in list {
            guard entities.updateValue(entity, forKey: entity.uid) == nil else {
                throw EntityJSONError("duplicate entity \(entity.uid)")
            }
        }
    }

    public mutating func insert(_ entity: Entity) { entities[entity.uid] = entity }

    public subscript(uid: EntityUID) -> Entity? { entities[uid] }

    public var count: Int { entities.count }

    // The lookups below go through an index and `values[index]` (a borrowing accessor),
    // so they read one attribute or the parent list in place instead of copying the
    // whole `Entity` (and retaining its dictionary and array) out of the dictionary.

    public func attribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> AttributeLookup {
        guard let index = entities.index(forKey: entity) else { return .noSuchEntity }
        guard let value = entities.values[index].attributes[name] else { return .noSuchAttribute }
        return .value(value)
    }

    public func hasAttribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> Bool {
        guard let index = entities.index(forKey: entity) else { return false }
        return entities.values[index].attributes.index(forKey: name) != nil
    }

    public func forEachParent(of entity: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError) {
        guard let index = entities.index(forKey: entity) else { return }
        for parent in entities.values[index].parents { body(parent) }
    }
}
