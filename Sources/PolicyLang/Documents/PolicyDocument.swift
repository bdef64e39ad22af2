/// A `kind: policy` document; its rules live in `PolicySet.rules`, in file order.
public struct PolicyDocument: Sendable, Equatable {
    public var id: String
    public var ruleIDs: [String]
    public var location: SourceLocation

    public init(id: String, ruleIDs: [String], location: SourceLocation) {
        self.id = id
        self.ruleIDs = ruleIDs
        self.location = location
    }
}

/// Where each part of a rule was written, so that later passes (type checker, compiler)
/// can point at the field at fault rather than at the start of the rule.
public struct RuleSource: Sendable, Equatable {
    /// Position of each field's value: "id", "effect", "principal", "resource", "actions",
    /// "when", "unless", "annotations".
    public var fields: [String: SourceLocation]
    /// Position of each entry of `actions:`, in order.
    public var actions: [SourceLocation]

    public init(fields: [String: SourceLocation] = [:], actions: [SourceLocation] = []) {
        self.fields = fields
        self.actions = actions
    }
}
