/// A lexical token of a Cedar expression. Offsets count Unicode scalars of the expression
/// text; `ExpressionSourceMap` turns them into file positions.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        /// The magnitude of an integer literal; the sign is applied by the parser, so that
        /// `-9223372036854775808` (magnitude 2^63) can be accepted there.
        case integer(UInt64)
        /// The raw text between the quotes, escapes still in place: `like` patterns and
        /// ordinary strings give `\*` different meanings.
        case string(raw: String)
        case symbol(Symbol)
        case end
    }

    enum Symbol: String, Sendable, Equatable, CaseIterable {
        case leftParen = "(", rightParen = ")"
        case leftBracket = "[", rightBracket = "]"
        case leftBrace = "{", rightBrace = "}"
        case comma = ",", colon = ":", doubleColon = "::", dot = "."
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case and = "&&", or = "||", not = "!"
        case plus = "+", minus = "-", star = "*"
    }

    var kind: Kind
    var start: Int
    var end: Int

    var identifier: String? {
        if case .identifier(let name) = kind { return name }
        return nil
    }

    func isSymbol(_ symbol: Symbol) -> Bool { kind == .symbol(symbol) }

    func isKeyword(_ word: String) -> Bool { kind == .identifier(word) }

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .identifier(let name): return "'\(name)'"
        case .integer(let value): return "'\(value)'"
        case .string(let raw): return "\"\(raw.count > 20 ? String(raw.prefix(20)) + "…" : raw)\""
        case .symbol(let symbol): return "'\(symbol.rawValue)'"
        case .end: return "the end of the expression"
        }
    }
}

/// A lexing or parsing failure: the offset in the expression text where it was noticed.
struct ExpressionError: Error, Sendable, Equatable {
    var message: String
    var offset: Int
    var hint: String?

    init(_ message: String, at offset: Int, hint: String? = nil) {
        self.message = message
        self.offset = offset
        self.hint = hint
    }
}
