/// A rule after compilation: its bytecode plus what the authorizer reports about it.
public struct CompiledRule: Sendable, Equatable {
    public var id: String
    public var effect: Rule.Effect
    /// Action ids the rule is limited to (nil = any action); used to build the index.
    public var actions: [String]?
    /// The only resource type the rule can match (nil = any); used to build the index.
    public var resourceType: String?
    public var chunk: Chunk
    public var annotations: [String: String]
    public var location: SourceLocation

    public init(
        id: String, effect: Rule.Effect, actions: [String]?, resourceType: String?, chunk: Chunk,
        annotations: [String: String], location: SourceLocation
    ) {
        self.id = id
        self.effect = effect
        self.actions = actions
        self.resourceType = resourceType
        self.chunk = chunk
        self.annotations = annotations
        self.location = location
    }

    /// The resource type a scope pins down, if any. `in E` does not: descendants of E
    /// can be of any type.
    static func resourceType(of scope: Rule.Scope) -> String? {
        switch scope {
        case .any, .in: nil
        case .type(let type), .typeIn(let type, _): type
        case .equal(let uid): uid.type
        }
    }
}
