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

    /// The in-memory store's entry point, specialized here so that callers in other
    /// modules (the CLI, the server) get the direct-call VM, not the generic one.
    public func authorize(_ request: Request, entities: InMemoryEntities, mode: AuthorizationMode = .complete) -> Decision {
        decide(request, entities: entities, mode: mode)
    }

    public func authorize<E: EntitySource>(_ request: Request, entities: E, mode: AuthorizationMode = .complete) -> Decision {
        decide(request, entities: entities, mode: mode)
    }

    private func decide<E: EntitySource>(_ request: Request, entities: E, mode: AuthorizationMode) -> Decision {
        let program = self.program
        program.bundle.index.candidates(
            actionID: request.action.type == "Action" ? request.action.id : nil,
            resourceType: request.resource.type, into: &candidates)
        vm.begin(request)

        var denies: [Int] = []
        var allows: [Int] = []
        var failures: [(rule: Int, error: EvaluationError)] = []
        var trace: [TraceEntry] = []

        for candidate in candidates {
            let index = Int(candidate)
            let effect = program.effects[index]
            // Candidates come deny rules first; once a deny holds, fast mode is done.
            if mode == .fast, effect == .allow, !denies.isEmpty { break }
            let outcome = vm.run(program.chunks[index], symbols: program.symbols, entities: entities)
            switch outcome {
            case .satisfied:
                if effect == .deny { denies.append(index) } else { allows.append(index) }
            case .error(let error):
                failures.append((index, error))
            case .notSatisfied, .outOfScope:
                break
            }
            if mode == .explain {
                trace.append(TraceEntry(ruleID: program.ids[index], effect: effect, outcome: Self.traceOutcome(outcome)))
            }
            if mode == .fast, outcome == .satisfied { break }
        }

        failures.sort { $0.rule < $1.rule }
        let errors = failures.map { RuleError(ruleID: program.ids[$0.rule], message: $0.error.message, location: $0.error.location) }
        if !denies.isEmpty {
            return Decision(decision: .deny, reasons: denies.sorted().map { program.ids[$0] }, errors: errors, trace: trace)
        }
        if !allows.isEmpty {
            return Decision(decision: .allow, reasons: allows.sorted().map { program.ids[$0] }, errors: errors, trace: trace)
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
