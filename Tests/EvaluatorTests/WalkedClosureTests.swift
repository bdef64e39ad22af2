import Foundation
import PolicyLang
import Store
import Testing
import TestSupport
@testable import Evaluator

/// Closures a reader makes from parent edges (tenants without stored closures) must
/// answer `in` exactly as the walk over parent edges does, stay right across writes on a
/// long-lived reader, and leave deep or huge ancestries to the evaluator's own walk.
@Suite struct WalkedClosureTests {
    static let tenant = "t"

    static func node(_ i: Int) -> EntityUID { AncestorClosureTests.node(i) }

    /// `in` on one kept reader, over every pair, equals the reference walk.
    static func expectAnswersMatchWalks(_ reader: GraphReader, _ uids: [EntityUID], _ note: String) throws {
        try reader.read { store throws in
            for uid in uids {
                let walked = try AncestorClosureTests.walk(uid, store)
                for other in uids {
                    #expect(try store.closureContains(uid, ancestor: other, maxDepth: 256) == walked.contains(other),
                            "\(note): \(uid) in \(other)")
                }
            }
        }
    }

    @Test func answersEqualTheWalkThroughWritesOnOneReader() async throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        var random = SplitMix(seed: 7)
        let count = 120
        var written: [Entity] = []
        for i in 0..<count { written.append(Entity(uid: Self.node(i), parents: AncestorClosureTests.randomParents(count, max: 4, &random))) }
        _ = try await graph.apply(tenant: Self.tenant, upserts: written, actor: "test")
        let reader = try graph.reader(tenant: Self.tenant)
        reader.reset()
        let all = (0..<count).map(Self.node) + [uid("Ghost", "never-written")]
        try Self.expectAnswersMatchWalks(reader, all, "first")
        try Self.expectAnswersMatchWalks(reader, all, "again")  // from the made records
        for round in 0..<6 {
            try await AncestorClosureTests.reshuffle(graph, count: count, maxParents: 4, &random)
            try Self.expectAnswersMatchWalks(reader, all, "round \(round)")
        }
        // A written cycle: each of a, b, c is its own ancestor, as in the walk.
        let cycle = try await AncestorClosureTests.writeCycle(graph)
        try Self.expectAnswersMatchWalks(reader, cycle, "cycle")
        try await AncestorClosureTests.breakCycle(graph)
        try Self.expectAnswersMatchWalks(reader, cycle, "cycle broken")
    }

    /// Ids that are prefixes of others, NUL bytes and non-ASCII match whole ids only.
    @Test func answersMatchWholeIdsOnly() async throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        let child = uid("User", "c")
        let nul = uid("Group", "g\u{0}x")
        _ = try await graph.apply(tenant: Self.tenant, upserts: [
            Entity(uid: child, parents: [nul, uid("Group", "gg"), uid("Group", "é")]),
            Entity(uid: uid("Group", "gg"), parents: [uid("Org", "o")]),
        ], actor: "test")
        try graph.read(tenant: Self.tenant) { store throws in
            #expect(try store.closureContains(child, ancestor: nul, maxDepth: 8) == true)
            #expect(try store.closureContains(child, ancestor: uid("Org", "o"), maxDepth: 8) == true)
            #expect(try store.closureContains(child, ancestor: uid("Group", "é"), maxDepth: 8) == true)
            #expect(try store.closureContains(child, ancestor: uid("Group", "e\u{301}"), maxDepth: 8) == false)
            #expect(try store.closureContains(child, ancestor: uid("Group", "g"), maxDepth: 8) == false)
            #expect(try store.closureContains(child, ancestor: uid("Group", "g\u{0}"), maxDepth: 8) == false)
            #expect(try store.closureContains(child, ancestor: uid("Grou", "pg"), maxDepth: 8) == false)
            #expect(try store.closureContains(uid("User", "nobody"), ancestor: nul, maxDepth: 8) == false)
            // Deeper than allowed (the Org is two levels up): no answer, the caller walks.
            #expect(try store.closureContains(child, ancestor: nul, maxDepth: 1) == nil)
        }
    }

    @Test func deepChainsAreLeftToTheWalkAndItsError() async throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        try await AncestorClosureTests.writeChain(graph)
        try graph.read(tenant: Self.tenant) { store throws in
            #expect(try store.closureContains(uid("G", "0"), ancestor: uid("G", "30"), maxDepth: 29) == nil)
            #expect(try store.closureContains(uid("G", "0"), ancestor: uid("G", "30"), maxDepth: 30) == true)
        }
        for (limit, made, walked) in try AncestorClosureTests.chainDecisions(graph, turn: { $0.usesWalkedClosures = $1 }) {
            #expect(made == walked, "limit \(limit)")
            #expect(made.decision == (limit >= 30 ? .allow : .deny), "limit \(limit)")
            #expect(made.errors.isEmpty == (limit >= 30), "limit \(limit)")
        }
    }

    /// An ancestry too large for a record, and more records than the arena holds: the
    /// answers stay the walk's.
    @Test func hugeAncestriesAndAFullArenaKeepTheWalksAnswers() async throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        let wide = uid("User", "wide")
        let parents = (0..<400).map { uid("Group", "group-number-\($0)") }
        let many = (0..<3_000).map { Entity(uid: uid("Doc", "document-\($0)"), parents: [uid("Folder", "folder-\($0 % 50)")]) }
        _ = try await graph.apply(tenant: Self.tenant, upserts: [Entity(uid: wide, parents: parents)] + many, actor: "test")
        let reader = try graph.reader(tenant: Self.tenant)
        reader.reset()
        // An arena that 3,000 records overflow (the default one holds ~40,000).
        reader.walked.pointee.deallocate()
        reader.walked.pointee = WalkedClosures(arenaBytes: 32 << 10)
        try reader.read { store throws in
            #expect(try store.closureContains(wide, ancestor: parents[399], maxDepth: 8) == nil)
            // Remembered as too large (a marker record), so asking again walks nothing here.
            #expect(reader.walked.pointee.index.lookup(.ancestors, reader.entityKey(wide)) != nil)
            #expect(try store.closureContains(wide, ancestor: parents[0], maxDepth: 8) == nil)
            var restarts = 0
            for round in 0..<2 {
                for i in 0..<3_000 {
                    let doc = uid("Doc", "document-\(i)")
                    let used = reader.walked.pointee.used
                    #expect(try store.closureContains(doc, ancestor: uid("Folder", "folder-\(i % 50)"), maxDepth: 8) == true, "round \(round)")
                    #expect(try store.closureContains(doc, ancestor: uid("Folder", "folder-\((i + 1) % 50)"), maxDepth: 8) == false)
                    if reader.walked.pointee.used < used { restarts += 1 }
                }
            }
            #expect(restarts > 0, "the arena never filled up")
        }
        let bundle = try PolicyCompiler.compile(rules: [rule("member", when: Expr.principal.isIn(.entity("Group", "group-number-399")))])
        let decision = try reader.read {
            Authorizer(bundle: bundle).authorize(Request(principal: wide, action: uid("Action", "a"), resource: uid("R", "r")), graph: $0)
        }
        #expect(decision.decision == .allow)
    }
}
