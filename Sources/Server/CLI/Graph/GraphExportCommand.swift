import ArgumentParser
import Evaluator
import Foundation

/// `arbiter graph export`: the tenant's graph as a Cedar JSON entities file.
struct GraphExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a tenant's graph as Cedar JSON entities (one consistent snapshot).",
        discussion: """
            Example:
              arbiter graph export --tenant acme > entities.json
            """
    )

    @OptionGroup var target: TenantDataOptions

    func run() async throws {
        let (graph, tenantId) = try target.open()
        var buffer: [UInt8] = Array("[".utf8)
        var first = true
        try graph.read(tenant: tenantId) { store in
            try store.forEachEntity { entity in
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                buffer.append(UInt8(ascii: "\n"))
                buffer.append(contentsOf: EntityJSONWriter.entity(entity).utf8)
                if buffer.count > 1 << 16 {
                    FileHandle.standardOutput.write(Data(buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
                return true
            }
        }
        buffer.append(contentsOf: "\n]\n".utf8)
        FileHandle.standardOutput.write(Data(buffer))
    }
}
