/// A `when`/`unless` condition in Cedar's expression grammar (DESIGN §3.2), with the
/// position in the policy file where each sub-expression starts, so that every error,
/// at compile time or at evaluation time, can point at the expression that raised it.
public struct Expr: Sendable, Equatable {
    public var kind: ExprKind
    public var location: SourceLocation

    public init(_ kind: ExprKind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

public enum Variable: String, Sendable, Equatable, CaseIterable {
    case principal
    case action
    case resource
    case context
}

public enum UnaryOperator: String, Sendable, Equatable {
    case not = "!"
    case negate = "-"
}

public enum BinaryOperator: String, Sendable, Equatable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    /// Transitive membership over the entity graph's parent edges (also entity ∈ set).
    case `in`
    case and = "&&"
    case or = "||"
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case contains
    case containsAll
    case containsAny
}

/// One element of a `like` pattern: literal text or the `*` wildcard.
public enum PatternElement: Sendable, Equatable {
    case literal(String)
    case wildcard
}

public indirect enum ExprKind: Sendable, Equatable {
    case bool(Bool)
    case long(Int64)
    case string(String)
    /// `Type::"id"`; namespaced types keep their full name, e.g. `Acme::User`.
    case entity(EntityUID)
    case variable(Variable)
    case set([Expr])
    /// Record literal; field order as written (duplicates are a parse error).
    case record([(String, Expr)])
    /// `e.attr` and `e["attr"]`
    case getAttribute(Expr, String)
    /// `e has attr` and `e has "attr"`
    case hasAttribute(Expr, String)
    case like(Expr, [PatternElement])
    /// `e is Type` and `e is Type in f`
    case isType(Expr, String, in: Expr?)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    case ifThenElse(Expr, Expr, Expr)
    /// Extension constructor calls: `ip("10.0.0.0/8")`, `decimal("1.25")`.
    case call(String, [Expr])
    /// Extension methods other than contains/containsAll/containsAny, e.g.
    /// `.isInRange(…)`, `.isIpv4()`, `.isLoopback()`, `.lessThan(…)`.
    case method(Expr, String, [Expr])

    public static func == (lhs: ExprKind, rhs: ExprKind) -> Bool {
        switch (lhs, rhs) {
        case let (.bool(a), .bool(b)): return a == b
        case let (.long(a), .long(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.entity(a), .entity(b)): return a == b
        case let (.variable(a), .variable(b)): return a == b
        case let (.set(a), .set(b)): return a == b
        case let (.record(a), .record(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.getAttribute(a, x), .getAttribute(b, y)): return a == b && x == y
        case let (.hasAttribute(a, x), .hasAttribute(b, y)): return a == b && x == y
        case let (.like(a, x), .like(b, y)): return a == b && x == y
        case let (.isType(a, x, p), .isType(b, y, q)): return a == b && x == y && p == q
        case let (.unary(o, a), .unary(p, b)): return o == p && a == b
        case let (.binary(o, a, x), .binary(p, b, y)): return o == p && a == b && x == y
        case let (.ifThenElse(a, x, m), .ifThenElse(b, y, n)): return a == b && x == y && m == n
        case let (.call(f, a), .call(g, b)): return f == g && a == b
        case let (.method(a, f, x), .method(b, g, y)): return a == b && f == g && x == y
        default: return false
        }
    }
}

/// An entity's unique id: `Type::"id"`.
///
/// Equality, hashing and order are by UTF-8 bytes, as in Cedar, not Swift's canonical
/// equivalence: `User::"café"` (U+00E9) and `User::"cafe\u{301}"` are two entities.
/// (Every dictionary and set keyed by uids — the entity store, the ancestor memo — relies
/// on this.)
public struct EntityUID: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var type: String
    public var id: String

    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }

    @inlinable
    public static func == (lhs: EntityUID, rhs: EntityUID) -> Bool {
        CedarString.equal(lhs.id, rhs.id) && CedarString.equal(lhs.type, rhs.type)
    }

    public func hash(into hasher: inout Hasher) {
        CedarString.hash(type, into: &hasher)
        CedarString.hash(id, into: &hasher)
    }

    public var description: String {
        var escaped = ""
        for ch in id.unicodeScalars {
            switch ch {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case "\r": escaped += "\\r"
            case "\0": escaped += "\\0"
            default: escaped.unicodeScalars.append(ch)
            }
        }
        return "\(type)::\"\(escaped)\""
    }

    /// By bytes (UTF-8 byte order is scalar order), consistent with `==`.
    public static func < (lhs: EntityUID, rhs: EntityUID) -> Bool {
        if !CedarString.equal(lhs.type, rhs.type) { return lhs.type.utf8.lexicographicallyPrecedes(rhs.type.utf8) }
        return lhs.id.utf8.lexicographicallyPrecedes(rhs.id.utf8)
    }
}
