import ArgumentParser
import Evaluator
import Identity
import Store

/// `arbiter graph …`: bulk access to a tenant's entitlement graph in a data directory.
struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Import, export and inspect a tenant's entitlement graph.",
        discussion: """
            Examples:
              arbiter graph import --tenant acme --entities entities.json
              arbiter graph export --tenant acme > entities.json
              arbiter graph stats --tenant acme
              arbiter graph closures --tenant acme --enable
            """,
        subcommands: [GraphImportCommand.self, GraphExportCommand.self, GraphStatsCommand.self, GraphClosuresCommand.self]
    )
}

/// `--data-dir` and `--tenant`, shared by every command that works on one tenant's data.
struct TenantDataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory of the server (default ./.arbiter-data).")
    var dataDirectory = "./.arbiter-data"

    @Option(help: "Slug of the tenant.")
    var tenant: String

    /// Opens the data directory and resolves the slug to the tenant id.
    func open() throws -> (graph: EntityGraph, tenantId: String) {
        try Self.open(dataDirectory: dataDirectory, tenant: tenant)
    }

    static func open(dataDirectory: String, tenant: String) throws -> (graph: EntityGraph, tenantId: String) {
        let environment = try Store.Environment(path: dataDirectory)
        let tables = try IdentityTables(environment: environment)
        guard let found = try environment.read({ try tables.tenant(slug: tenant, in: $0) }) else {
            throw ValidationError("no tenant with slug '\(tenant)' in \(dataDirectory)")
        }
        return (try EntityGraph(environment: environment), found.id)
    }
}
