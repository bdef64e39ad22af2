import Foundation
@testable import PolicyLang

/// An S-expression of an AST without positions, so tests can state shape and precedence
/// compactly: `(|| (&& a b) c)`.
func sexp(_ e: Expr) -> String {
    switch e.kind {
    case .bool(let b): return "\(b)"
    case .long(let n): return "\(n)"
    case .string(let s): return "\"\(s)\""
    case .entity(let uid): return uid.description
    case .variable(let v): return v.rawValue
    case .set(let items): return "[" + items.map(sexp).joined(separator: " ") + "]"
    case .record(let fields): return "{" + fields.map { "\($0.0): \(sexp($0.1))" }.joined(separator: " ") + "}"
    case .getAttribute(let b, let a): return "(. \(sexp(b)) \(a))"
    case .hasAttribute(let b, let a): return "(has \(sexp(b)) \(a))"
    case .like(let b, let p):
        let pattern = p.map { if case .literal(let s) = $0 { return s } else { return "*" } }.joined(separator: "|")
        return "(like \(sexp(b)) \(pattern))"
    case .isType(let b, let t, let c): return "(is \(sexp(b)) \(t)\(c.map { " in " + sexp($0) } ?? ""))"
    case .unary(let op, let x): return "(\(op.rawValue) \(sexp(x)))"
    case .binary(let op, let l, let r): return "(\(op.rawValue) \(sexp(l)) \(sexp(r)))"
    case .ifThenElse(let c, let t, let f): return "(if \(sexp(c)) \(sexp(t)) \(sexp(f)))"
    case .call(let f, let args): return "(\(f) " + args.map(sexp).joined(separator: " ") + ")"
    case .method(let r, let m, let args): return "(.\(m) \(sexp(r))" + args.map { " " + sexp($0) }.joined() + ")"
    }
}

func parsed(_ text: String, limits: PolicyLimits = PolicyLimits()) throws -> String {
    sexp(try ExpressionParser.parse(text, limits: limits))
}

/// The diagnostic for an expression that must not parse.
func parseError(_ text: String, limits: PolicyLimits = PolicyLimits()) -> Diagnostic? {
    do {
        _ = try ExpressionParser.parse(text, file: "t", limits: limits)
        return nil
    } catch {
        return error
    }
}

func load(_ files: [String: String], typeCheck: Bool = true) -> (PolicySet, [Diagnostic]) {
    let (set, diagnostics) = PolicySetLoader.load(files: files, typeCheck: typeCheck)
    return (set, diagnostics)
}

/// `line:column message` of each diagnostic, for compact assertions.
func positions(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
}

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "policylang-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Swift Testing has its own `SourceLocation`; this names ours.
typealias Loc = PolicyLang.SourceLocation
