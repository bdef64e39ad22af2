import PolicyLang

/// Decides requests against a compiled policy set, with Cedar's semantics: default deny;
/// a satisfied deny rule wins over any allow; a rule whose condition errors does not
/// apply, and its error is reported with the decision.
///
/// Owns a VM and scratch buffers, so it is not thread-safe: make one per thread or task
/// from a shared `Program` (cheap), e.g. `Authorizer(program: shared)`.
public final class Authorizer {
    public let program: Program
    private let vm: VirtualMachine
    private var candidates: [Int32] = []

    public convenience init(bundle: PolicyBundle, limits: EvaluationLimits = EvaluationLimits()) {
        self.init(program: Program(bundle: bundle), limits: limits)
    }

    public init(program: Program, limits: EvaluationLimits = EvaluationLimits()) {
        self.program = program
        vm = VirtualMachine(stackCapacity: program.bundle.maxStackDepth, maxHierarchyDepth: limits.maxHierarchyDepth)
        candidates.reserveCapacity(program.bundle.rules.count)
    }

    public func authorize<E: EntitySource>(_ request: Request, entities: E, mode: AuthorizationMode = .complete) -> Decision {
        let bundle = program.bundle
        bundle.index.candidates(
            actionID: request.action.type == "Action" ? request.action.id : nil,
            resourceType: request.resource.type, into: &candidates)
        vm.begin(request)

        var denies: [Int] = []
        var allows: [Int] = []
        var failures: [(rule: Int, error: EvaluationError)] = []
        var trace: [TraceEntry] = []

        for candidate in candidates {
            let index = Int(candidate)
            let rule = bundle.rules[index]
            // Candidates come deny rules first; once a deny holds, fast mode is done.
            if mode == .fast, rule.effect == .allow, !denies.isEmpty { break }
            let outcome = vm.run(program.chunks[index], symbols: program.symbols, entities: entities)
            switch outcome {
            case .satisfied:
                if rule.effect == .deny { denies.append(index) } else { allows.append(index) }
            case .error(let error):
                failures.append((index, error))
            case .notSatisfied, .outOfScope:
                break
            }
            if mode == .explain {
                trace.append(TraceEntry(ruleID: rule.id, effect: rule.effect, outcome: Self.traceOutcome(outcome)))
            }
            if mode == .fast, outcome == .satisfied { break }
        }

        failures.sort { $0.rule < $1.rule }
        let errors = failures.map { RuleError(ruleID: bundle.rules[$0.rule].id, message: $0.error.message, location: $0.error.location) }
        if !denies.isEmpty {
            return Decision(decision: .deny, reasons: denies.sorted().map { bundle.rules[$0].id }, errors: errors, trace: trace)
        }
        if !allows.isEmpty {
            return Decision(decision: .allow, reasons: allows.sorted().map { bundle.rules[$0].id }, errors: errors, trace: trace)
        }
        return Decision(decision: .deny, reasons: [], errors: errors, trace: trace)
    }

    private static func traceOutcome(_ outcome: VirtualMachine.Outcome) -> TraceEntry.Outcome {
        switch outcome {
        case .satisfied: .satisfied
        case .notSatisfied: .notSatisfied
        case .outOfScope: .outOfScope
        case .error(let e): .error(e.description)
        }
    }
}
