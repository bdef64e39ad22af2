import Evaluator
import PolicyLang

// There is no parser in this module's tests: conditions are built as AST values with
// these helpers, e.g. `context["n"].plus(.long(1)).eq(.long(3))`.

let here = SourceLocation(file: "test.yaml", line: 1, column: 1)

func at(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(file: "test.yaml", line: line, column: column) }

extension Expr {
    static func bool(_ v: Bool) -> Expr { Expr(.bool(v), at: here) }
    static func long(_ v: Int64) -> Expr { Expr(.long(v), at: here) }
    static func string(_ v: String) -> Expr { Expr(.string(v), at: here) }
    static func entity(_ type: String, _ id: String) -> Expr { Expr(.entity(EntityUID(type: type, id: id)), at: here) }
    static var principal: Expr { Expr(.variable(.principal), at: here) }
    static var action: Expr { Expr(.variable(.action), at: here) }
    static var resource: Expr { Expr(.variable(.resource), at: here) }
    static var context: Expr { Expr(.variable(.context), at: here) }
    static func set(_ elements: Expr...) -> Expr { Expr(.set(elements), at: here) }
    static func record(_ fields: (String, Expr)...) -> Expr { Expr(.record(fields), at: here) }
    static func call(_ name: String, _ args: Expr...) -> Expr { Expr(.call(name, args), at: here) }
    static func ip(_ text: String) -> Expr { .call("ip", .string(text)) }
    static func decimal(_ text: String) -> Expr { .call("decimal", .string(text)) }
    static func ifThen(_ c: Expr, _ t: Expr, _ e: Expr) -> Expr { Expr(.ifThenElse(c, t, e), at: here) }
    /// `context.name`: a value the constant folder cannot see, so the VM computes.
    static func ctx(_ name: String) -> Expr { context.attr(name) }

    subscript(_ name: String) -> Expr { attr(name) }
    func attr(_ name: String) -> Expr { Expr(.getAttribute(self, name), at: location) }
    func has(_ name: String) -> Expr { Expr(.hasAttribute(self, name), at: location) }
    /// `*` in `pattern` is a wildcard.
    func like(_ pattern: String) -> Expr {
        var elements: [PatternElement] = []
        for (i, part) in pattern.split(separator: "*", omittingEmptySubsequences: false).enumerated() {
            if i > 0 { elements.append(.wildcard) }
            if !part.isEmpty { elements.append(.literal(String(part))) }
        }
        return Expr(.like(self, elements), at: location)
    }
    func isType(_ type: String, in container: Expr? = nil) -> Expr { Expr(.isType(self, type, in: container), at: location) }
    func method(_ name: String, _ args: Expr...) -> Expr { Expr(.method(self, name, args), at: location) }
    func not() -> Expr { Expr(.unary(.not, self), at: location) }
    func negated() -> Expr { Expr(.unary(.negate, self), at: location) }
    private func binary(_ op: BinaryOperator, _ rhs: Expr) -> Expr { Expr(.binary(op, self, rhs), at: location) }
    func eq(_ rhs: Expr) -> Expr { binary(.equal, rhs) }
    func ne(_ rhs: Expr) -> Expr { binary(.notEqual, rhs) }
    func lt(_ rhs: Expr) -> Expr { binary(.less, rhs) }
    func le(_ rhs: Expr) -> Expr { binary(.lessOrEqual, rhs) }
    func gt(_ rhs: Expr) -> Expr { binary(.greater, rhs) }
    func ge(_ rhs: Expr) -> Expr { binary(.greaterOrEqual, rhs) }
    func plus(_ rhs: Expr) -> Expr { binary(.add, rhs) }
    func minus(_ rhs: Expr) -> Expr { binary(.subtract, rhs) }
    func times(_ rhs: Expr) -> Expr { binary(.multiply, rhs) }
    func and(_ rhs: Expr) -> Expr { binary(.and, rhs) }
    func or(_ rhs: Expr) -> Expr { binary(.or, rhs) }
    func isIn(_ rhs: Expr) -> Expr { binary(.in, rhs) }
    func contains(_ rhs: Expr) -> Expr { binary(.contains, rhs) }
    func containsAll(_ rhs: Expr) -> Expr { binary(.containsAll, rhs) }
    func containsAny(_ rhs: Expr) -> Expr { binary(.containsAny, rhs) }
    /// Relocates the expression, to test that errors point at the right place.
    func located(_ location: SourceLocation) -> Expr { Expr(kind, at: location) }
}

func uid(_ type: String, _ id: String) -> EntityUID { EntityUID(type: type, id: id) }

func rule(
    _ id: String, _ effect: Rule.Effect = .allow, principal: Rule.Scope = .any, actions: [String]? = nil,
    resource: Rule.Scope = .any, when: Expr? = nil, unless: Expr? = nil
) -> Rule {
    Rule(id: id, effect: effect, principal: principal, actions: actions, resource: resource,
         when: when, unless: unless, location: here)
}

/// A small org: alice ∈ eng ∈ staff; bob has no groups; doc1 owned by alice in folder f1.
let sampleEntities: InMemoryEntities = {
    try! InMemoryEntities([
        Entity(uid: uid("User", "alice"), attributes: [
            "name": .string("alice"), "age": .long(30), "manager": .entity(uid("User", "bob")),
            "address": .record(["city": .string("Oslo")]), "tags": .set([.string("a"), .string("b")]),
        ], parents: [uid("Group", "eng")]),
        Entity(uid: uid("User", "bob"), attributes: ["name": .string("bob")]),
        Entity(uid: uid("Group", "eng"), parents: [uid("Group", "staff")]),
        Entity(uid: uid("Group", "staff")),
        Entity(uid: uid("Document", "doc1"), attributes: ["owner": .entity(uid("User", "alice"))],
               parents: [uid("Folder", "f1")]),
        Entity(uid: uid("Folder", "f1")),
    ])
}()

func request(
    principal: EntityUID = uid("User", "alice"), action: String = "read",
    resource: EntityUID = uid("Document", "doc1"), context: [String: Value] = [:]
) -> Request {
    Request(principal: principal, action: uid("Action", action), resource: resource, context: context)
}

/// Evaluates `condition` as the `when` of a single allow rule and reports how the rule
/// came out.
func outcome(
    _ condition: Expr, context: [String: Value] = [:], entities: InMemoryEntities = sampleEntities,
    principal: EntityUID = uid("User", "alice")
) throws -> TraceEntry.Outcome {
    let bundle = try PolicyCompiler.compile(rules: [rule("r", when: condition)])
    let decision = Authorizer(bundle: bundle).authorize(
        request(principal: principal, context: context), entities: entities, mode: .explain)
    return decision.trace.first?.outcome ?? .outOfScope
}

/// True/false when the condition evaluates to a bool; nil when it errors.
func truth(_ condition: Expr, context: [String: Value] = [:], entities: InMemoryEntities = sampleEntities) throws -> Bool? {
    switch try outcome(condition, context: context, entities: entities) {
    case .satisfied: return true
    case .notSatisfied: return false
    case .error, .outOfScope: return nil
    }
}

/// The error message when the condition errors, nil otherwise.
func errorMessage(_ condition: Expr, context: [String: Value] = [:], entities: InMemoryEntities = sampleEntities) throws -> String? {
    if case .error(let message) = try outcome(condition, context: context, entities: entities) { return message }
    return nil
}
