import ArgumentParser
import Evaluator
import Foundation

/// `arbiter graph closures`: turn a tenant's precomputed ancestor closures on or off.
struct GraphClosuresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "closures",
        abstract: "Show, enable or disable precomputed ancestor closures for a tenant's graph.",
        discussion: """
            With closures on, every write of the tenant's edges also stores, for each entity,
            all of its ancestors (Zanzibar's Leopard index), so `principal in X` is one read
            instead of a walk per level. It costs write time and space (BENCHMARKS.md has the
            numbers) and pays off on deep hierarchies. Decisions are the same either way.
            Runs on the data directory, also while the server runs (one write transaction).

            Examples:
              arbiter graph closures --tenant acme            # shows whether they are on
              arbiter graph closures --tenant acme --enable
              arbiter graph closures --tenant acme --disable
            """
    )

    @OptionGroup var target: TenantDataOptions

    @Flag(help: "Compute closures for every entity and keep them current from now on.")
    var enable = false

    @Flag(help: "Delete the closures; `in` walks parent edges again.")
    var disable = false

    func validate() throws {
        if enable && disable { throw ValidationError("use --enable or --disable, not both") }
    }

    func run() async throws {
        let (graph, tenantId) = try target.open()
        if enable || disable {
            let started = Date()
            let turnOn = enable
            try await graph.environment.write { txn in
                if turnOn {
                    try graph.enableAncestorClosures(tenant: tenantId, in: txn)
                } else {
                    try graph.disableAncestorClosures(tenant: tenantId, in: txn)
                }
            }
            FileHandle.standardError.write(Data(
                "\(turnOn ? "enabled" : "disabled") in \(String(format: "%.1f", Date().timeIntervalSince(started))) s\n".utf8))
        }
        let on = try graph.environment.read { try graph.ancestorClosuresEnabled(tenant: tenantId, in: $0) }
        print("ancestor closures: \(on ? "on" : "off")")
    }
}
