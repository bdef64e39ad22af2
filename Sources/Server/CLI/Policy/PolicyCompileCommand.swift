import ArgumentParser
import Foundation
import PolicyLang

/// `arbiter policy compile DIR -o FILE`: the versioned binary bundle the server loads.
struct PolicyCompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a policy folder into a bundle file.",
        discussion: """
            Example:
              arbiter policy compile Policies/ -o policies.bundle
            """
    )

    @Argument(help: "Folder of *.yaml policy files.")
    var directory: String

    @Option(name: .shortAndLong, help: "Where to write the bundle.")
    var output: String

    func run() throws {
        let build = PolicyBuild.build(directory: directory)
        for diagnostic in build.diagnostics { printError(diagnostic.description) }
        guard let bundle = build.bundle else { throw ExitCode(1) }
        let bytes = BundleFormat.encode(bundle)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw ValidationError("cannot write \(output): \(error.localizedDescription)")
        }
        printError("compiled \(bundle.rules.count) rules into \(output) (\(bytes.count) bytes)")
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
