import ArgumentParser
import Evaluator
import Foundation
import PolicyLang

/// `arbiter policy eval`: decisions for a file of requests, one JSON line each, in order,
/// with Cedar's reasons and errors (complete mode), so results can be compared with Cedar.
struct PolicyEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate JSON Lines requests against policies and a Cedar entities file.",
        discussion: """
            Each request line: {"principal": "User::\\"alice\\"", "action": "Action::\\"read\\"",
            "resource": "Document::\\"d1\\"", "context": {...}}
            Each output line: {"decision": "allow"|"deny", "reasons": [...], "errors": [{"rule": ..., "message": ...}]}
            A request line that cannot be read answers {"error": "..."} and the exit status is 1.

            Example:
              arbiter policy eval --policies Policies/ --entities entities.json --requests requests.jsonl
            """
    )

    @Option(help: "Folder of *.yaml policy files.")
    var policies: String

    @Option(help: "Entities in Cedar's JSON entities format.")
    var entities: String

    @Option(help: "Requests as JSON Lines; - for standard input.")
    var requests: String

    @Flag(help: "Add a trace of every evaluated rule to each answer.")
    var explain = false

    func run() throws {
        let build = PolicyBuild.build(directory: policies)
        for diagnostic in build.diagnostics { printError(diagnostic.description) }
        guard let bundle = build.bundle else { throw ExitCode(1) }

        let store: InMemoryEntities
        do {
            store = try CedarJSON.entities(from: try readBytes(entities))
        } catch let error as EntityJSONError {
            throw ValidationError("\(entities): \(error.message)")
        }
        let input = try readBytes(requests)

        let authorizer = Authorizer(bundle: bundle)
        let mode: AuthorizationMode = explain ? .explain : .complete
        var output = DecisionWriter()
        var bad = 0
        var lineNumber = 0
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do throws(EntityJSONError) {
                let request = try CedarJSON.request(from: Array(line))
                output.write(authorizer.authorize(request, entities: store, mode: mode), trace: explain)
            } catch {
                bad += 1
                output.writeError("line \(lineNumber): \(error.message)")
            }
        }
        output.flush()
        if bad > 0 { throw ExitCode(1) }
    }

    private func readBytes(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        return Array(data)
    }
}

/// Buffers output lines and writes them in large chunks: 100k decisions a second would
/// otherwise be 100k write calls.
struct DecisionWriter {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    mutating func write(_ decision: Decision, trace: Bool) {
        var line = "{\"decision\":\"\(decision.decision.rawValue)\",\"reasons\":["
        line += decision.reasons.map(JSONString.quote).joined(separator: ",")
        line += "],\"errors\":["
        line += decision.errors.map { "{\"rule\":\(JSONString.quote($0.ruleID)),\"message\":\(JSONString.quote($0.message))}" }
            .joined(separator: ",")
        line += "]"
        if trace {
            line += ",\"trace\":["
            line += decision.trace.map { entry in
                var item = "{\"rule\":\(JSONString.quote(entry.ruleID)),\"effect\":\"\(entry.effect.rawValue)\",\"outcome\":"
                switch entry.outcome {
                case .outOfScope: item += "\"outOfScope\""
                case .notSatisfied: item += "\"notSatisfied\""
                case .satisfied: item += "\"satisfied\""
                case .error(let message): item += "\"error\",\"message\":\(JSONString.quote(message))"
                }
                return item + "}"
            }.joined(separator: ",")
            line += "]"
        }
        line += "}\n"
        append(line)
    }

    mutating func writeError(_ message: String) {
        append("{\"error\":\(JSONString.quote(message))}\n")
    }

    private mutating func append(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
