import PolicyLang

/// Why a rule's condition could not be evaluated (type error, missing attribute,
/// overflow, bad extension literal, entity store failure). As in Cedar, the error is a
/// value carrying the source location of the expression that raised it.
public struct EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    public var description: String {
        location.map { "\($0): \(message)" } ?? message
    }

    static func type(expected: String, got value: Value) -> EvaluationError {
        EvaluationError("type error: expected \(expected), got \(value.typeName)")
    }
}
