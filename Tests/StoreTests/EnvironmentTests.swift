import Foundation
import Testing
import TestSupport
@testable import Store

@Suite struct EnvironmentTests {
    struct Boom: Error {}

    @Test func putGetDeleteRoundTrip() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let table = try env.table("things")
        try env.writeSync { txn in
            try txn.put(table, Key(.string("a")), Array("one".utf8))
            try txn.put(table, Key(.string("b")), Array("two".utf8))
        }
        try env.read { txn throws in
            #expect(try txn.get(table, Key(.string("a"))) == Array("one".utf8))
            #expect(try txn.get(table, Key(.string("zz"))) == nil)
            #expect(try txn.count(table) == 2)
        }
        let deleted = try env.writeSync { try $0.delete(table, Key(.string("a"))) }
        let deletedAgain = try env.writeSync { try $0.delete(table, Key(.string("a"))) }
        #expect(deleted)
        #expect(!deletedAgain)
        #expect(try env.read { try $0.get(table, Key(.string("a"))) } == nil)
    }

    @Test func putWithoutOverwriteClaimsOnce() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let table = try env.table("slugs")
        let first = try env.writeSync { try $0.put(table, Key(.string("acme")), [1], overwrite: false) }
        let second = try env.writeSync { try $0.put(table, Key(.string("acme")), [2], overwrite: false) }
        #expect(first)
        #expect(!second)
        #expect(try env.read { try $0.get(table, Key(.string("acme"))) } == [1])
    }

    @Test func prefixScanListsOneTenantInKeyOrder() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let table = try env.table("objects")
        try env.writeSync { txn in
            for tenant in ["ten_1", "ten_10", "ten_2"] {
                for id in ["c", "a", "b"] {
                    try txn.put(table, Key(.string(tenant), .string(id)), Array("\(tenant)/\(id)".utf8))
                }
            }
        }
        let rows = try env.read { try $0.entries(table, prefix: Key(.string("ten_1"))) }
        #expect(rows.map { String(decoding: $0.value, as: UTF8.self) } == ["ten_1/a", "ten_1/b", "ten_1/c"])

        // Paging: resume after the last key seen.
        let page1 = try env.read { try $0.entries(table, prefix: Key(.string("ten_2")), limit: 2) }
        let page2 = try env.read { try $0.entries(table, prefix: Key(.string("ten_2")), after: page1.last!.key, limit: 2) }
        #expect(page1.map { try! $0.key.components().last! } == [.string("a"), .string("b")])
        #expect(page2.map { try! $0.key.components().last! } == [.string("c")])

        // A bounded range scan.
        var seen: [String] = []
        try env.read { txn throws in
            try txn.scan(table, from: Key(.string("ten_1"), .string("b")), to: Key(.string("ten_10"), .string("b"))) { _, value in
                seen.append(String(decoding: value, as: UTF8.self))
                return true
            }
        }
        #expect(seen == ["ten_1/b", "ten_1/c", "ten_10/a"])

        // An empty prefix lists the whole table.
        #expect(try env.read { try $0.entries(table, prefix: Key()) }.count == 9)
    }

    @Test func throwingBodyAbortsTheWholeTransaction() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let table = try env.table("things")
        #expect(throws: Boom.self) {
            try env.writeSync { txn in
                try txn.put(table, Key(.string("a")), [1])
                try txn.bumpRevision(tenant: "t")
                throw Boom()
            }
        }
        try env.read { txn throws in
            #expect(try txn.get(table, Key(.string("a"))) == nil)
            #expect(try txn.revision(tenant: "t") == 0)
        }
    }

    @Test func revisionsArePerTenantAndBumpInTheWrite() async throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        #expect(try env.read { try $0.revision(tenant: "a") } == 0)
        let r1 = try await env.write { try $0.bumpRevision(tenant: "a") }
        let r2 = try await env.write { try $0.bumpRevision(tenant: "a") }
        let b1 = try await env.write { try $0.bumpRevision(tenant: "b") }
        #expect((r1, r2, b1) == (1, 2, 1))
        #expect(try env.read { try $0.revision(tenant: "a") } == 2)
    }

    @Test func dataSurvivesCloseAndReopen() throws {
        let dir = TemporaryDirectory()
        do {
            let env = try Environment(path: dir.path)
            let table = try env.table("things")
            try env.writeSync { txn in
                try txn.put(table, Key(.string("k")), Array("v".utf8))
                try txn.bumpRevision(tenant: "t")
            }
            env.close()
        }
        let env = try Environment(path: dir.path)
        let table = try env.table("things")
        try env.read { txn throws in
            #expect(try txn.get(table, Key(.string("k"))) == Array("v".utf8))
            #expect(try txn.revision(tenant: "t") == 1)
        }
    }

    @Test func fullMapGrowsInsteadOfFailing() async throws {
        let dir = TemporaryDirectory()
        var options = Environment.Options()
        options.initialMapSize = 256 << 10
        let env = try Environment(path: dir.path, options: options)
        let table = try env.table("bulk")
        let before = env.mapSize
        let value = [UInt8](repeating: 7, count: 4096)
        // Readers keep running while the writer resizes the map under them.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for batch in 0..<20 {
                    try await env.write { txn in
                        for i in 0..<50 { try txn.put(table, Key(.uint(UInt64(batch * 50 + i))), value) }
                    }
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<2000 { _ = try env.read { try $0.count(table) } }
                }
            }
            try await group.waitForAll()
        }
        #expect(env.mapSize > before)
        #expect(try env.read { try $0.count(table) } == 1000)
    }

    @Test func auditEventsAreAppendedInTimeOrder() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        try env.writeSync { txn in
            try txn.appendAudit(AuditEvent(time: t0.addingTimeInterval(2), tenantId: "t", actor: "u", action: "b", target: "x"))
            try txn.appendAudit(AuditEvent(time: t0, tenantId: "t", actor: "u", action: "a", target: "x", outcome: .failure, reason: "why"))
            try txn.appendAudit(AuditEvent(time: t0, tenantId: "other", actor: "u", action: "c", target: "y"))
        }
        let events = try env.read { try $0.auditEvents(tenant: "t") }
        #expect(events.map(\.action) == ["a", "b"])
        #expect(events.first?.reason == "why")
        #expect(events.first?.outcome == .failure)
    }

    @Test func randomIDsAreDistinctAndWellFormed() {
        let ids = (0..<1000).map { _ in RandomID.make(prefix: "ten") }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.hasPrefix("ten_") && $0.count == 30 })
    }

    /// The base32 form, least significant digit first (ids already stored keep their shape).
    @Test func randomIDFormIsStable() {
        #expect(RandomID.format(prefix: "req", high: 0, low: 0) == "req_" + String(repeating: "a", count: 26))
        #expect(RandomID.format(prefix: "ten", high: 0, low: 1) == "ten_b" + String(repeating: "a", count: 25))
        #expect(RandomID.format(prefix: "x", high: 0, low: 31 | 1 << 5) == "x_7b" + String(repeating: "a", count: 24))
        #expect(RandomID.format(prefix: "", high: 1 << 63, low: 0) == "_" + String(repeating: "a", count: 25) + "e")
        #expect(RandomID.format(prefix: "dev", high: .max, low: .max) == "dev_" + String(repeating: "7", count: 25) + "h")
    }
}

@Suite struct DuplicateKeyTableTests {
    @Test func valuesOfOneKeyAreSortedAndRemovable() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let edges = try env.table("edges", options: .duplicateKeys)
        try env.writeSync { txn in
            for parent in ["g3", "g1", "g2"] { try txn.put(edges, Key(.string("u1")), Array(parent.utf8)) }
            try txn.put(edges, Key(.string("u2")), Array("g9".utf8))
            // The same edge twice is one edge.
            let again = try txn.put(edges, Key(.string("u1")), Array("g1".utf8), overwrite: false)
            #expect(!again)
        }
        func parents(_ key: String) throws -> [String] {
            var found: [String] = []
            try env.read { txn in
                try txn.forEachDuplicate(edges, Key(.string(key))) { value in
                    found.append(String(decoding: value, as: UTF8.self))
                    return true
                }
            }
            return found
        }
        #expect(try parents("u1") == ["g1", "g2", "g3"])
        #expect(try parents("u2") == ["g9"])
        #expect(try parents("nobody") == [])
        let removed = try env.writeSync { try $0.delete(edges, Key(.string("u1")), value: Array("g2".utf8)) }
        #expect(removed)
        #expect(try parents("u1") == ["g1", "g3"])
    }
}
