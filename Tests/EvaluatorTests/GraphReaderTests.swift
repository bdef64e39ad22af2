import Foundation
import PolicyLang
import Store
import Testing
import TestSupport
@testable import Evaluator

@Suite struct GraphReaderTests {
    static func u(_ type: String, _ id: String) -> EntityUID { EntityUID(type: type, id: id) }

    @Test func eachSnapshotSeesTheLatestWriteAndNothingIsCachedAcrossSnapshots() throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        let alice = Self.u("User", "alice")
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: alice, attributes: ["level": .long(1)], parents: [Self.u("Group", "a")])], tenant: "t", in: txn)
        }
        let reader = try graph.reader(tenant: "t")
        reader.reset()
        let before = try reader.read { entities in
            (try entities.attribute("level", of: alice), try Self.parents(alice, entities))
        }
        #expect(before.0 == .value(.long(1)))
        #expect(before.1 == [Self.u("Group", "a")])
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: alice, attributes: ["level": .long(2)], parents: [Self.u("Group", "b")])], tenant: "t", in: txn)
        }
        let after = try reader.read { entities in
            (try entities.attribute("level", of: alice), try Self.parents(alice, entities), try entities.hasAttribute("level", of: alice))
        }
        #expect(after.0 == .value(.long(2)))
        #expect(after.1 == [Self.u("Group", "b")])
        #expect(after.2)
    }

    @Test func cachedRecordsAnswerRepeatsAndMissesAlike() throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        // Ids with NUL bytes and longer than a cache slot still find their records.
        let odd = Self.u("Doc", "a\u{0}b")
        let long = Self.u("Doc", String(repeating: "z", count: 200))
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: odd, attributes: ["n": .long(1)], parents: [long]),
                              Entity(uid: long, attributes: ["n": .long(2)])], tenant: "t", in: txn)
        }
        try graph.read(tenant: "t") { entities in
            for _ in 0..<3 {
                #expect(try entities.attribute("n", of: odd) == .value(.long(1)))
                #expect(try entities.attribute("n", of: long) == .value(.long(2)))
                #expect(try entities.attribute("m", of: long) == .noSuchAttribute)
                #expect(try entities.attribute("n", of: Self.u("Doc", "a")) == .noSuchEntity)
                #expect(try !entities.hasAttribute("n", of: Self.u("Doc", "a")))
                #expect(try Self.parents(odd, entities) == [long])
            }
            // More distinct entities than cache slots, then the first again.
            for i in 0..<20 { _ = try entities.attribute("n", of: Self.u("Doc", "x\(i)")) }
            #expect(try entities.attribute("n", of: odd) == .value(.long(1)))
        }
    }

    @Test func anotherTenantIsNotVisible() throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        let alice = Self.u("User", "alice")
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: alice, attributes: ["n": .long(1)])], tenant: "t1", in: txn)
        }
        let reader = try graph.reader(tenant: "t2")
        #expect(try reader.entities.attribute("n", of: alice) == .noSuchEntity)
        reader.reset()
    }

    static func parents(_ uid: EntityUID, _ entities: LMDBEntities) throws -> [EntityUID] {
        var result: [EntityUID] = []
        try entities.forEachParent(of: uid) { result.append($0) }
        return result
    }
}
