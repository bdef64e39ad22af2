import ArgumentParser
import Dispatch
import Evaluator
import Logging
import PolicyLang

#if canImport(Glibc)
import Glibc
#endif

/// The built-in policy set (`Policies/`), which authorizes Arbiter's own management API.
enum BuiltInPolicies {
    /// Compiles the folder; on any error prints every diagnostic and refuses to start.
    static func compile(_ directory: String, logger: Logger) throws -> Program {
        let output = PolicyBuild.build(directory: directory)
        for diagnostic in output.diagnostics where diagnostic.severity == .warning {
            logger.warning("built-in policy warning", metadata: ["diagnostic": .string(diagnostic.description)])
        }
        guard let bundle = output.bundle else {
            let report = output.diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "\n")
            throw ValidationError("the built-in policies in \(directory) do not compile:\n\(report)")
        }
        logger.info("built-in policies compiled", metadata: ["rules": .stringConvertible(bundle.rules.count), "dir": .string(directory)])
        return Program(bundle: bundle)
    }

    /// On SIGHUP, recompiles the folder and swaps the new program in if it compiles; a
    /// broken edit is logged and the running set stays.
    static func reloadOnHangup(_ directory: String, registry: PolicyRegistry, logger: Logger) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            let output = PolicyBuild.build(directory: directory)
            if let bundle = output.bundle {
                registry.replaceBuiltIn(Program(bundle: bundle))
                logger.notice("built-in policies reloaded", metadata: ["rules": .stringConvertible(bundle.rules.count)])
            } else {
                logger.error("built-in policies not reloaded: they do not compile", metadata: [
                    "diagnostics": .string(output.diagnostics.map(\.description).joined(separator: "\n")),
                ])
            }
        }
        source.resume()
        return source
    }
}
