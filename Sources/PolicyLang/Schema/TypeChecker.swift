/// Checks rules against a schema (DESIGN §3.1): unknown entity types, actions and
/// attributes, optional attributes read without a `has` guard, operands of the wrong type
/// (a String compared with a Long, arithmetic on non-Longs), and `in` tests that can never
/// hold given the schema's `memberOf` edges.
///
/// Like Cedar's validator, each rule is checked once per request environment it can apply
/// to: every (principal type, action, resource type) the schema allows and the rule's
/// scope admits. Diagnostics found in several environments are reported once.
public struct TypeChecker: Sendable {
    public let schema: Schema

    public init(schema: Schema) {
        self.schema = schema
    }

    public func check(_ set: PolicySet) -> [Diagnostic] {
        set.rules.flatMap { check($0, source: set.ruleSources[$0.id]) }
    }

    public func check(_ rule: Rule, source: RuleSource? = nil) -> [Diagnostic] {
        var session = Session(schema: schema)
        let environments = session.environments(rule, source: source)
        guard !session.diagnostics.hasErrors else { return session.unique }
        if environments.isEmpty {
            session.report(.warning(
                "rule '\(rule.id)' can never apply: no action in the schema takes its principal and resource types",
                at: rule.location,
                hint: "check the rule's principal, resource and actions against the schema's actions"))
        }
        for environment in environments {
            session.environment = environment
            if let when = rule.when {
                session.expect(when, .bool, "a 'when' condition", guards: [])
            }
            if let unless = rule.unless {
                let guards = rule.when.map { Guards.whenTrue($0) } ?? []
                session.expect(unless, .bool, "an 'unless' condition", guards: guards)
            }
        }
        return session.unique
    }
}

struct Environment {
    var principal: String
    var action: String
    var resource: String
    var context: [String: CheckedType.Field]
}

/// Facts a condition establishes about `has`: the attribute paths known to exist when it
/// is true (or false), so `x has a && x.a` type-checks but `x.a` alone does not.
enum Guards {
    static func key(_ e: Expr) -> String? {
        switch e.kind {
        case .variable(let v): return v.rawValue
        case .entity(let uid): return uid.description
        case .getAttribute(let base, let name): return key(base).map { $0 + "\u{1}" + name }
        default: return nil
        }
    }

    static func whenTrue(_ e: Expr) -> Set<String> {
        switch e.kind {
        case .hasAttribute(let base, let name):
            return key(base).map { [$0 + "\u{1}" + name] } ?? []
        case .binary(.and, let l, let r):
            return whenTrue(l).union(whenTrue(r))
        case .binary(.or, let l, let r):
            return whenTrue(l).intersection(whenTrue(r).union(whenFalse(l)))
        case .unary(.not, let x):
            return whenFalse(x)
        default:
            return []
        }
    }

    static func whenFalse(_ e: Expr) -> Set<String> {
        switch e.kind {
        case .binary(.or, let l, let r):
            return whenFalse(l).union(whenFalse(r))
        case .binary(.and, let l, let r):
            return whenFalse(l).intersection(whenFalse(r).union(whenTrue(l)))
        case .unary(.not, let x):
            return whenTrue(x)
        default:
            return []
        }
    }
}

private struct Session {
    let schema: Schema
    var environment = Environment(principal: "", action: "", resource: "", context: [:])
    var diagnostics: [Diagnostic] = []
    var seen: Set<Diagnostic> = []

    init(schema: Schema) {
        self.schema = schema
    }

    var unique: [Diagnostic] { diagnostics }

    mutating func report(_ diagnostic: Diagnostic) {
        if seen.insert(diagnostic).inserted { diagnostics.append(diagnostic) }
    }

    mutating func error(_ message: String, at location: SourceLocation, hint: String? = nil) {
        report(.error(message, at: location, hint: hint))
    }

    // MARK: Environments

    mutating func environments(_ rule: Rule, source: RuleSource?) -> [Environment] {
        let principalOK = checkScope(rule.principal, at: source?.fields["principal"] ?? rule.location)
        let resourceOK = checkScope(rule.resource, at: source?.fields["resource"] ?? rule.location)
        let actionIDs = rule.actions ?? schema.actions.keys.sorted()
        var result: [Environment] = []
        for (index, id) in actionIDs.enumerated() {
            guard let action = schema.actions[id] else {
                let at = source.flatMap { index < $0.actions.count ? $0.actions[index] : nil } ?? rule.location
                error("action '\(id)' is not in the schema", at: at, hint: suggestion(id, schema.actions.keys, "actions"))
                continue
            }
            guard principalOK, resourceOK else { continue }
            for p in action.principals where admits(rule.principal, p) {
                for r in action.resources where admits(rule.resource, r) {
                    result.append(Environment(
                        principal: p, action: id, resource: r, context: CheckedType.fields(action.context)))
                }
            }
        }
        return result
    }

    mutating func checkScope(_ scope: Rule.Scope, at location: SourceLocation) -> Bool {
        var types: [String] = []
        switch scope {
        case .any: return true
        case .type(let t): types = [t]
        case .equal(let uid), .in(let uid): types = [uid.type]
        case .typeIn(let t, let uid): types = [t, uid.type]
        }
        var ok = true
        for type in types where schema.entityTypes[type] == nil {
            error("unknown entity type '\(type)'", at: location, hint: suggestion(type, schema.entityTypes.keys, "entity types"))
            ok = false
        }
        if ok, case .typeIn(let t, let uid) = scope, !schema.canBeMember(t, of: uid.type) {
            error("a \(t) can never be in a \(uid.type)", at: location, hint: memberHint(t))
            ok = false
        }
        return ok
    }

    func admits(_ scope: Rule.Scope, _ type: String) -> Bool {
        switch scope {
        case .any: return true
        case .type(let t): return t == type
        case .equal(let uid): return uid.type == type
        case .in(let uid): return schema.canBeMember(type, of: uid.type)
        case .typeIn(let t, let uid): return t == type && schema.canBeMember(type, of: uid.type)
        }
    }

    func suggestion<S: Sequence>(_ name: String, _ names: S, _ what: String) -> String where S.Element == String {
        let sorted = names.sorted()
        if let close = sorted.min(by: { editDistance(name, $0) < editDistance(name, $1) }),
            editDistance(name, close) <= max(2, name.count / 3)
        {
            return "did you mean '\(close)'?"
        }
        return sorted.isEmpty ? "the schema declares no \(what)" : "\(what): " + sorted.joined(separator: ", ")
    }

    func memberHint(_ type: String) -> String {
        let parents = schema.entityTypes[type]?.memberOf ?? []
        return parents.isEmpty
            ? "the schema gives \(type) no memberOf types"
            : "\(type) can be a member of: \(parents.joined(separator: ", ")) (and their ancestors)"
    }

    // MARK: Expressions

    /// Infers `e` and reports if it is not of `wanted`'s kind.
    @discardableResult
    mutating func expect(_ e: Expr, _ wanted: CheckedType, _ role: String, guards: Set<String>) -> CheckedType {
        let type = infer(e, guards)
        if type != .unknown, !type.sameKind(wanted), let found = type.kindName, let name = wanted.kindName {
            error("\(role) must be \(name), found \(found)", at: e.location, hint: conversionHint(found, name))
            return .unknown
        }
        return type
    }

    func conversionHint(_ found: String, _ wanted: String) -> String? {
        if found == "decimal", wanted == "Long" {
            return "compare decimals with .lessThan(), .lessThanOrEqual(), .greaterThan() or .greaterThanOrEqual()"
        }
        if found == "String", wanted == "Long" { return "write the number without quotes" }
        if found == "Long", wanted == "String" { return "write the number in quotes" }
        return nil
    }

    mutating func infer(_ e: Expr, _ guards: Set<String>) -> CheckedType {
        switch e.kind {
        case .bool: return .bool
        case .long: return .long
        case .string: return .string
        case .entity(let uid):
            return entityLiteral(uid, at: e.location)
        case .variable(let v):
            switch v {
            case .principal: return .entity([environment.principal])
            case .resource: return .entity([environment.resource])
            case .action: return .entity([Schema.actionType])
            case .context: return .record(environment.context)
            }
        case .set(let elements):
            var element: CheckedType?
            for item in elements {
                let t = infer(item, guards)
                element = element.map { $0.join(t) } ?? t
            }
            return .set(element ?? .unknown)
        case .record(let fields):
            var result: [String: CheckedType.Field] = [:]
            for (name, value) in fields { result[name] = .init(type: infer(value, guards), required: true) }
            return .record(result)
        case .getAttribute(let base, let name):
            return attribute(of: base, name, at: e.location, guards)
        case .hasAttribute(let base, _):
            let t = infer(base, guards)
            requireEntityOrRecord(t, base, "the left side of 'has'")
            return .bool
        case .like(let base, _):
            expect(base, .string, "the left side of 'like'", guards: guards)
            return .bool
        case .isType(let base, let type, let container):
            expect(base, .entity(nil), "the left side of 'is'", guards: guards)
            let known = type == Schema.actionType || schema.entityTypes[type] != nil
            if !known {
                error("unknown entity type '\(type)'", at: e.location,
                    hint: suggestion(type, schema.entityTypes.keys, "entity types"))
            }
            if let container {
                let right = membershipTarget(container, guards)
                if known { checkMembership([type], right, at: e.location) }
            }
            return .bool
        case .unary(.not, let x):
            expect(x, .bool, "the operand of '!'", guards: guards)
            return .bool
        case .unary(.negate, let x):
            expect(x, .long, "the operand of '-'", guards: guards)
            return .long
        case .binary(let op, let l, let r):
            return binary(op, l, r, at: e.location, guards)
        case .ifThenElse(let c, let t, let f):
            expect(c, .bool, "the condition of 'if'", guards: guards)
            let a = infer(t, guards.union(Guards.whenTrue(c)))
            let b = infer(f, guards.union(Guards.whenFalse(c)))
            return a.join(b)
        case .call(let name, let args):
            for arg in args { expect(arg, .string, "the argument of \(name)()", guards: guards) }
            return name == "ip" ? .ipaddr : name == "decimal" ? .decimal : .unknown
        case .method(let receiver, let name, let args):
            let isIP = ["isInRange", "isIpv4", "isIpv6", "isLoopback", "isMulticast"].contains(name)
            let operand: CheckedType = isIP ? .ipaddr : .decimal
            expect(receiver, operand, "the receiver of .\(name)()", guards: guards)
            for arg in args { expect(arg, operand, "the argument of .\(name)()", guards: guards) }
            return .bool
        }
    }

    mutating func entityLiteral(_ uid: EntityUID, at location: SourceLocation) -> CheckedType {
        if uid.type == Schema.actionType {
            if schema.actions[uid.id] == nil {
                error("action '\(uid.id)' is not in the schema", at: location,
                    hint: suggestion(uid.id, schema.actions.keys, "actions"))
            }
            return .entity([Schema.actionType])
        }
        guard schema.entityTypes[uid.type] != nil else {
            error("unknown entity type '\(uid.type)'", at: location,
                hint: suggestion(uid.type, schema.entityTypes.keys, "entity types"))
            return .entity(nil)
        }
        return .entity([uid.type])
    }

    mutating func requireEntityOrRecord(_ t: CheckedType, _ base: Expr, _ role: String) {
        switch t {
        case .unknown, .entity, .record: return
        default:
            error("\(role) must be an entity or a record, found \(t.kindName ?? "a value")", at: base.location)
        }
    }

    mutating func attribute(of base: Expr, _ name: String, at location: SourceLocation, _ guards: Set<String>)
        -> CheckedType
    {
        let t = infer(base, guards)
        let guarded = Guards.key(base).map { guards.contains($0 + "\u{1}" + name) } ?? false
        let readable = Guards.key(base).map { "\($0.replacingSeparators())" } ?? "the value"
        let guardHint = "guard it: `\(readable) has \(name) && \(readable).\(name) …`"
        switch t {
        case .entity(let types):
            guard let types else { return .unknown }
            var result: CheckedType?
            for type in types.sorted() {
                if type == Schema.actionType {
                    error("actions have no attributes", at: location, hint: "compare action with == or in instead")
                    return .unknown
                }
                guard let definition = schema.entityTypes[type] else { return .unknown }
                guard let attribute = definition.attributes[name] else {
                    error("entity type \(type) has no attribute '\(name)'", at: location,
                        hint: suggestion(name, definition.attributes.keys, "attributes of \(type)"))
                    return .unknown
                }
                if !attribute.required, !guarded {
                    error("attribute '\(name)' of \(type) is optional and may be missing", at: location, hint: guardHint)
                }
                let field = CheckedType(attribute.type)
                result = result.map { $0.join(field) } ?? field
            }
            return result ?? .unknown
        case .record(let fields):
            guard let field = fields[name] else {
                let owner = base.kind == .variable(.context) ? "context" : "the record"
                error("\(owner) has no attribute '\(name)'", at: location,
                    hint: suggestion(name, fields.keys, "attributes"))
                return .unknown
            }
            if !field.required, !guarded {
                error("attribute '\(name)' is optional and may be missing", at: location, hint: guardHint)
            }
            return field.type
        case .unknown:
            return .unknown
        default:
            error("'.\(name)' needs an entity or a record, found \(t.kindName ?? "a value")", at: location)
            return .unknown
        }
    }

    mutating func hasIsAlwaysFalse(_ e: Expr, _ guards: Set<String>) -> Bool {
        guard case .hasAttribute(let base, let name) = e.kind else { return false }
        switch infer(base, guards) {
        case .entity(let types?):
            return !types.isEmpty && types.allSatisfy { type in
                type != Schema.actionType && schema.entityTypes[type].map { $0.attributes[name] == nil } == true
            }
        case .record(let fields):
            return fields[name] == nil
        default:
            return false
        }
    }

    /// The entity types on the right of `in`: an entity or a set of entities.
    mutating func membershipTarget(_ e: Expr, _ guards: Set<String>) -> Set<String>? {
        switch infer(e, guards) {
        case .entity(let types): return types
        case .set(.entity(let types)): return types
        case .set(.unknown), .unknown: return nil
        case let other:
            error("the right side of 'in' must be an entity or a set of entities, found \(other.kindName ?? "a value")",
                at: e.location)
            return nil
        }
    }

    mutating func checkMembership(_ left: Set<String>?, _ right: Set<String>?, at location: SourceLocation) {
        guard let left, let right, !left.isEmpty, !right.isEmpty else { return }
        let possible = left.contains { l in right.contains { r in schema.canBeMember(l, of: r) } }
        if !possible {
            let l = left.sorted().joined(separator: " or "), r = right.sorted().joined(separator: " or ")
            error("'in' can never hold: a \(l) is never a member of a \(r)", at: location,
                hint: left.count == 1 ? memberHint(left.first!) : nil)
        }
    }

    mutating func binary(_ op: BinaryOperator, _ l: Expr, _ r: Expr, at location: SourceLocation, _ guards: Set<String>)
        -> CheckedType
    {
        switch op {
        case .and:
            expect(l, .bool, "the left side of '&&'", guards: guards)
            // As in Cedar, `e has a` is known false when e's type has no attribute a,
            // so the right side is unreachable and not checked in this environment.
            if hasIsAlwaysFalse(l, guards) { return .bool }
            expect(r, .bool, "the right side of '&&'", guards: guards.union(Guards.whenTrue(l)))
            return .bool
        case .or:
            expect(l, .bool, "the left side of '||'", guards: guards)
            expect(r, .bool, "the right side of '||'", guards: guards.union(Guards.whenFalse(l)))
            return .bool
        case .equal, .notEqual:
            let a = infer(l, guards), b = infer(r, guards)
            if a != .unknown, b != .unknown, !a.sameKind(b), let x = a.kindName, let y = b.kindName {
                error("comparing \(x) with \(y) is always \(op == .equal ? "false" : "true")", at: location,
                    hint: conversionHint(y, x) ?? "both sides of '\(op.rawValue)' should have the same type")
            }
            return .bool
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            expect(l, .long, "the left side of '\(op.rawValue)'", guards: guards)
            expect(r, .long, "the right side of '\(op.rawValue)'", guards: guards)
            return .bool
        case .add, .subtract, .multiply:
            expect(l, .long, "the left side of '\(op.rawValue)'", guards: guards)
            expect(r, .long, "the right side of '\(op.rawValue)'", guards: guards)
            return .long
        case .in:
            let left = expect(l, .entity(nil), "the left side of 'in'", guards: guards)
            let right = membershipTarget(r, guards)
            if case .entity(let types) = left { checkMembership(types, right, at: location) }
            return .bool
        case .contains:
            expect(l, .set(.unknown), "the receiver of .contains()", guards: guards)
            _ = infer(r, guards)
            return .bool
        case .containsAll, .containsAny:
            expect(l, .set(.unknown), "the receiver of .\(op)()", guards: guards)
            expect(r, .set(.unknown), "the argument of .\(op)()", guards: guards)
            return .bool
        }
    }
}

extension String {
    fileprivate func replacingSeparators() -> String {
        String(unicodeScalars.map { $0 == "\u{1}" ? "." : Character($0) })
    }
}
