/// Compiles rules to a `PolicyBundle`. The stages run in this order, each a separate
/// function with its own tests (the shape of OPA's `ast/compile.go`):
///
/// 1. `checkRuleIDs` — ids are unique (decisions name rules by id).
/// 2. `NameResolution.resolve` — extension functions and methods, arity, depth bound.
/// 3. `ConstantFolding.fold` — evaluate what does not depend on the request.
/// 4. `ChunkEmitter.emitRule` — bytecode per rule, interning strings as it goes.
/// 5. `DispatchIndex(rules:)` — (action, resource type) → candidate rules, deny first.
///
/// Schema type checking (DESIGN §3.3) belongs between 2 and 3 and is done by the front
/// end before it calls this.
public enum PolicyCompiler {
    public static func compile(rules: [Rule]) throws(CompileErrors) -> PolicyBundle {
        var errors = checkRuleIDs(rules)
        var symbols = SymbolTable()
        var compiled: [CompiledRule] = []
        compiled.reserveCapacity(rules.count)
        var conditionTypes: [[String]?] = []
        for rule in rules {
            let when = rule.when.map { ConstantFolding.fold(NameResolution.resolve($0, rule: rule.id, errors: &errors)) }
            let unless = rule.unless.map { ConstantFolding.fold(NameResolution.resolve($0, rule: rule.id, errors: &errors)) }
            var emitter = ChunkEmitter(ruleID: rule.id)
            emitter.emitRule(rule, when: when, unless: unless, symbols: &symbols)
            errors += emitter.errors
            conditionTypes.append(DispatchIndex.testedResourceTypes(when))
            compiled.append(CompiledRule(
                id: rule.id, effect: rule.effect, actions: rule.actions,
                resourceType: CompiledRule.resourceType(of: rule.resource), chunk: emitter.chunk,
                annotations: rule.annotations, location: rule.location))
        }
        if !errors.isEmpty { throw CompileErrors(errors) }
        return PolicyBundle(symbols: symbols, rules: compiled, index: DispatchIndex(rules: compiled, conditionTypes: conditionTypes))
    }

    static func checkRuleIDs(_ rules: [Rule]) -> [CompileError] {
        var first: [String: SourceLocation] = [:]
        var errors: [CompileError] = []
        for rule in rules {
            if rule.id.isEmpty {
                errors.append(CompileError("rule id is empty", at: rule.location, hint: "give every rule a unique id"))
            } else if let earlier = first[rule.id] {
                errors.append(CompileError(
                    "duplicate rule id \"\(rule.id)\"", at: rule.location,
                    hint: "the first rule with this id is at \(earlier)", rule: rule.id))
            } else {
                first[rule.id] = rule.location
            }
        }
        return errors
    }
}
