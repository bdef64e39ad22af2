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

    public func attribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> AttributeLookup {
        guard let found = entities[entity] else { return .noSuchEntity }
        guard let value = found.attributes[name] else { return .noSuchAttribute }
        return .value(value)
    }

    public func hasAttribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> Bool {
        entities[entity]?.attributes[name] != nil
    }

    public func forEachParent(of entity: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError) {
        guard let found = entities[entity] else { return }
        for parent in found.parents { body(parent) }
    }
}
