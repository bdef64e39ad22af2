import PolicyLang

/// The answer to a `Request`, in Cedar's terms: the decision, the rules that determined
/// it, and the rules whose conditions raised errors (which therefore did not apply).
public struct Decision: Sendable, Equatable {
    public enum Effect: String, Sendable, Equatable {
        case allow
        case deny
    }

    public var decision: Effect
    /// Ids of the rules that determined the decision, in source order: every satisfied
    /// deny rule if there is one, else every satisfied allow rule; empty for a default
    /// deny. (Fast mode: only the first one found.)
    public var reasons: [String]
    /// Rules whose condition raised an error, in source order. (Fast mode: only those
    /// met before stopping.)
    public var errors: [RuleError]
    /// Explain mode only: each rule evaluated, in evaluation order.
    public var trace: [TraceEntry]

    public init(decision: Effect, reasons: [String], errors: [RuleError], trace: [TraceEntry] = []) {
        self.decision = decision
        self.reasons = reasons
        self.errors = errors
        self.trace = trace
    }
}

public struct RuleError: Sendable, Equatable, CustomStringConvertible {
    public var ruleID: String
    public var message: String
    /// Where in the policy files the failing expression is.
    public var location: SourceLocation?

    public init(ruleID: String, message: String, location: SourceLocation?) {
        self.ruleID = ruleID
        self.message = message
        self.location = location
    }

    public var description: String {
        "\(ruleID): " + (location.map { "\($0): " } ?? "") + message
    }
}

/// One rule as the explain mode saw it.
public struct TraceEntry: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// Principal, action or resource did not match the rule's scope.
        case outOfScope
        /// In scope, but `when` was false or `unless` was true.
        case notSatisfied
        case satisfied
        case error(String)
    }

    public var ruleID: String
    public var effect: Rule.Effect
    public var outcome: Outcome

    public init(ruleID: String, effect: Rule.Effect, outcome: Outcome) {
        self.ruleID = ruleID
        self.effect = effect
        self.outcome = outcome
    }
}

public enum AuthorizationMode: Sendable, Equatable {
    /// Stop at the first satisfied deny rule or, with none, the first satisfied allow.
    case fast
    /// Evaluate every candidate rule; reasons and errors as Cedar reports them.
    case complete
    /// `complete`, plus a trace of every evaluated rule.
    case explain
}

/// Bounds on one evaluation.
public struct EvaluationLimits: Sendable, Equatable {
    /// Deepest parent chain `in` will follow before reporting an error.
    public var maxHierarchyDepth: Int

    public init(maxHierarchyDepth: Int = 256) {
        self.maxHierarchyDepth = maxHierarchyDepth
    }
}
