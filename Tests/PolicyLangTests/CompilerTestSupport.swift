import PolicyLang

/// AST builders for the compiler tests, namespaced so they cannot collide with the
/// parser tests' helpers in this target: `CAST.eq(CAST.attr(CAST.principal, "x"), CAST.long(1))`.
enum CAST {
    static let loc = SourceLocation(file: "compiler.yaml", line: 3, column: 5)
    static func at(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(file: "compiler.yaml", line: line, column: column) }

    static func bool(_ v: Bool) -> Expr { Expr(.bool(v), at: loc) }
    static func long(_ v: Int64) -> Expr { Expr(.long(v), at: loc) }
    static func string(_ v: String) -> Expr { Expr(.string(v), at: loc) }
    static func entity(_ type: String, _ id: String) -> Expr { Expr(.entity(EntityUID(type: type, id: id)), at: loc) }
    static let principal = Expr(.variable(.principal), at: loc)
    static let resource = Expr(.variable(.resource), at: loc)
    static let context = Expr(.variable(.context), at: loc)
    static func set(_ elements: Expr...) -> Expr { Expr(.set(elements), at: loc) }
    static func record(_ fields: (String, Expr)...) -> Expr { Expr(.record(fields), at: loc) }
    static func attr(_ e: Expr, _ name: String) -> Expr { Expr(.getAttribute(e, name), at: loc) }
    static func has(_ e: Expr, _ name: String) -> Expr { Expr(.hasAttribute(e, name), at: loc) }
    static func binary(_ op: BinaryOperator, _ l: Expr, _ r: Expr) -> Expr { Expr(.binary(op, l, r), at: loc) }
    static func eq(_ l: Expr, _ r: Expr) -> Expr { binary(.equal, l, r) }
    static func and(_ l: Expr, _ r: Expr) -> Expr { binary(.and, l, r) }
    static func or(_ l: Expr, _ r: Expr) -> Expr { binary(.or, l, r) }
    static func not(_ e: Expr) -> Expr { Expr(.unary(.not, e), at: loc) }
    static func neg(_ e: Expr) -> Expr { Expr(.unary(.negate, e), at: loc) }
    static func ifThen(_ c: Expr, _ t: Expr, _ e: Expr) -> Expr { Expr(.ifThenElse(c, t, e), at: loc) }
    static func call(_ name: String, _ args: Expr...) -> Expr { Expr(.call(name, args), at: loc) }
    static func method(_ e: Expr, _ name: String, _ args: Expr...) -> Expr { Expr(.method(e, name, args), at: loc) }
    static func like(_ e: Expr, _ elements: [PatternElement]) -> Expr { Expr(.like(e, elements), at: loc) }
    static func isType(_ e: Expr, _ type: String, in c: Expr? = nil) -> Expr { Expr(.isType(e, type, in: c), at: loc) }

    static func rule(
        _ id: String, _ effect: Rule.Effect = .allow, principal: Rule.Scope = .any, actions: [String]? = nil,
        resource: Rule.Scope = .any, when: Expr? = nil, unless: Expr? = nil, line: Int = 1
    ) -> Rule {
        Rule(id: id, effect: effect, principal: principal, actions: actions, resource: resource,
             when: when, unless: unless, annotations: ["reason": "test \(id)"],
             location: SourceLocation(file: "compiler.yaml", line: line, column: 3))
    }
}
