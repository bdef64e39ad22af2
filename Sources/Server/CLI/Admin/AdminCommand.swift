import Evaluator
import ArgumentParser
import Identity
import Store

/// `arbiter admin …`: operator commands that work directly on a data directory, with no
/// token: the operator's access to the machine is the authority. Safe while the server
/// runs on the same directory (LMDB serializes writers across processes).
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operator commands on a data directory: OAuth clients, signing keys, backup and restore.",
        discussion: """
            Examples:
              arbiter admin create-client --tenant acme --name "Billing sync" --purpose automation \\
                  --scopes "arbiter.api tenant_context"
              arbiter admin rotate-client-secret --tenant acme --client-id cli_… --grace-period 3600
              arbiter admin rotate-keys --tenant acme
              arbiter admin backup --data-dir /var/lib/arbiter --to /backups/arbiter.mdb
            """,
        subcommands: [
            CreateClientCommand.self, RotateClientSecretCommand.self, RotateKeysCommand.self,
            BackupCommand.self, RestoreCommand.self,
        ]
    )
}

/// `--data-dir` and `--tenant` of the admin commands, resolved to the OAuth services.
struct AdminTenantOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory of the server (default ./.arbiter-data).")
    var dataDirectory = "./.arbiter-data"

    @Option(help: "Slug of the tenant.")
    var tenant: String

    struct Opened {
        var environment: Store.Environment
        var tenant: Tenant
        var tables: OAuthTables
        var identity: IdentityTables
        var graph: EntityGraph

        /// The registry the server uses too: client changes land in the tenant's graph in
        /// the same write transaction, whoever makes them.
        func clientRegistry() -> ClientRegistry {
            let graph = self.graph
            return ClientRegistry(
                environment: environment, tables: tables, identity: identity,
                inTransaction: { txn, change in try IdentityFacts.clientChanged(change, graph: graph, in: txn) })
        }
    }

    func open() throws -> Opened {
        let environment = try Store.Environment(path: dataDirectory)
        let identity = try IdentityTables(environment: environment)
        guard let found = try environment.read({ try identity.tenant(slug: tenant, in: $0) }) else {
            throw ValidationError("no tenant with slug '\(tenant)' in \(dataDirectory)")
        }
        return Opened(
            environment: environment, tenant: found, tables: try OAuthTables(environment: environment), identity: identity,
            graph: try EntityGraph(environment: environment))
    }
}

/// Audit events of the CLI name the operator this way.
let operatorActor = "operator:cli"
