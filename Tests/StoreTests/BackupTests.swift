import Foundation
import Testing
import TestSupport
@testable import Store

@Suite struct BackupTests {
    /// Writes `count` rows and deletes every other one, so the source holds free pages that a
    /// compacted copy leaves out.
    static func seeded(_ path: String, count: Int) throws -> (Environment, Table) {
        let env = try Environment(path: path)
        let table = try env.table("things")
        try env.writeSync { txn in
            for i in 0..<count { try txn.put(table, Key(.string("k\(i)")), Array(repeating: UInt8(i & 0xff), count: 512)) }
        }
        try env.writeSync { txn in
            for i in stride(from: 0, to: count, by: 2) { _ = try txn.delete(table, Key(.string("k\(i)"))) }
        }
        return (env, table)
    }

    @Test func backupThenRestoreGivesTheSameRows() throws {
        let dir = TemporaryDirectory()
        let (env, table) = try Self.seeded(dir.subpath("source"), count: 2_000)
        let file = dir.subpath("backup.mdb")
        let info = try Backup.write(env, to: file)
        #expect(info.bytes > 0)
        #expect(info.bytes < env.mapUsed, "compaction leaves the freed pages out")
        #expect(!FileManager.default.fileExists(atPath: file + ".partial"))

        let restored = try Backup.restore(from: file, into: dir.subpath("target"), force: false)
        #expect(restored == info)
        let copy = try Environment(path: dir.subpath("target"))
        let copied = try copy.table("things")
        try copy.read { txn throws in
            #expect(try txn.count(copied) == 1_000)
            #expect(try txn.get(copied, Key(.string("k1"))) == Array(repeating: 1, count: 512))
            #expect(try txn.get(copied, Key(.string("k0"))) == nil)
        }
        env.close()
        _ = table
    }

    @Test func aBackupIsOneCommittedStateWhileWritesGoOn() async throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.subpath("source"))
        let table = try env.table("pairs")
        // Every transaction writes a pair of rows; a consistent copy never holds half a pair.
        let writer = Task.detached {
            for i in 0..<300 {
                try env.writeSync { txn in
                    try txn.put(table, Key(.string("a\(i)")), [1])
                    try txn.put(table, Key(.string("b\(i)")), [1])
                }
            }
        }
        for round in 0..<5 {
            let file = dir.subpath("copy\(round).mdb")
            try Backup.write(env, to: file)
            let target = dir.subpath("restored\(round)")
            try Backup.restore(from: file, into: target, force: false)
            let copy = try Environment(path: target)
            let pairs = try copy.table("pairs")
            let count = try copy.read { try $0.count(pairs) }
            #expect(count % 2 == 0, "round \(round): \(count) rows")
            copy.close()
        }
        try await writer.value
    }

    @Test func restoreRefusesExistingDataWithoutForceAndAServerHoldingTheDirectory() throws {
        let dir = TemporaryDirectory()
        let (env, _) = try Self.seeded(dir.subpath("source"), count: 10)
        let file = dir.subpath("b.mdb")
        try Backup.write(env, to: file)
        let (other, _) = try Self.seeded(dir.subpath("target"), count: 4)
        other.close()
        #expect(throws: Backup.Failure.dataDirectoryNotEmpty(path: dir.subpath("target"))) {
            try Backup.restore(from: file, into: dir.subpath("target"), force: false)
        }
        let server = try #require(DataDirectoryLock.shared(directory: dir.subpath("target")))
        #expect(throws: Backup.Failure.dataDirectoryInUse(path: dir.subpath("target"))) {
            try Backup.restore(from: file, into: dir.subpath("target"), force: true)
        }
        server.release()
        let restored = try Backup.restore(from: file, into: dir.subpath("target"), force: true)
        #expect(restored.bytes > 0)
        // And a restore in progress keeps a server from starting.
        let restoring = try #require(DataDirectoryLock.exclusive(directory: dir.subpath("target")))
        #expect(DataDirectoryLock.shared(directory: dir.subpath("target")) == nil)
        restoring.release()
    }

    @Test func restoreRefusesAFileThatIsNotABackup() throws {
        let dir = TemporaryDirectory()
        let junk = dir.subpath("junk.mdb")
        try Data(repeating: 7, count: 20_000).write(to: URL(fileURLWithPath: junk))
        #expect(throws: Backup.Failure.self) { try Backup.restore(from: junk, into: dir.subpath("t"), force: true) }
        #expect(!FileManager.default.fileExists(atPath: dir.subpath("t") + "/data.mdb"))
        #expect(throws: Backup.Failure.self) { try Backup.inspect(dir.subpath("missing.mdb")) }
    }
}
