/// Parses the small strings of rule scopes and test requests with the expression lexer, so
/// that `User::"a\"b"` means the same in a scope as in a condition:
///
///     Scope ::= Path | Path '::' STR | 'in' Path '::' STR | Path 'in' Path '::' STR
enum ScopeParser {
    static let scopeHint = #"a scope is User, User::"alice", in Group::"eng" or User in Group::"eng""#

    static func scope(_ text: String, map: ExpressionSourceMap) throws(Diagnostic) -> Rule.Scope {
        try run(text, map) { (p: inout Cursor) throws(ExpressionError) -> Rule.Scope in
            if p.current.isKeyword("in") {
                p.advance()
                let uid = try p.entity(hint: scopeHint)
                return .in(uid)
            }
            let (type, uid) = try p.typeOrEntity(hint: scopeHint)
            if let uid { return .equal(uid) }
            if p.current.isKeyword("in") {
                p.advance()
                return .typeIn(type, try p.entity(hint: scopeHint))
            }
            return .type(type)
        }
    }

    /// `Type::"id"`, as test requests and entities files write entity references.
    static func entityUID(_ text: String, map: ExpressionSourceMap) throws(Diagnostic) -> EntityUID {
        try run(text, map) { (p: inout Cursor) throws(ExpressionError) -> EntityUID in
            try p.entity(hint: #"write an entity reference as Type::"id""#)
        }
    }

    /// `Type` or `A::B`, as schemas write entity type names.
    static func typeName(_ text: String, map: ExpressionSourceMap) throws(Diagnostic) -> String {
        try run(text, map) { (p: inout Cursor) throws(ExpressionError) -> String in
            let (type, uid) = try p.typeOrEntity(hint: "an entity type is a name such as User or Acme::User")
            if uid != nil {
                throw ExpressionError("expected an entity type, found an entity reference", at: 0,
                    hint: "write the type alone, e.g. User")
            }
            return type
        }
    }

    private static func run<T>(
        _ text: String, _ map: ExpressionSourceMap, _ body: (inout Cursor) throws(ExpressionError) -> T
    ) throws(Diagnostic) -> T {
        do throws(ExpressionError) {
            var cursor = Cursor(tokens: try Lexer.tokenize(text))
            if cursor.current.kind == .end { throw ExpressionError("empty value", at: 0) }
            let value = try body(&cursor)
            guard cursor.current.kind == .end else {
                throw ExpressionError("unexpected \(cursor.current.display)", at: cursor.current.start)
            }
            return value
        } catch {
            throw Diagnostic.error(error.message, at: map.location(at: error.offset), hint: error.hint)
        }
    }

    struct Cursor {
        let tokens: [Token]
        var index = 0

        var current: Token { tokens[index] }

        mutating func advance() {
            if index < tokens.count - 1 { index += 1 }
        }

        mutating func typeOrEntity(hint: String) throws(ExpressionError) -> (String, EntityUID?) {
            guard let first = current.identifier, !CedarExtensions.reserved.contains(first) else {
                throw ExpressionError("expected an entity type, found \(current.display)", at: current.start, hint: hint)
            }
            advance()
            var path = first
            while current.isSymbol(.doubleColon) {
                advance()
                switch current.kind {
                case .identifier(let next) where !CedarExtensions.reserved.contains(next):
                    path += "::" + next
                    advance()
                case .string(let raw):
                    let id = try StringLiteral.unescape(raw, offset: current.start + 1)
                    advance()
                    return (path, EntityUID(type: path, id: id))
                default:
                    throw ExpressionError(
                        "expected a name or an id string after '::', found \(current.display)", at: current.start,
                        hint: hint)
                }
            }
            return (path, nil)
        }

        mutating func entity(hint: String) throws(ExpressionError) -> EntityUID {
            let start = current.start
            let (type, uid) = try typeOrEntity(hint: hint)
            guard let uid else {
                throw ExpressionError("expected an entity reference such as \(type)::\"id\"", at: start, hint: hint)
            }
            return uid
        }
    }
}
