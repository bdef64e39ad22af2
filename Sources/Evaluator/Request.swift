import PolicyLang

/// One authorization question: may `principal` do `action` to `resource`, given
/// `context`?
public struct Request: Sendable, Equatable {
    public var principal: EntityUID
    public var action: EntityUID
    public var resource: EntityUID
    public var context: [String: Value]

    public init(principal: EntityUID, action: EntityUID, resource: EntityUID, context: [String: Value] = [:]) {
        self.principal = principal
        self.action = action
        self.resource = resource
        self.context = context
    }
}
