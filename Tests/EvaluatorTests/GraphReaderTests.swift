import Foundation
import PolicyLang
import Store
import Testing
import TestSupport
@testable import Evaluator

@Suite struct GraphReaderTests {
    static func u(_ type: String, _ id: String) -> EntityUID { EntityUID(type: type, id: id) }

    @Test func eachSnapshotSeesTheLatestWrite() throws {
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

    /// The revision a reader reports is its snapshot's: the same while nothing is
    /// written, the new one after a write (it is read once per snapshot id).
    @Test func theRevisionIsTheSnapshots() throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        let alice = Self.u("User", "alice")
        func write(_ level: Int64) throws -> UInt64 {
            try graph.environment.writeSync { txn in
                try graph.upsert([Entity(uid: alice, attributes: ["level": .long(level)])], tenant: "t", in: txn)
                return try txn.bumpRevision(tenant: "t")
            }
        }
        let first = try write(1)
        let reader = try graph.reader(tenant: "t")
        reader.reset()
        for _ in 0..<3 { #expect(try reader.read { try $0.revision() } == first) }
        let second = try write(2)
        #expect(second > first)
        #expect(try reader.read { try $0.revision() } == second)
        // Another tenant's write changes the snapshot, not this tenant's revision.
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: alice, attributes: [:])], tenant: "other", in: txn)
            try txn.bumpRevision(tenant: "other")
        }
        #expect(try reader.read { try $0.revision() } == second)
        #expect(try reader.read { try $0.revision() } == graph.environment.read { try $0.revision(tenant: "t") })
    }

    @Test func cachedRecordsAnswerRepeatsAndMissesAlike() throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        // Ids with NUL bytes and longer than a cache slot still find their records.
        let odd = Self.u("Doc", "a\u{0}b")
        let long = Self.u("Doc", String(repeating: "z", count: 200))
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: odd, attributes: ["n": .long(1)], parents: [long]),
                              Entity(uid: long, attributes: ["n": .long(2)]),
                              Entity(uid: Self.u("Doc", "many"), parents: (0..<6).map { Self.u("Group", "g\($0)") }),
                              Entity(uid: Self.u("Doc", "four"), parents: (0..<4).map { Self.u("Group", "g\($0)") })],
                             tenant: "t", in: txn)
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
            // Parent lists: none, within a cache slot's four, and beyond it, read again and again.
            for _ in 0..<3 {
                #expect(try Self.parents(long, entities) == [])
                #expect(try Self.parents(Self.u("Doc", "a"), entities) == [])
                #expect(try Self.parents(Self.u("Doc", "many"), entities) == (0..<6).map { Self.u("Group", "g\($0)") })
                #expect(try Self.parents(Self.u("Doc", "four"), entities) == (0..<4).map { Self.u("Group", "g\($0)") })
            }
            // More distinct entities than cache slots, then the first again.
            for i in 0..<20 { _ = try entities.attribute("n", of: Self.u("Doc", "x\(i)")) }
            #expect(try entities.attribute("n", of: odd) == .value(.long(1)))
        }
    }

    /// The record cache, the parent-edge cache and the action-parent cache outlive a snapshot only while no
    /// write commits and the map is not moved; every answer stays that of the latest data.
    @Test func cachesLastAcrossSnapshotsUntilAWriteOrARemap() throws {
        let dir = TemporaryDirectory()
        var options = Store.Environment.Options()
        options.initialMapSize = 256 << 10
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path, options: options))
        let bulk = try graph.environment.table("bulk")  // opened now: opening commits a write
        let alice = Self.u("User", "alice")
        let doc = Self.u("Doc", String(repeating: "d", count: 40))  // a heap-allocated id
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: alice, attributes: ["level": .long(1)]),
                              Entity(uid: doc, attributes: ["level": .long(7)], parents: [Self.u("Folder", "f")])], tenant: "t", in: txn)
        }
        let reader = try graph.reader(tenant: "t")
        reader.reset()
        func level(_ uid: EntityUID) throws -> AttributeLookup { try reader.read { try $0.attribute("level", of: uid) } }
        func parents(_ uid: EntityUID) throws -> [EntityUID] { try reader.read { try Self.parents(uid, $0) } }
        for _ in 0..<3 {
            #expect(try parents(doc) == [Self.u("Folder", "f")])
            #expect(try parents(alice) == [])
            #expect(try level(alice) == .value(.long(1)))
            #expect(try level(doc) == .value(.long(7)))
            #expect(try level(Self.u("Doc", String(repeating: "d", count: 40))) == .value(.long(7)))
        }
        // A write to another entity moves the snapshot on: everything is read again.
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: alice, attributes: ["level": .long(2)], parents: [Self.u("Group", "g")])], tenant: "t", in: txn)
        }
        #expect(try parents(alice) == [Self.u("Group", "g")])
        #expect(try level(alice) == .value(.long(2)))
        #expect(try level(doc) == .value(.long(7)))
        // A write that grows the map and then fails commits nothing (same snapshot id) but
        // moves every page: the cache must not hand out pointers into the old mapping.
        let generation = graph.environment.mapGeneration
        let snapshot = try reader.read { _ in reader.transaction.snapshotID }
        struct Refused: Error {}
        var attempts = 0
        #expect(throws: Refused.self) {
            try graph.environment.writeSync { txn in
                attempts += 1
                if attempts > 1 { throw Refused() }
                for i in 0..<400 { try txn.put(bulk, Key(.uint(UInt64(i))), [UInt8](repeating: 1, count: 4096)) }
            }
        }
        #expect(graph.environment.mapGeneration > generation)
        #expect(try reader.read { _ in reader.transaction.snapshotID } == snapshot)
        for _ in 0..<2 {
            #expect(try parents(doc) == [Self.u("Folder", "f")])
            #expect(try parents(alice) == [Self.u("Group", "g")])
            #expect(try level(alice) == .value(.long(2)))
            #expect(try level(doc) == .value(.long(7)))
        }
    }

    /// Action groups are read once per snapshot; an edge written later counts at once.
    @Test func actionGroupsWrittenLaterApplyToTheNextSnapshot() throws {
        let dir = TemporaryDirectory()
        let graph = try EntityGraph(environment: Store.Environment(path: dir.path))
        let read = Self.u("Action", "read")
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: read)], tenant: "t", in: txn)
        }
        let authorizer = Authorizer(bundle: try PolicyCompiler.compile(rules: [rule("viewers", actions: ["view"])]))
        let request = Request(principal: Self.u("User", "a"), action: read, resource: Self.u("Doc", "d"))
        let reader = try graph.reader(tenant: "t")
        reader.reset()
        #expect(try reader.read { authorizer.authorize(request, graph: $0) }.decision == .deny)
        #expect(try reader.read { authorizer.authorize(request, graph: $0) }.decision == .deny)
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: read, parents: [Self.u("Action", "view")])], tenant: "t", in: txn)
        }
        #expect(try reader.read { authorizer.authorize(request, graph: $0) }.decision == .allow)
        #expect(try reader.read { authorizer.authorize(request, graph: $0) }.decision == .allow)
        try graph.environment.writeSync { txn in
            try graph.upsert([Entity(uid: read)], tenant: "t", in: txn)
        }
        #expect(try reader.read { authorizer.authorize(request, graph: $0) }.decision == .deny)
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
