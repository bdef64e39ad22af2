/// Compiler stage 2: evaluate at compile time what does not depend on the request.
///
/// Folding must never change what a rule decides, including which rules raise errors, so
/// a sub-expression is folded only when Cedar's evaluation of it would certainly produce
/// a value: `1 + 2` folds, `9223372036854775807 + 1` stays (it must fail at evaluation,
/// as in Cedar), `false && x` folds to `false` because Cedar never evaluates `x` there,
/// but `true && x` stays (`x` must still be checked to be a bool).
public enum ConstantFolding {
    public static func fold(_ expr: Expr) -> Expr {
        let loc = expr.location
        switch expr.kind {
        case .bool, .long, .string, .entity, .variable:
            return expr
        case .set(let elements):
            return Expr(.set(elements.map(fold)), at: loc)
        case .record(let fields):
            return Expr(.record(fields.map { ($0.0, fold($0.1)) }), at: loc)
        case .getAttribute(let e, let name):
            return Expr(.getAttribute(fold(e), name), at: loc)
        case .hasAttribute(let e, let name):
            return Expr(.hasAttribute(fold(e), name), at: loc)
        case .like(let e, let pattern):
            let e = fold(e)
            if case .string(let s) = e.kind {
                return Expr(.bool(LikePattern.matches(s, LikePattern.compile(pattern))), at: loc)
            }
            return Expr(.like(e, pattern), at: loc)
        case .isType(let e, let type, let container):
            let e = fold(e)
            let container = container.map(fold)
            if container == nil, case .entity(let uid) = e.kind {
                return Expr(.bool(uid.type == type), at: loc)
            }
            return Expr(.isType(e, type, in: container), at: loc)
        case .unary(let op, let e):
            let e = fold(e)
            switch (op, e.kind) {
            case (.not, .bool(let b)):
                return Expr(.bool(!b), at: loc)
            case (.negate, .long(let n)) where n != .min:
                return Expr(.long(-n), at: loc)
            default:
                return Expr(.unary(op, e), at: loc)
            }
        case .binary(let op, let lhs, let rhs):
            return foldBinary(op, fold(lhs), fold(rhs), at: loc)
        case .ifThenElse(let c, let t, let e):
            let c = fold(c)
            if case .bool(let b) = c.kind { return b ? fold(t) : fold(e) }
            return Expr(.ifThenElse(c, fold(t), fold(e)), at: loc)
        case .call(let name, let args):
            return Expr(.call(name, args.map(fold)), at: loc)
        case .method(let receiver, let name, let args):
            return Expr(.method(fold(receiver), name, args.map(fold)), at: loc)
        }
    }

    private static func foldBinary(_ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, at loc: SourceLocation) -> Expr {
        let unchanged = Expr(.binary(op, lhs, rhs), at: loc)
        switch op {
        case .and:
            guard case .bool(let l) = lhs.kind else { return unchanged }
            if !l { return Expr(.bool(false), at: loc) }
            if case .bool(let r) = rhs.kind { return Expr(.bool(r), at: loc) }
            return unchanged
        case .or:
            guard case .bool(let l) = lhs.kind else { return unchanged }
            if l { return Expr(.bool(true), at: loc) }
            if case .bool(let r) = rhs.kind { return Expr(.bool(r), at: loc) }
            return unchanged
        case .equal, .notEqual:
            guard let equal = scalarEquality(lhs.kind, rhs.kind) else { return unchanged }
            return Expr(.bool(op == .equal ? equal : !equal), at: loc)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard case .long(let a) = lhs.kind, case .long(let b) = rhs.kind else { return unchanged }
            let result = switch op {
            case .less: a < b
            case .lessOrEqual: a <= b
            case .greater: a > b
            default: a >= b
            }
            return Expr(.bool(result), at: loc)
        case .add, .subtract, .multiply:
            guard case .long(let a) = lhs.kind, case .long(let b) = rhs.kind else { return unchanged }
            let (value, overflow) = switch op {
            case .add: a.addingReportingOverflow(b)
            case .subtract: a.subtractingReportingOverflow(b)
            default: a.multipliedReportingOverflow(by: b)
            }
            return overflow ? unchanged : Expr(.long(value), at: loc)
        case .contains:
            // Only with a literal on the right: folding `[].contains(e)` to false would
            // swallow an error that evaluating `e` may raise.
            guard case .set(let elements) = lhs.kind, scalarEquality(rhs.kind, rhs.kind) != nil else { return unchanged }
            var found = false
            for element in elements {
                guard let equal = scalarEquality(element.kind, rhs.kind) else { return unchanged }
                found = found || equal
            }
            return Expr(.bool(found), at: loc)
        case .in, .containsAll, .containsAny:
            return unchanged
        }
    }

    /// Cedar equality of two scalar literals (different types are unequal, not an
    /// error); nil when either side is not a scalar literal.
    static func scalarEquality(_ a: ExprKind, _ b: ExprKind) -> Bool? {
        func isScalar(_ k: ExprKind) -> Bool {
            switch k {
            case .bool, .long, .string, .entity: true
            default: false
            }
        }
        guard isScalar(a), isScalar(b) else { return nil }
        switch (a, b) {
        case let (.bool(x), .bool(y)): return x == y
        case let (.long(x), .long(y)): return x == y
        case let (.string(x), .string(y)): return CedarString.equal(x, y)
        case let (.entity(x), .entity(y)):
            return CedarString.equal(x.type, y.type) && CedarString.equal(x.id, y.id)
        default: return false
        }
    }
}
