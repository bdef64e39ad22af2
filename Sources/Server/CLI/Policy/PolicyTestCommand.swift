import ArgumentParser
import Evaluator
import Foundation
import PolicyLang

/// `arbiter policy test DIR`: runs every `kind: test` document; a diff for each failure
/// and a closing `N passed, M failed` line; exit 1 on any failure.
struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the kind: test documents of a policy folder.",
        discussion: """
            Example:
              arbiter policy test Policies/
            """
    )

    @Argument(help: "Folder of *.yaml policy and test files.")
    var directory: String

    func run() throws {
        let build = PolicyBuild.build(directory: directory)
        for diagnostic in build.diagnostics { printError(diagnostic.description) }
        guard let bundle = build.bundle else { throw ExitCode(1) }
        let results = PolicyTestRunner.run(build.policySet.tests, bundle: bundle)
        var failed = 0
        for result in results {
            if result.passed {
                print("✔ \(result.suite): \(result.name)")
            } else {
                failed += 1
                print("✘ \(result.suite): \(result.name) (\(result.location))")
                for line in result.diff { print("    " + line) }
            }
        }
        print("\(results.count - failed) passed, \(failed) failed")
        if failed > 0 || results.isEmpty && build.policySet.tests.isEmpty == false { throw ExitCode(1) }
    }
}
