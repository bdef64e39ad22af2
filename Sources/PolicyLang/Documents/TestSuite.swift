/// A `kind: test` document: entities and the decisions expected for some requests.
public struct TestSuite: Sendable, Equatable {
    public var id: String
    /// Inline `entities:` followed by those read from `entitiesFile`.
    public var entities: [EntityRecord]
    /// `entitiesFile:` as resolved against the YAML file's folder, if given.
    public var entitiesFile: String?
    public var cases: [TestCase]
    public var location: SourceLocation

    public init(
        id: String, entities: [EntityRecord] = [], entitiesFile: String? = nil, cases: [TestCase] = [],
        location: SourceLocation
    ) {
        self.id = id
        self.entities = entities
        self.entitiesFile = entitiesFile
        self.cases = cases
        self.location = location
    }
}

public struct TestCase: Sendable, Equatable {
    public enum Decision: String, Sendable, Equatable {
        case allow
        case deny
    }

    public var name: String
    public var principal: EntityUID
    /// `action: read` is short for `Action::"read"`, matching a rule's `actions:` list.
    public var action: EntityUID
    public var resource: EntityUID
    public var context: [String: LiteralValue]
    public var expect: Decision
    /// Rule ids expected to determine the decision; nil when the case does not say.
    public var reasons: [String]?
    public var location: SourceLocation

    public init(
        name: String, principal: EntityUID, action: EntityUID, resource: EntityUID,
        context: [String: LiteralValue] = [:], expect: Decision, reasons: [String]? = nil, location: SourceLocation
    ) {
        self.name = name
        self.principal = principal
        self.action = action
        self.resource = resource
        self.context = context
        self.expect = expect
        self.reasons = reasons
        self.location = location
    }
}
