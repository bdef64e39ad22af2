import ArgumentParser

/// `arbiter policy …`: the policy author's tools, usable with no server running.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check, compile, test and evaluate a folder of YAML policy files.",
        discussion: """
            Examples:
              arbiter policy check Policies/
              arbiter policy test Policies/
              arbiter policy compile Policies/ -o policies.bundle
              arbiter policy eval --policies Policies/ --entities entities.json --requests requests.jsonl
            """,
        subcommands: [PolicyCheckCommand.self, PolicyCompileCommand.self, PolicyTestCommand.self, PolicyEvalCommand.self]
    )
}
