/// Recursive-descent parser for the Cedar expression subset of DESIGN §3.2, following
/// Cedar's grammar and precedence:
///
///     Expr     ::= Or | 'if' Expr 'then' Expr 'else' Expr
///     Or       ::= And {'||' And}
///     And      ::= Relation {'&&' Relation}
///     Relation ::= Add [RELOP Add] | Add 'has' (IDENT | STR) | Add 'like' PAT
///                | Add 'is' Path ['in' Add]                  (non-associative)
///     Add      ::= Mult {('+' | '-') Mult}
///     Mult     ::= Unary {'*' Unary}
///     Unary    ::= ['!'{1,4} | '-'{1,4}] Member
///     Member   ::= Primary {'.' IDENT ['(' Args ')'] | '[' STR ']'}
///     Primary  ::= literal | variable | Path '::' STR | Path '(' Args ')'
///                | '(' Expr ')' | '[' Args ']' | '{' RecInits '}'
///
/// Every `Expr` carries the file position where its text starts.
public enum ExpressionParser {
    /// Parses `text`, mapping offsets to file positions with `map`.
    public static func parse(
        _ text: String, map: ExpressionSourceMap, limits: PolicyLimits = PolicyLimits()
    ) throws(Diagnostic) -> Expr {
        do throws(ExpressionError) {
            return try parseOrThrow(text, map: map, limits: limits)
        } catch {
            throw Diagnostic.error(error.message, at: map.location(at: error.offset), hint: error.hint)
        }
    }

    /// Parses text laid out verbatim from `start` (command line, tests).
    public static func parse(
        _ text: String, file: String = "<expression>", line: Int = 1, column: Int = 1,
        limits: PolicyLimits = PolicyLimits()
    ) throws(Diagnostic) -> Expr {
        try parse(
            text, map: .verbatim(text, start: SourceLocation(file: file, line: line, column: column)), limits: limits)
    }

    private static func parseOrThrow(
        _ text: String, map: ExpressionSourceMap, limits: PolicyLimits
    ) throws(ExpressionError) -> Expr {
        let length = text.unicodeScalars.count
        guard length <= limits.maxExpressionLength else {
            throw ExpressionError(
                "condition is \(length) characters long; the limit is \(limits.maxExpressionLength)", at: 0,
                hint: "split it over several rules")
        }
        var parser = Parser(tokens: try Lexer.tokenize(text), map: map, limits: limits)
        if parser.current.kind == .end {
            throw ExpressionError("empty condition", at: 0, hint: "write an expression, or leave the field out")
        }
        let node = try parser.parseExpression()
        guard parser.current.kind == .end else {
            throw ExpressionError(
                "unexpected \(parser.current.display) after a complete expression", at: parser.current.start,
                hint: "combine conditions with && or ||")
        }
        return node.expr
    }
}

/// Extension functions and methods (DESIGN §3.2) and how many arguments each takes
/// besides the receiver.
enum CedarExtensions {
    static let functions: [String: Int] = ["ip": 1, "decimal": 1]
    static let methods: [String: Int] = [
        "isInRange": 1, "isIpv4": 0, "isIpv6": 0, "isLoopback": 0, "isMulticast": 0,
        "lessThan": 1, "lessThanOrEqual": 1, "greaterThan": 1, "greaterThanOrEqual": 1,
    ]
    static let setMethods: [String: BinaryOperator] = [
        "contains": .contains, "containsAll": .containsAll, "containsAny": .containsAny,
    ]
    static let reserved: Set<String> = ["true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"]
}

private struct Parser {
    /// A parsed expression and the height of its tree, tracked as we build so that the
    /// depth limit is enforced without a second recursive pass.
    struct Node {
        var expr: Expr
        var height: Int
    }

    let tokens: [Token]
    let map: ExpressionSourceMap
    let limits: PolicyLimits
    var position = 0
    var nesting = 0

    init(tokens: [Token], map: ExpressionSourceMap, limits: PolicyLimits) {
        self.tokens = tokens
        self.map = map
        self.limits = limits
    }

    var current: Token { tokens[position] }
    var following: Token { tokens[min(position + 1, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    mutating func expect(_ symbol: Token.Symbol, _ context: String) throws(ExpressionError) -> Token {
        guard current.isSymbol(symbol) else {
            throw ExpressionError("expected '\(symbol.rawValue)' \(context), found \(current.display)", at: current.start)
        }
        return advance()
    }

    func make(_ kind: ExprKind, at offset: Int, _ children: Node...) throws(ExpressionError) -> Node {
        try make(kind, at: offset, children: children)
    }

    func make(_ kind: ExprKind, at offset: Int, children: [Node]) throws(ExpressionError) -> Node {
        let height = 1 + (children.map(\.height).max() ?? 0)
        guard height <= limits.maxExpressionDepth else {
            throw ExpressionError(
                "expression is more than \(limits.maxExpressionDepth) levels deep", at: offset,
                hint: "split the condition over several rules")
        }
        return Node(expr: Expr(kind, at: map.location(at: offset)), height: height)
    }

    // MARK: Expr, Or, And

    mutating func parseExpression() throws(ExpressionError) -> Node {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= limits.maxExpressionNesting else {
            throw ExpressionError(
                "expression nested more than \(limits.maxExpressionNesting) levels", at: current.start,
                hint: "split the condition over several rules")
        }
        if current.isKeyword("if") {
            let start = advance().start
            let condition = try parseExpression()
            try expectKeyword("then", "after the condition of 'if'")
            let then = try parseExpression()
            try expectKeyword("else", "after the 'then' branch; Cedar's 'if' always has an 'else'")
            let otherwise = try parseExpression()
            return try make(.ifThenElse(condition.expr, then.expr, otherwise.expr), at: start, condition, then, otherwise)
        }
        return try parseOr()
    }

    mutating func expectKeyword(_ word: String, _ context: String) throws(ExpressionError) {
        guard current.isKeyword(word) else {
            throw ExpressionError("expected '\(word)' \(context), found \(current.display)", at: current.start)
        }
        advance()
    }

    mutating func parseOr() throws(ExpressionError) -> Node {
        let start = current.start
        var lhs = try parseAnd()
        while current.isSymbol(.or) {
            advance()
            let rhs = try parseAnd()
            lhs = try make(.binary(.or, lhs.expr, rhs.expr), at: start, lhs, rhs)
        }
        return lhs
    }

    mutating func parseAnd() throws(ExpressionError) -> Node {
        let start = current.start
        var lhs = try parseRelation()
        while current.isSymbol(.and) {
            advance()
            let rhs = try parseRelation()
            lhs = try make(.binary(.and, lhs.expr, rhs.expr), at: start, lhs, rhs)
        }
        return lhs
    }

    // MARK: Relation

    static let relations: [Token.Symbol: BinaryOperator] = [
        .equal: .equal, .notEqual: .notEqual, .less: .less, .lessOrEqual: .lessOrEqual,
        .greater: .greater, .greaterOrEqual: .greaterOrEqual,
    ]

    var atRelation: Bool {
        if case .symbol(let s) = current.kind, Self.relations[s] != nil { return true }
        return current.isKeyword("in") || current.isKeyword("has") || current.isKeyword("like")
            || current.isKeyword("is")
    }

    mutating func parseRelation() throws(ExpressionError) -> Node {
        let start = current.start
        let lhs = try parseAdd()
        guard atRelation else { return lhs }
        let opToken = advance()
        let result: Node
        if case .symbol(let s) = opToken.kind, let op = Self.relations[s] {
            let rhs = try parseAdd()
            result = try make(.binary(op, lhs.expr, rhs.expr), at: start, lhs, rhs)
        } else if opToken.isKeyword("in") {
            let rhs = try parseAdd()
            result = try make(.binary(.in, lhs.expr, rhs.expr), at: start, lhs, rhs)
        } else if opToken.isKeyword("has") {
            let name: String
            switch current.kind {
            case .identifier(let word): name = word
            case .string(let raw): name = try StringLiteral.unescape(raw, offset: current.start + 1)
            default:
                throw ExpressionError(
                    "expected an attribute name after 'has', found \(current.display)", at: current.start,
                    hint: "write `e has name` or `e has \"name with spaces\"`")
            }
            advance()
            result = try make(.hasAttribute(lhs.expr, name), at: start, lhs)
        } else if opToken.isKeyword("like") {
            guard case .string(let raw) = current.kind else {
                throw ExpressionError(
                    "expected a pattern string after 'like', found \(current.display)", at: current.start,
                    hint: "write `e like \"prefix*\"`; * is a wildcard and \\* a literal star")
            }
            let pattern = try StringLiteral.pattern(raw, offset: current.start + 1)
            advance()
            result = try make(.like(lhs.expr, pattern), at: start, lhs)
        } else {
            let type = try parseTypePath(after: "'is'")
            if current.isKeyword("in") {
                advance()
                let container = try parseAdd()
                result = try make(.isType(lhs.expr, type, in: container.expr), at: start, lhs, container)
            } else {
                result = try make(.isType(lhs.expr, type, in: nil), at: start, lhs)
            }
        }
        if atRelation {
            throw ExpressionError(
                "comparison operators cannot be chained: unexpected \(current.display)", at: current.start,
                hint: "combine comparisons with && or add parentheses")
        }
        return result
    }

    mutating func parseTypePath(after context: String) throws(ExpressionError) -> String {
        guard let first = current.identifier, !CedarExtensions.reserved.contains(first) else {
            throw ExpressionError(
                "expected an entity type after \(context), found \(current.display)", at: current.start)
        }
        advance()
        var path = first
        while current.isSymbol(.doubleColon) {
            if case .string = following.kind {
                throw ExpressionError(
                    "expected an entity type after \(context), found an entity reference", at: current.start,
                    hint: "write the type alone, e.g. `principal is User`")
            }
            advance()
            guard let next = current.identifier, !CedarExtensions.reserved.contains(next) else {
                throw ExpressionError("expected a name after '::', found \(current.display)", at: current.start)
            }
            advance()
            path += "::" + next
        }
        return path
    }

    // MARK: Add, Mult, Unary

    mutating func parseAdd() throws(ExpressionError) -> Node {
        let start = current.start
        var lhs = try parseMult()
        while current.isSymbol(.plus) || current.isSymbol(.minus) {
            let op: BinaryOperator = advance().isSymbol(.plus) ? .add : .subtract
            let rhs = try parseMult()
            lhs = try make(.binary(op, lhs.expr, rhs.expr), at: start, lhs, rhs)
        }
        return lhs
    }

    mutating func parseMult() throws(ExpressionError) -> Node {
        let start = current.start
        var lhs = try parseUnary()
        while current.isSymbol(.star) {
            advance()
            let rhs = try parseUnary()
            lhs = try make(.binary(.multiply, lhs.expr, rhs.expr), at: start, lhs, rhs)
        }
        return lhs
    }

    mutating func parseUnary() throws(ExpressionError) -> Node {
        let start = current.start
        guard current.isSymbol(.not) || current.isSymbol(.minus) else { return try parseMember() }
        let symbol: Token.Symbol = current.isSymbol(.not) ? .not : .minus
        var starts: [Int] = []
        while current.isSymbol(symbol) { starts.append(advance().start) }
        if current.isSymbol(symbol == .not ? .minus : .not) {
            throw ExpressionError(
                "'!' and '-' cannot follow each other without parentheses", at: current.start,
                hint: "write !(-x) or -(!x)")
        }
        if starts.count > 4 {
            throw ExpressionError(
                "more than four '\(symbol.rawValue)' in a row", at: start, hint: "Cedar allows at most four")
        }
        var operand: Node
        if symbol == .minus, case .integer(let magnitude) = current.kind,
            !following.isSymbol(.dot), !following.isSymbol(.leftBracket)
        {
            // The innermost minus belongs to the literal, so that -9223372036854775808,
            // whose magnitude does not fit in Int64, is a valid literal as in Cedar.
            let literalStart = starts.removeLast()
            advance()
            let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            operand = try make(.long(value), at: literalStart)
        } else {
            operand = try parseMember()
        }
        let op: UnaryOperator = symbol == .not ? .not : .negate
        for at in starts.reversed() {
            operand = try make(.unary(op, operand.expr), at: at, operand)
        }
        return operand
    }

    // MARK: Member

    mutating func parseMember() throws(ExpressionError) -> Node {
        let start = current.start
        var node = try parsePrimary()
        while true {
            if current.isSymbol(.dot) {
                advance()
                guard let name = current.identifier else {
                    throw ExpressionError(
                        "expected an attribute or method name after '.', found \(current.display)", at: current.start)
                }
                let nameToken = advance()
                if current.isSymbol(.leftParen) {
                    let (args, end) = try parseArguments()
                    node = try method(name, receiver: node, args: args, nameAt: nameToken.start, start: start, end: end)
                } else {
                    node = try make(.getAttribute(node.expr, name), at: start, node)
                }
            } else if current.isSymbol(.leftBracket) {
                advance()
                guard case .string(let raw) = current.kind else {
                    throw ExpressionError(
                        "expected a string attribute name inside [ ], found \(current.display)", at: current.start,
                        hint: "write e[\"name\"]; Cedar has no computed attribute names")
                }
                let name = try StringLiteral.unescape(raw, offset: current.start + 1)
                advance()
                _ = try expect(.rightBracket, "after the attribute name")
                node = try make(.getAttribute(node.expr, name), at: start, node)
            } else {
                return node
            }
        }
    }

    mutating func parseArguments() throws(ExpressionError) -> ([Node], Int) {
        _ = try expect(.leftParen, "before the arguments")
        var args: [Node] = []
        if !current.isSymbol(.rightParen) {
            while true {
                args.append(try parseExpression())
                if current.isSymbol(.comma) { advance(); continue }
                break
            }
        }
        let close = try expect(.rightParen, "after the arguments")
        return (args, close.start)
    }

    func method(
        _ name: String, receiver: Node, args: [Node], nameAt: Int, start: Int, end: Int
    ) throws(ExpressionError) -> Node {
        if let op = CedarExtensions.setMethods[name] {
            guard args.count == 1 else {
                throw ExpressionError(".\(name)() takes one argument, got \(args.count)", at: nameAt)
            }
            return try make(.binary(op, receiver.expr, args[0].expr), at: start, receiver, args[0])
        }
        guard let arity = CedarExtensions.methods[name] else {
            throw ExpressionError(
                "unknown method '\(name)'", at: nameAt,
                hint: "methods: " + (CedarExtensions.setMethods.keys.sorted() + CedarExtensions.methods.keys.sorted())
                    .joined(separator: ", "))
        }
        guard args.count == arity else {
            throw ExpressionError(
                ".\(name)() takes \(arity == 0 ? "no arguments" : "one argument"), got \(args.count)", at: nameAt)
        }
        return try make(.method(receiver.expr, name, args.map(\.expr)), at: start, children: [receiver] + args)
    }

    // MARK: Primary

    mutating func parsePrimary() throws(ExpressionError) -> Node {
        let token = current
        switch token.kind {
        case .integer(let magnitude):
            guard magnitude <= UInt64(Int64.max) else {
                throw ExpressionError(
                    "integer literal \(magnitude) does not fit in 64 bits", at: token.start,
                    hint: "integers range from -9223372036854775808 to 9223372036854775807")
            }
            advance()
            return try make(.long(Int64(magnitude)), at: token.start)
        case .string(let raw):
            let value = try StringLiteral.unescape(raw, offset: token.start + 1)
            advance()
            return try make(.string(value), at: token.start)
        case .symbol(.leftParen):
            advance()
            let inner = try parseExpression()
            _ = try expect(.rightParen, "to close the '(' opened here")
            return inner
        case .symbol(.leftBracket):
            advance()
            var elements: [Node] = []
            if !current.isSymbol(.rightBracket) {
                while true {
                    elements.append(try parseExpression())
                    if current.isSymbol(.comma) { advance(); continue }
                    break
                }
            }
            _ = try expect(.rightBracket, "to close the set")
            return try make(.set(elements.map(\.expr)), at: token.start, children: elements)
        case .symbol(.leftBrace):
            return try parseRecord()
        case .identifier(let word):
            return try parseName(word, token)
        case .end:
            throw ExpressionError("unexpected end of the expression", at: token.start, hint: "an operand is missing")
        case .symbol:
            throw ExpressionError("expected an expression, found \(token.display)", at: token.start)
        }
    }

    mutating func parseRecord() throws(ExpressionError) -> Node {
        let open = advance()
        var fields: [(String, Expr)] = []
        var children: [Node] = []
        var seen: [String: Int] = [:]
        if !current.isSymbol(.rightBrace) {
            while true {
                let keyToken = current
                let key: String
                switch keyToken.kind {
                case .identifier(let word): key = word
                case .string(let raw): key = try StringLiteral.unescape(raw, offset: keyToken.start + 1)
                default:
                    throw ExpressionError("expected a record key, found \(keyToken.display)", at: keyToken.start)
                }
                if let first = seen[key] {
                    let firstAt = map.location(at: first)
                    throw ExpressionError(
                        "duplicate key '\(key)' in record", at: keyToken.start,
                        hint: "it was first given at line \(firstAt.line), column \(firstAt.column)")
                }
                seen[key] = keyToken.start
                advance()
                _ = try expect(.colon, "after the record key")
                let value = try parseExpression()
                fields.append((key, value.expr))
                children.append(value)
                if current.isSymbol(.comma) { advance(); continue }
                break
            }
        }
        _ = try expect(.rightBrace, "to close the record")
        return try make(.record(fields), at: open.start, children: children)
    }

    mutating func parseName(_ word: String, _ token: Token) throws(ExpressionError) -> Node {
        switch word {
        case "true", "false":
            advance()
            return try make(.bool(word == "true"), at: token.start)
        case "if":
            throw ExpressionError(
                "'if' cannot be an operand here", at: token.start, hint: "wrap it in parentheses: (if … then … else …)")
        default:
            break
        }
        if let variable = Variable(rawValue: word), !following.isSymbol(.doubleColon) {
            advance()
            return try make(.variable(variable), at: token.start)
        }
        if CedarExtensions.reserved.contains(word) {
            throw ExpressionError("expected an expression, found \(token.display)", at: token.start)
        }
        advance()
        var path = word
        while current.isSymbol(.doubleColon) {
            advance()
            switch current.kind {
            case .string(let raw):
                let id = try StringLiteral.unescape(raw, offset: current.start + 1)
                advance()
                if Variable(rawValue: path) != nil {
                    throw ExpressionError("'\(path)' is a variable, not an entity type", at: token.start)
                }
                return try make(.entity(EntityUID(type: path, id: id)), at: token.start)
            case .identifier(let next) where !CedarExtensions.reserved.contains(next):
                advance()
                path += "::" + next
            default:
                throw ExpressionError(
                    "expected a name or an id string after '::', found \(current.display)", at: current.start,
                    hint: "entity references look like User::\"alice\"")
            }
        }
        if current.isSymbol(.leftParen) {
            guard let arity = CedarExtensions.functions[path] else {
                throw ExpressionError(
                    "unknown function '\(path)'", at: token.start, hint: "functions: ip(\"…\"), decimal(\"…\")")
            }
            let (args, _) = try parseArguments()
            guard args.count == arity else {
                throw ExpressionError("\(path)() takes one argument, got \(args.count)", at: token.start)
            }
            return try make(.call(path, args.map(\.expr)), at: token.start, children: args)
        }
        throw ExpressionError(
            "unknown name '\(path)'", at: token.start,
            hint: "variables are principal, action, resource and context; entities are written \(path)::\"id\"")
    }
}
