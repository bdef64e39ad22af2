import ArgumentParser
import Evaluator
import Foundation

/// `arbiter graph import`: streams a Cedar entities file into LMDB in batched transactions.
struct GraphImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a Cedar JSON entities file into a tenant's graph.",
        discussion: """
            Entities are upserted: an existing entity's attributes and parents are replaced.
            Each batch is one transaction and one revision; progress goes to standard error.

            Example:
              arbiter graph import --data-dir ./.arbiter-data --tenant acme --entities entities.json
            """
    )

    @OptionGroup var target: TenantDataOptions

    @Option(help: "Cedar JSON entities file.")
    var entities: String

    @Option(name: .customLong("batch-size"), help: "Entities per write transaction.")
    var batchSize = 10_000

    func run() async throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        let (graph, tenantId) = try target.open()
        var stream: EntityStream
        do {
            stream = try EntityStream(path: entities)
        } catch let error as EntityJSONError {
            throw ValidationError("\(entities): \(error.message)")
        }
        let start = ContinuousClock.now
        var imported = 0
        var edges = 0
        var revision: UInt64 = 0
        var batch: [Entity] = []
        batch.reserveCapacity(batchSize)
        func flush() async throws {
            guard !batch.isEmpty else { return }
            revision = try await graph.apply(
                tenant: tenantId, upserts: batch, actor: "cli", reason: "graph import of \(batch.count) entities")
            imported += batch.count
            edges += batch.reduce(0) { $0 + $1.parents.count }
            batch.removeAll(keepingCapacity: true)
            let seconds = max(0.001, (ContinuousClock.now - start) / .seconds(1))
            printError("imported \(imported) entities, \(edges) edges (\(Int(Double(imported) / seconds))/s)")
        }
        do {
            while let entity = try stream.next() {
                batch.append(entity)
                if batch.count == batchSize { try await flush() }
            }
        } catch let error as EntityJSONError {
            try await flush()
            throw ValidationError("\(entities): \(error.message) (the \(imported) entities before it were imported)")
        }
        try await flush()
        print("{\"imported\":\(imported),\"edges\":\(edges),\"revision\":\"\(revision)\"}")
    }
}
