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
    /// The candidates of a request whose action has ancestors (or whose ancestors could
    /// not be read): built per request.
    private var candidates: [Int32] = []
    /// The plain (action id, resource type) lists of the last few pairs asked for. An
    /// application's checks cycle through a handful of actions on a handful of types
    /// (the load benchmark: four actions on `Document`), and a list found here costs two
    /// identity compares, where the index hashes both strings and copies the list
    /// (≈1% of a check's server CPU when only the last pair was kept). The entries retain
    /// their strings, so `CedarString.identical` on them is sound.
    private var kept: [(actionID: String?, resourceType: String, list: [Int32])] = []
    private var nextKept = 0
    static let keptLists = 8
    // Scratch for the walk over the request action's ancestors (Cedar's action groups),
    // kept across requests so a walk allocates only the first time it is needed.
    private var actionIDs: [String] = []
    private var actionFrontier: [EntityUID] = []
    private var actionNext: [EntityUID] = []
    private var actionVisited: Set<Value> = []
    // The satisfied rules of the current request, kept across requests like the above.
    private var denies: [Int] = []
    private var allows: [Int] = []
    private let maxHierarchyDepth: Int

    public convenience init(bundle: PolicyBundle, limits: EvaluationLimits = EvaluationLimits()) {
        self.init(program: Program(bundle: bundle), limits: limits)
    }

    public init(program: Program, limits: EvaluationLimits = EvaluationLimits()) {
        self.program = program
        vm = VirtualMachine(stackCapacity: program.bundle.maxStackDepth, maxHierarchyDepth: limits.maxHierarchyDepth)
        maxHierarchyDepth = limits.maxHierarchyDepth
        candidates.reserveCapacity(program.bundle.rules.count)
        kept.reserveCapacity(Self.keptLists)
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
        var failures: [(rule: Int, error: EvaluationError)] = []
        // Which kept list holds the candidates; nil: `candidates`.
        var keptList: Int?
        do {
            keptList = try collectCandidates(request, entities: entities)
        } catch {
            // The action's ancestors cannot be read, so a rule naming only other actions
            // cannot be decided: it errors (and so does not apply), like a rule whose `in`
            // meets a store failure. Rules naming the action itself, or no actions, run.
            let actionID = CedarString.equal(request.action.type, "Action") ? request.action.id : nil
            let resourceType = request.resource.type
            program.bundle.index.candidates(actionID: actionID, resourceType: resourceType, into: &candidates)
            let message = EvaluationError("entity store: reading the parents of \(request.action): \(error.message)")
            for rule in program.bundle.index.rulesNamingOnlyOtherActions(than: actionID, resourceType: resourceType) {
                failures.append((Int(rule), message))
            }
        }
        vm.begin(request)

        denies.removeAll(keepingCapacity: true)
        allows.removeAll(keepingCapacity: true)
        var trace: [TraceEntry] = []

        let list = keptList.map { kept[$0].list } ?? candidates
        for candidate in list {
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

        var errors: [RuleError] = []
        if !failures.isEmpty {
            failures.sort { $0.rule < $1.rule }
            errors = failures.map { RuleError(ruleID: program.ids[$0.rule], message: $0.error.message, location: $0.error.location) }
        }
        if !denies.isEmpty {
            return Decision(decision: .deny, reasons: reasons(&denies), errors: errors, trace: trace)
        }
        if !allows.isEmpty {
            return Decision(decision: .allow, reasons: reasons(&allows), errors: errors, trace: trace)
        }
        return Decision(decision: .deny, reasons: [], errors: errors, trace: trace)
    }

    /// The ids of `rules` in source order. One rule (every fast-mode decision) gets the
    /// program's shared one-element array, so the decision allocates nothing for it.
    @inline(__always)
    private func reasons(_ rules: inout [Int]) -> [String] {
        if rules.count == 1 { return program.singleReasons[rules[0]] }
        rules.sort()
        return rules.map { program.ids[$0] }
    }

    /// Cedar's action scope `action in [Action::"a", …]` is transitive: a rule listing
    /// `view` applies to an action whose parents (in the entity store) lead to
    /// `Action::"view"`. So the candidates are those of the request action and of every
    /// Action-typed ancestor. The walk is breadth-first with a visited set (cycles in bad
    /// data end) and stops after `maxHierarchyDepth` levels. An action with no parents —
    /// the common case — costs one parent lookup and no allocation; a policy set with no
    /// `actions:` lists costs none.
    ///
    /// Returns the position in `kept` of the list, or nil when it is in `candidates`.
    private func collectCandidates<E: EntitySource>(_ request: Request, entities: E) throws(EntitySourceError) -> Int? {
        let index = program.bundle.index
        let action = request.action
        let isAction = CedarString.equal(action.type, "Action")
        actionNext.removeAll(keepingCapacity: true)
        if index.namesActions {
            try entities.forEachActionParent(of: action) { actionNext.append($0) }
        }
        if actionNext.isEmpty {
            let actionID = isAction ? action.id : nil
            let resourceType = request.resource.type
            // By identity only: a short id (the common case, ≤ 15 bytes) is stored inline,
            // so equal ones are identical; a longer one in other storage just misses and
            // asks the index. A miss is then eight cheap compares, where `==` on each cost
            // a workload of many pairs (the rbac scenario has 50) ≈2.5% of a decision's
            // instructions.
            for position in kept.indices
            where CedarString.identical(kept[position].resourceType, resourceType) && Self.identical(kept[position].actionID, actionID) {
                return position
            }
            // A full set replaces its lists in turn, refilling the replaced one's array
            // in place: past the first few requests, no allocation.
            let position: Int
            if kept.count < Self.keptLists {
                kept.append((actionID, resourceType, []))
                position = kept.count - 1
            } else {
                position = nextKept
                nextKept = (nextKept + 1) % Self.keptLists
                kept[position].actionID = actionID
                kept[position].resourceType = resourceType
            }
            index.candidates(actionID: actionID, resourceType: resourceType, into: &kept[position].list)
            return position
        }
        actionIDs.removeAll(keepingCapacity: true)
        actionVisited.removeAll(keepingCapacity: true)
        actionFrontier.removeAll(keepingCapacity: true)
        if isAction { actionIDs.append(action.id) }
        actionVisited.insert(.entity(action))
        var depth = 1
        while !actionNext.isEmpty {
            swap(&actionFrontier, &actionNext)
            actionNext.removeAll(keepingCapacity: true)
            for node in actionFrontier where actionVisited.insert(.entity(node)).inserted {
                if CedarString.equal(node.type, "Action") { actionIDs.append(node.id) }
                if depth < maxHierarchyDepth {
                    try entities.forEachActionParent(of: node) { actionNext.append($0) }
                }
            }
            depth += 1
        }
        index.candidates(actionIDs: actionIDs, resourceType: request.resource.type, into: &candidates)
        return nil
    }

    /// `CedarString.identical` for optional ids: both absent, or both there and identical.
    /// The kept lists retain their strings, so identical bits mean the same storage or
    /// the same inline bytes.
    private static func identical(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): CedarString.identical(a, b)
        default: false
        }
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
