import PolicyLang

/// Per-request memo for `in`: the set of all ancestors of each entity asked about,
/// computed once per request by a breadth-first walk over parent edges with a visited
/// set (so cycles in bad data terminate) and a depth bound (so a pathological chain
/// is an error, not a stall). A request that tests `principal in G` in fifty rules walks
/// the principal's ancestry once.
struct AncestorMemo {
    private var ancestors: [EntityUID: Set<EntityUID>] = [:]
    let maxDepth: Int

    init(maxDepth: Int) { self.maxDepth = maxDepth }

    /// The last entity asked about and its ancestors: nearly every `in` of a request is
    /// about the principal or the resource, so this skips the dictionary's hashing.
    private var lastEntity: EntityUID?
    private var lastAncestors: Set<EntityUID> = []

    mutating func reset() {
        ancestors.removeAll(keepingCapacity: true)
        lastEntity = nil
        lastAncestors = []
    }

    /// Cedar's `lhs in rhs` for entities: equal, or `rhs` is a transitive parent.
    mutating func isDescendant<E: EntitySource>(_ lhs: EntityUID, of rhs: EntityUID, in entities: E) throws(EvaluationError) -> Bool {
        if Value.sameEntity(lhs, rhs) { return true }
        if let last = lastEntity, Value.sameEntity(last, lhs) {
            return lastAncestors.isEmpty ? false : lastAncestors.contains(rhs)
        }
        let found = try ancestors(of: lhs, in: entities)
        lastEntity = lhs
        lastAncestors = found
        return found.isEmpty ? false : found.contains(rhs)
    }

    mutating func ancestors<E: EntitySource>(of entity: EntityUID, in entities: E) throws(EvaluationError) -> Set<EntityUID> {
        if let known = ancestors[entity] { return known }
        var visited = Set<EntityUID>()
        var frontier = [entity]
        var next: [EntityUID] = []
        var depth = 0
        while !frontier.isEmpty {
            guard depth <= maxDepth else {
                throw EvaluationError("the parents of \(entity) go deeper than \(maxDepth) levels")
            }
            for node in frontier {
                do {
                    try entities.forEachParent(of: node) { parent in
                        if visited.insert(parent).inserted { next.append(parent) }
                    }
                } catch {
                    throw EvaluationError("entity store: \(error.message)")
                }
            }
            swap(&frontier, &next)
            next.removeAll(keepingCapacity: true)
            depth += 1
        }
        ancestors[entity] = visited
        return visited
    }
}
