/// One problem found while compiling rules to bytecode. It carries what an editor needs
/// (where, what, how to fix); the front end maps these onto its `Diagnostic` type.
public struct CompileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public var hint: String?
    /// The rule being compiled when the problem was found, if any.
    public var ruleID: String?

    public init(_ message: String, at location: SourceLocation, hint: String? = nil, rule ruleID: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
        self.ruleID = ruleID
    }

    public var description: String {
        var text = "\(location): \(message)"
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}

/// Thrown by `PolicyCompiler.compile` with every problem found in one run, not only the
/// first, so an author fixes a file in one pass.
public struct CompileErrors: Error, Equatable, Sendable, CustomStringConvertible {
    public var errors: [CompileError]

    public init(_ errors: [CompileError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
