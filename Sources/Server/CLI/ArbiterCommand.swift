import ArgumentParser

/// The `arbiter` command. The executable's `@main` calls `ArbiterCommand.main()`.
public struct ArbiterCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "arbiter",
        abstract: "Authorization server: compiled policies over an embedded entitlement graph.",
        discussion: """
            Start a server with its data in ./.arbiter-data:

              arbiter serve --host 127.0.0.1 --port 8080
            """,
        subcommands: [ServeCommand.self, PolicyCommand.self, GraphCommand.self, AdminCommand.self, LoginCommand.self, TokenCommand.self]
    )

    public init() {}
}
