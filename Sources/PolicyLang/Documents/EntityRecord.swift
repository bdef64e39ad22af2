/// One entity of a test suite, in Cedar's JSON entities format (`uid`, `attrs`, `parents`).
public struct EntityRecord: Sendable, Equatable {
    public var uid: EntityUID
    public var attributes: [String: LiteralValue]
    public var parents: [EntityUID]
    public var location: SourceLocation

    public init(
        uid: EntityUID, attributes: [String: LiteralValue] = [:], parents: [EntityUID] = [],
        location: SourceLocation
    ) {
        self.uid = uid
        self.attributes = attributes
        self.parents = parents
        self.location = location
    }
}
