/// One invalid input field, named by its JSON field name, with a message a person can act on.
public struct FieldError: Error, Codable, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// An input that failed validation: every problem found, not only the first.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }
}
