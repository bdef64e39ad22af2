import ArgumentParser
import Evaluator
import Foundation

/// `arbiter graph stats`: size and shape of a tenant's graph.
struct GraphStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count entities and edges, show the depth histogram and the map size used.",
        discussion: """
            Example:
              arbiter graph stats --tenant acme
            """
    )

    @OptionGroup var target: TenantDataOptions

    func run() async throws {
        let (graph, tenantId) = try target.open()
        let stats = try graph.read(tenant: tenantId) { try GraphStats(of: $0) }
        print("tenant:        \(target.tenant) (\(tenantId))")
        print("revision:      \(stats.revision)")
        print("entities:      \(stats.entities)")
        print("parent edges:  \(stats.edges)")
        print("depth histogram (longest parent chain above an entity):")
        for (depth, count) in stats.depthHistogram.sorted(by: { $0.key < $1.key }) {
            print("  \(depth)\t\(count)")
        }
        print("map size used: \(graph.environment.mapUsed) of \(graph.environment.mapSize) bytes")
    }
}
