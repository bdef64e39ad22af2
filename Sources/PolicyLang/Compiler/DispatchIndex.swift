/// Compiler stage 4: which rules can apply to a request, by (action, resource type).
///
/// Each rule lands in the bucket for every (action it names, resource type it pins), with
/// `nil` standing for "any" on either axis. A request for (a, T) can only be matched by
/// rules in the four buckets (a,T), (a,any), (any,T), (any,any); every rule is in at most
/// one of them for a given request, so the candidate list is their merge. Buckets hold
/// rule positions in evaluation order — deny rules first, each effect in source order —
/// so a merge keeps that order and fast mode can stop at the first deny that holds.
///
/// A rule whose scope pins no resource type but whose `when` starts by testing the
/// resource's type (`(resource is A || resource is B) && …`) lands in those types' buckets
/// (`testedResourceTypes`): for another type it could neither hold nor fail.
///
/// The index is exact on action ids — a rule is a candidate only for the actions it lists
/// (an empty list: never) — and rules' chunks do not test the action again. Cedar's
/// action scope is `action in [...]`, transitive over the Action entities' parents, so
/// the caller asks with the request's action *and* every ancestor action
/// (`candidates(actionIDs:…)`); the index itself knows nothing of the hierarchy. On
/// resource types it only narrows: chunks still check the whole principal and resource
/// scope.
public struct DispatchIndex: Sendable, Equatable {
    public struct Key: Hashable, Sendable {
        public var action: String?
        public var resourceType: String?

        public init(action: String?, resourceType: String?) {
            self.action = action
            self.resourceType = resourceType
        }
    }

    /// Positions in `order` (not rule indices), ascending.
    public private(set) var buckets: [Key: [Int32]]
    /// Rule indices in evaluation order: deny rules, then allow rules, each by source order.
    public private(set) var order: [Int32]

    /// Whether some rule lists actions. When none does, the request action's ancestors
    /// cannot change the candidates and the caller need not walk them.
    public let namesActions: Bool
    /// The finished candidate list (rule indices, evaluation order) for every (action,
    /// resource type) the buckets name, and for each of them with the other axis "any":
    /// a request then costs one hash lookup and a copy instead of four lookups and a
    /// four-way merge (~10% of a decision's instructions before). Derived from
    /// `buckets`, never stored in a bundle; empty when the product would be too large,
    /// and then the merge runs per request.
    private let merged: [Key: [Int32]]
    static let maxMergedKeys = 20_000

    public init(buckets: [Key: [Int32]], order: [Int32]) {
        self.buckets = buckets
        self.order = order
        namesActions = buckets.keys.contains { $0.action != nil }
        merged = Self.merge(buckets, order)
    }

    /// `conditionTypes[i]`, when given, are the resource types rule `i`'s `when` can hold
    /// for at all (`testedResourceTypes`); a rule whose scope names no resource type goes
    /// into those types' buckets instead of "any".
    public init(rules: [CompiledRule], conditionTypes: [[String]?] = []) {
        let denies = rules.indices.filter { rules[$0].effect == .deny }
        let allows = rules.indices.filter { rules[$0].effect == .allow }
        order = (denies + allows).map { Int32($0) }
        var buckets: [Key: [Int32]] = [:]
        for (position, ruleIndex) in order.enumerated() {
            let rule = rules[Int(ruleIndex)]
            // A rule naming the same action twice still goes into its bucket once.
            let actions: [String?] = rule.actions.map { Array(Set($0)).sorted() } ?? [nil]
            let fromCondition = Int(ruleIndex) < conditionTypes.count ? conditionTypes[Int(ruleIndex)] : nil
            let types: [String?] = rule.resourceType.map { [$0] } ?? fromCondition.map { Array(Set($0)).sorted() } ?? [nil]
            for action in actions {
                for type in types {
                    buckets[Key(action: action, resourceType: type), default: []].append(Int32(position))
                }
            }
        }
        self.buckets = buckets
        namesActions = buckets.keys.contains { $0.action != nil }
        merged = Self.merge(buckets, order)
    }

    /// The resource types a `when` condition can be true for, when its first conjunct is
    /// `resource is T` or a disjunction of such tests (the built-in management rules
    /// start so): for any other type that conjunct is false, `&&` stops there, and the
    /// rule neither holds nor errors, so it need not be a candidate. Nil when the
    /// condition does not start so. Only the first conjunct: a later one may be preceded
    /// by one that errors, and an error must still be reported.
    public static func testedResourceTypes(_ when: Expr?) -> [String]? {
        guard var first = when else { return nil }
        while case .binary(.and, let left, _) = first.kind { first = left }
        func types(_ expr: Expr) -> [String]? {
            switch expr.kind {
            case .isType(let subject, let type, in: nil):
                if case .variable(.resource) = subject.kind { return [type] }
                return nil
            case .binary(.or, let left, let right):
                guard let a = types(left), let b = types(right) else { return nil }
                return a + b
            default:
                return nil
            }
        }
        return types(first)
    }

    private static func merge(_ buckets: [Key: [Int32]], _ order: [Int32]) -> [Key: [Int32]] {
        let actions = Set(buckets.keys.map(\.action))
        let types = Set(buckets.keys.map(\.resourceType))
        guard actions.count * types.count <= maxMergedKeys else { return [:] }
        var merged: [Key: [Int32]] = [:]
        for action in actions {
            for type in types {
                var list: [Int32] = []
                mergeBuckets(buckets, order, actionID: action, resourceType: type, into: &list)
                merged[Key(action: action, resourceType: type)] = list
            }
        }
        return merged
    }

    /// Rule indices (ascending) of the rules that list some action other than `actionID`
    /// and do not list `actionID`, and whose resource type allows `resourceType`: the
    /// rules whose action scope depends on the action's ancestors. For the caller's error
    /// path when those ancestors cannot be read.
    public func rulesNamingOnlyOtherActions(than actionID: String?, resourceType: String) -> [Int32] {
        var exact = Set<Int32>()
        var others = Set<Int32>()
        for (key, positions) in buckets {
            guard let action = key.action, key.resourceType == nil || key.resourceType == resourceType else { continue }
            if action == actionID { exact.formUnion(positions) } else { others.formUnion(positions) }
        }
        return others.subtracting(exact).map { order[Int($0)] }.sorted()
    }

    /// Rule indices that can apply to a request, in evaluation order, written into
    /// `result` (cleared first, capacity kept) so a caller reusing one buffer allocates
    /// nothing per request. `actionID` is nil when the request's action is not of type
    /// `Action` and so cannot match any rule's `actions:` list.
    public func candidates(actionID: String?, resourceType: String, into result: inout [Int32]) {
        result.removeAll(keepingCapacity: true)
        if !merged.isEmpty {
            // The request's action or type may be one no rule names: then that axis
            // can only match "any" (nil), whose merged list is the answer.
            if let list = merged[Key(action: actionID, resourceType: resourceType)]
                ?? merged[Key(action: actionID, resourceType: nil)]
                ?? merged[Key(action: nil, resourceType: resourceType)]
                ?? merged[Key(action: nil, resourceType: nil)] {
                result.append(contentsOf: list)
            }
            return
        }
        Self.mergeBuckets(buckets, order, actionID: actionID, resourceType: resourceType, into: &result)
    }

    /// The four-way merge of the buckets that can match (action, resource type).
    private static func mergeBuckets(
        _ buckets: [Key: [Int32]], _ order: [Int32], actionID: String?, resourceType: String?, into result: inout [Int32]
    ) {
        result.removeAll(keepingCapacity: true)
        let empty: [Int32] = []
        let any = buckets[Key(action: nil, resourceType: nil)] ?? empty
        let anyAction = resourceType.flatMap { buckets[Key(action: nil, resourceType: $0)] } ?? empty
        let anyType = actionID.flatMap { buckets[Key(action: $0, resourceType: nil)] } ?? empty
        let exact = actionID.flatMap { a in resourceType.flatMap { buckets[Key(action: a, resourceType: $0)] } } ?? empty
        var i = 0, j = 0, k = 0, l = 0
        while true {
            var next = Int32.max
            if i < any.count { next = min(next, any[i]) }
            if j < anyAction.count { next = min(next, anyAction[j]) }
            if k < anyType.count { next = min(next, anyType[k]) }
            if l < exact.count { next = min(next, exact[l]) }
            if next == .max { break }
            if i < any.count, any[i] == next { i += 1 }
            if j < anyAction.count, anyAction[j] == next { j += 1 }
            if k < anyType.count, anyType[k] == next { k += 1 }
            if l < exact.count, exact[l] == next { l += 1 }
            result.append(order[Int(next)])
        }
    }

    /// Candidates for a request whose action is `actionIDs[0]` and whose ancestor actions
    /// (Cedar's action groups) are the other ids: the union of every id's candidates, in
    /// evaluation order, each rule once (a rule may list both an action and its group).
    /// With a single id this is `candidates(actionID:…)`.
    public func candidates(actionIDs: [String], resourceType: String, into result: inout [Int32]) {
        guard actionIDs.count > 1 else {
            candidates(actionID: actionIDs.first, resourceType: resourceType, into: &result)
            return
        }
        result.removeAll(keepingCapacity: true)
        // Gather bucket positions, then sort and drop duplicates in place: positions are
        // indices into `order`, so ascending position is evaluation order.
        if let b = buckets[Key(action: nil, resourceType: nil)] { result.append(contentsOf: b) }
        if let b = buckets[Key(action: nil, resourceType: resourceType)] { result.append(contentsOf: b) }
        for id in actionIDs {
            if let b = buckets[Key(action: id, resourceType: nil)] { result.append(contentsOf: b) }
            if let b = buckets[Key(action: id, resourceType: resourceType)] { result.append(contentsOf: b) }
        }
        result.sort()
        var kept = 0
        for i in result.indices where kept == 0 || result[kept - 1] != result[i] {
            result[kept] = result[i]
            kept += 1
        }
        result.removeLast(result.count - kept)
        for i in result.indices { result[i] = order[Int(result[i])] }
    }

    /// Convenience for tests and tools: the candidates as a fresh array.
    public func candidates(actionID: String?, resourceType: String) -> [Int32] {
        var result: [Int32] = []
        candidates(actionID: actionID, resourceType: resourceType, into: &result)
        return result
    }

    /// Convenience for tests and tools: the candidates of an action and its ancestors.
    public func candidates(actionIDs: [String], resourceType: String) -> [Int32] {
        var result: [Int32] = []
        candidates(actionIDs: actionIDs, resourceType: resourceType, into: &result)
        return result
    }
}
