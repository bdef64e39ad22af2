import Foundation
import Testing
import TestSupport
@testable import Store

/// A kept read transaction and its cursor across snapshots: the cursor is renewed on its
/// first use in a snapshot, not with the transaction, so one skipped for snapshots must
/// still read the latest of them.
@Suite struct ReusableReadTransactionTests {
    static func values(_ cursor: ReadCursor, _ key: Key) -> [[UInt8]] {
        var found: [[UInt8]] = []
        let code = key.bytes.withUnsafeBytes { raw in
            cursor.forEachDuplicate(key: raw) { value in
                found.append(Array(value))
                return true
            }
        }
        #expect(code == 0)
        return found
    }

    @Test func aCursorReadsEachSnapshotItIsUsedIn() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let table = try env.table("edges", options: .duplicateKeys)
        let key = Key(.string("node"))
        try env.writeSync { try $0.put(table, key, [1]) }
        let kept = try ReusableReadTransaction(environment: env)
        let cursor = try kept.cursor(table)
        #expect(Self.values(cursor, key) == [[1]])
        kept.reset()

        // Used in the next snapshot, after a write.
        try env.writeSync { try $0.put(table, key, [2]) }
        try kept.renew()
        #expect(Self.values(cursor, key) == [[1], [2]])
        kept.reset()

        // Skipped for two snapshots with writes between them, then used.
        for value: UInt8 in [3, 4] {
            try env.writeSync { try $0.put(table, key, [value]) }
            try kept.renew()
            kept.reset()
        }
        try env.writeSync { _ = try $0.delete(table, key, value: [1]) }
        try kept.renew()
        #expect(Self.values(cursor, key) == [[2], [3], [4]])
        // Used twice in one snapshot.
        #expect(Self.values(cursor, key) == [[2], [3], [4]])
        kept.reset()
    }
}
