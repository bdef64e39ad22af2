import PolicyLang

/// Entities held in a dictionary: for `arbiter policy test/eval`, for tests, and as the
/// reference the LMDB-backed source will be checked against.
public struct InMemoryEntities: EntitySource, Sendable {
    public private(set) var entities: [EntityUID: Entity]
    /// The same entities in an array, with each uid's position: the VM's reads go
    /// through `list[slot]`, which reads one attribute or parent list in place, where
    /// reading through the dictionary's values copies the whole `Entity` out (retaining
    /// its attribute dictionary and parent array) on every attribute read.
    private var slots: [EntityUID: Int]
    private var list: [Entity]

    public init() {
        entities = [:]
        slots = [:]
        list = []
    }

    /// Fails on a duplicate uid, as Cedar does when it loads entities.
    public init(_ list: [Entity]) throws(EntityJSONError) {
        entities = Dictionary(minimumCapacity: list.count)
        slots = Dictionary(minimumCapacity: list.count)
        self.list = list
        for (slot, entity) in list.enumerated() {
            guard entities.updateValue(entity, forKey: entity.uid) == nil else {
                throw EntityJSONError("duplicate entity \(entity.uid)")
            }
            slots[entity.uid] = slot
        }
    }

    public mutating func insert(_ entity: Entity) {
        entities[entity.uid] = entity
        if let slot = slots[entity.uid] {
            list[slot] = entity
        } else {
            slots[entity.uid] = list.count
            list.append(entity)
        }
    }

    public subscript(uid: EntityUID) -> Entity? { entities[uid] }

    public var count: Int { entities.count }

    public func attribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> AttributeLookup {
        guard let slot = slots[entity] else { return .noSuchEntity }
        guard let value = list[slot].attributes[name] else { return .noSuchAttribute }
        return .value(value)
    }

    public func hasAttribute(_ name: String, of entity: EntityUID) throws(EntitySourceError) -> Bool {
        guard let slot = slots[entity] else { return false }
        return list[slot].attributes.index(forKey: name) != nil
    }

    public func forEachParent(of entity: EntityUID, _ body: (EntityUID) -> Void) throws(EntitySourceError) {
        guard let slot = slots[entity] else { return }
        for parent in list[slot].parents { body(parent) }
    }
}
