/// Compiler stage 1: resolve names an expression uses to the things they denote.
///
/// Extension functions and methods are looked up by name and arity (an unknown one is a
/// compile error with a hint listing what exists); `.contains`, `.containsAll` and
/// `.containsAny` written as method calls become the binary operators the rest of the
/// compiler knows; and expression nesting is bounded, because every later stage recurses.
/// Interning of strings into the symbol table happens during emission, when each string
/// is known to survive constant folding.
public enum NameResolution {
    public static let maxDepth = 200

    public static func resolve(_ expr: Expr, rule: String, errors: inout [CompileError]) -> Expr {
        resolve(expr, depth: 0, rule: rule, errors: &errors)
    }

    private static func resolve(_ expr: Expr, depth: Int, rule: String, errors: inout [CompileError]) -> Expr {
        if depth > maxDepth {
            errors.append(CompileError(
                "expression is nested more than \(maxDepth) levels deep", at: expr.location,
                hint: "split the condition into several rules", rule: rule))
            return Expr(.bool(false), at: expr.location)
        }
        func r(_ e: Expr) -> Expr { resolve(e, depth: depth + 1, rule: rule, errors: &errors) }
        let kind: ExprKind
        switch expr.kind {
        case .bool, .long, .string, .entity, .variable:
            kind = expr.kind
        case .set(let elements):
            kind = .set(elements.map(r))
        case .record(let fields):
            var seen = Set<String>()
            for (key, value) in fields where !seen.insert(key).inserted {
                errors.append(CompileError("duplicate record field \"\(key)\"", at: value.location, rule: rule))
            }
            kind = .record(fields.map { ($0.0, r($0.1)) })
        case .getAttribute(let e, let name):
            kind = .getAttribute(r(e), name)
        case .hasAttribute(let e, let name):
            kind = .hasAttribute(r(e), name)
        case .like(let e, let pattern):
            kind = .like(r(e), pattern)
        case .isType(let e, let type, let container):
            kind = .isType(r(e), type, in: container.map(r))
        case .unary(let op, let e):
            kind = .unary(op, r(e))
        case .binary(let op, let lhs, let rhs):
            kind = .binary(op, r(lhs), r(rhs))
        case .ifThenElse(let c, let t, let e):
            kind = .ifThenElse(r(c), r(t), r(e))
        case .call(let name, let args):
            if ExtensionFunction(name: name) == nil {
                errors.append(CompileError(
                    "unknown function `\(name)`", at: expr.location,
                    hint: "the functions are " + ExtensionFunction.allCases.map { "`\($0.name)()`" }.joined(separator: ", "),
                    rule: rule))
            } else if args.count != 1 {
                errors.append(CompileError(
                    "`\(name)()` takes 1 argument, got \(args.count)", at: expr.location,
                    hint: "write \(name)(\"…\")", rule: rule))
            }
            kind = .call(name, args.map(r))
        case .method(let receiver, let name, let args):
            let operators: [String: BinaryOperator] = [
                "contains": .contains, "containsAll": .containsAll, "containsAny": .containsAny,
            ]
            if let op = operators[name] {
                if args.count != 1 {
                    errors.append(CompileError("`.\(name)()` takes 1 argument, got \(args.count)", at: expr.location, rule: rule))
                    kind = .method(r(receiver), name, args.map(r))
                } else {
                    kind = .binary(op, r(receiver), r(args[0]))
                }
            } else if let method = ExtensionMethod(name: name) {
                if args.count != method.argumentCount {
                    errors.append(CompileError(
                        "`.\(name)()` takes \(method.argumentCount) argument\(method.argumentCount == 1 ? "" : "s"), got \(args.count)",
                        at: expr.location, rule: rule))
                }
                kind = .method(r(receiver), name, args.map(r))
            } else {
                let known = (Array(operators.keys).sorted() + ExtensionMethod.allCases.map(\.name)).map { "`.\($0)()`" }
                errors.append(CompileError(
                    "unknown method `.\(name)()`", at: expr.location,
                    hint: "the methods are " + known.joined(separator: ", "), rule: rule))
                kind = .method(r(receiver), name, args.map(r))
            }
        }
        return Expr(kind, at: expr.location)
    }
}
