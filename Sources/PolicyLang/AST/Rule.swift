/// A rule of a `kind: policy` document (DESIGN §3.1).
public struct Rule: Sendable, Equatable {
    public enum Effect: String, Sendable, Equatable {
        case allow
        case deny
    }

    /// The `principal:` / `resource:` scope of a rule.
    public enum Scope: Sendable, Equatable {
        /// field omitted: any entity
        case any
        /// `User`: any entity of that type
        case type(String)
        /// `User::"alice"`: exactly that entity
        case equal(EntityUID)
        /// `in Group::"eng"`: that entity or any descendant of it
        case `in`(EntityUID)
        /// `User in Group::"eng"`: an entity of that type that is in that entity
        case typeIn(String, EntityUID)
    }

    public var id: String
    public var effect: Effect
    public var principal: Scope
    /// Action ids (`read` means `Action::"read"`); nil means any action.
    public var actions: [String]?
    public var resource: Scope
    public var when: Expr?
    public var unless: Expr?
    public var annotations: [String: String]
    /// Where the rule's `- id:` entry starts.
    public var location: SourceLocation

    public init(
        id: String, effect: Effect, principal: Scope = .any, actions: [String]? = nil, resource: Scope = .any,
        when: Expr? = nil, unless: Expr? = nil, annotations: [String: String] = [:], location: SourceLocation
    ) {
        self.id = id
        self.effect = effect
        self.principal = principal
        self.actions = actions
        self.resource = resource
        self.when = when
        self.unless = unless
        self.annotations = annotations
        self.location = location
    }
}
