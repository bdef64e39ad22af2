import ArgumentParser
import Foundation
import Store

/// `arbiter admin backup`: a consistent, compacted copy of a data directory, safe while the
/// server runs on it (one LMDB read transaction; writers are not held up).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent, compacted copy of the data directory to one file, while serving.",
        discussion: """
            The copy is one committed state of every table (LMDB's compacting copy inside a
            single read transaction), written to FILE.partial, synced, then renamed to FILE.

            Example:
              arbiter admin backup --data-dir /var/lib/arbiter --to /backups/arbiter-$(date +%F).mdb
            """
    )

    @Option(name: .customLong("data-dir"), help: "Data directory of the server (default ./.arbiter-data).")
    var dataDirectory = "./.arbiter-data"

    @Option(name: .customLong("to"), help: "The backup file to write (replaced if it exists).")
    var file: String

    func run() async throws {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/data.mdb") else {
            throw ValidationError("no Arbiter data in \(dataDirectory)")
        }
        let environment = try Store.Environment(path: dataDirectory)
        defer { environment.close() }
        do {
            let written = try Backup.write(environment, to: file)
            print("backup: \(file)")
            print("bytes: \(written.bytes)  tables: \(written.tables)  transaction: \(written.transactionID)")
        } catch let failure as Backup.Failure {
            throw ValidationError(failure.description)
        }
    }
}

/// `arbiter admin restore`: replaces a data directory's contents with a backup file.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace a data directory's data with a backup made by `arbiter admin backup`.",
        discussion: """
            The file is checked to be a complete LMDB backup first. Refuses while a server runs
            on the directory, and refuses to replace existing data without --force. The
            directory ends up holding either its old data or the whole backup, never a mix.

            Example:
              arbiter admin restore --from /backups/arbiter-2026-11-29.mdb --data-dir /var/lib/arbiter --force
            """
    )

    @Option(name: .customLong("from"), help: "The backup file.")
    var file: String

    @Option(name: .customLong("data-dir"), help: "Data directory to restore into (default ./.arbiter-data).")
    var dataDirectory = "./.arbiter-data"

    @Flag(help: "Replace the data already in the directory.")
    var force = false

    func run() async throws {
        do {
            let restored = try Backup.restore(from: file, into: dataDirectory, force: force)
            print("restored: \(file) → \(dataDirectory)")
            print("bytes: \(restored.bytes)  tables: \(restored.tables)  transaction: \(restored.transactionID)")
        } catch let failure as Backup.Failure {
            throw ValidationError(failure.description)
        }
    }
}
