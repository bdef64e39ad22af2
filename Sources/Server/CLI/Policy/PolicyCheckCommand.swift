import ArgumentParser
import Foundation
import PolicyLang

/// `arbiter policy check DIR`: every diagnostic of every stage, exit 1 on any error.
struct PolicyCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report every mistake in a policy folder (file:line:column), exit 1 on errors.",
        discussion: """
            Example:
              arbiter policy check Policies/ --format json
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Argument(help: "Folder of *.yaml policy, schema and test files.")
    var directory: String

    @Option(help: "text (one diagnostic a line, editor-clickable) or json (for editors and CI).")
    var format: Format = .text

    func run() throws {
        let output = PolicyBuild.build(directory: directory)
        switch format {
        case .json:
            print(Diagnostic.renderJSON(output.diagnostics))
        case .text:
            for diagnostic in output.diagnostics { print(diagnostic) }
            let errors = output.diagnostics.filter { $0.severity == .error }.count
            let warnings = output.diagnostics.count - errors
            let rules = output.policySet.rules.count
            FileHandle.standardError.write(Data(
                "\(rules) rules, \(output.policySet.tests.count) test suites: \(errors) errors, \(warnings) warnings\n".utf8))
        }
        if output.diagnostics.hasErrors { throw ExitCode(1) }
    }
}
