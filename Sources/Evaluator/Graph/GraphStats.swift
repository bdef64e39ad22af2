import PolicyLang

/// Size and shape of one tenant's graph, for `arbiter graph stats`.
public struct GraphStats: Sendable, Equatable {
    public var revision: UInt64
    public var entities: Int
    public var edges: Int
    /// depth → number of entities whose longest parent chain has that many hops.
    public var depthHistogram: [Int: Int]

    /// Walks the whole graph once; depths are memoized and a cycle counts as depth 0 at
    /// the point where it closes, so the walk always ends.
    public init(of store: LMDBEntities) throws {
        revision = try store.revision()
        var parents: [EntityUID: [EntityUID]] = [:]
        var count = 0
        var edgeCount = 0
        try store.forEachEntity { entity in
            count += 1
            edgeCount += entity.parents.count
            parents[entity.uid] = entity.parents
            return true
        }
        entities = count
        edges = edgeCount
        var depth: [EntityUID: Int] = [:]
        var onPath: Set<EntityUID> = []
        func depthOf(_ uid: EntityUID, level: Int) -> Int {
            if let known = depth[uid] { return known }
            guard level < 1024, !onPath.contains(uid) else { return 0 }
            onPath.insert(uid)
            defer { onPath.remove(uid) }
            let value = (parents[uid] ?? []).map { 1 + depthOf($0, level: level + 1) }.max() ?? 0
            depth[uid] = value
            return value
        }
        var histogram: [Int: Int] = [:]
        for uid in parents.keys { histogram[depthOf(uid, level: 0), default: 0] += 1 }
        depthHistogram = histogram
    }
}
