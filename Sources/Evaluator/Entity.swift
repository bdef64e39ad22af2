import PolicyLang

/// One entity as held in memory: uid, attributes, direct parents.
public struct Entity: Sendable, Equatable {
    public var uid: EntityUID
    public var attributes: [String: Value]
    public var parents: [EntityUID]

    public init(uid: EntityUID, attributes: [String: Value] = [:], parents: [EntityUID] = []) {
        self.uid = uid
        self.attributes = attributes
        self.parents = parents
    }
}
