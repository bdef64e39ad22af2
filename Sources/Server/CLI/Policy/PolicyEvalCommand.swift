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

            Entities come either from a Cedar JSON entities file (--entities) or from a
            tenant's graph in a data directory (--data-dir and --tenant), read in one
            consistent snapshot.

            Examples:
              arbiter policy eval --policies Policies/ --entities entities.json --requests requests.jsonl
              arbiter policy eval --policies Policies/ --data-dir ./.arbiter-data --tenant acme --requests requests.jsonl
            """
    )

    @Option(help: "Folder of *.yaml policy files.")
    var policies: String

    @Option(help: "Entities in Cedar's JSON entities format.")
    var entities: String?

    @Option(name: .customLong("data-dir"), help: "Read entities from this data directory's graph instead (with --tenant).")
    var dataDirectory: String?

    @Option(help: "Slug of the tenant whose graph to read (with --data-dir).")
    var tenant: String?

    @Option(help: "Requests as JSON Lines; - for standard input.")
    var requests: String

    @Flag(help: "Add a trace of every evaluated rule to each answer.")
    var explain = false

    func run() throws {
        let build = PolicyBuild.build(directory: policies)
        for diagnostic in build.diagnostics { printError(diagnostic.description) }
        guard let bundle = build.bundle else { throw ExitCode(1) }

        let input = try readBytes(requests)
        let authorizer = Authorizer(bundle: bundle)
        let bad: Int
        switch (entities, dataDirectory, tenant) {
        case (let file?, nil, nil):
            let store: InMemoryEntities
            do {
                store = try CedarJSON.entities(from: try readBytes(file))
            } catch let error as EntityJSONError {
                throw ValidationError("\(file): \(error.message)")
            }
            // The concrete store type picks `Authorizer`'s InMemoryEntities entry point,
            // the VM specialized for it; through a generic parameter this call would
            // reach the unspecialized VM (witness-table calls, metadata lookups).
            let mode = self.mode
            bad = evaluate(input) { authorizer.authorize($0, entities: store, mode: mode) }
        case (nil, let directory?, let slug?):
            let (graph, tenantId) = try TenantDataOptions.open(dataDirectory: directory, tenant: slug)
            let mode = self.mode
            bad = try graph.read(tenant: tenantId) { entities in
                evaluate(input) { authorizer.authorize($0, entities: entities, mode: mode) }
            }
        default:
            throw ValidationError("give either --entities FILE, or --data-dir DIR with --tenant SLUG")
        }
        if bad > 0 { throw ExitCode(1) }
    }

    private var mode: AuthorizationMode { explain ? .explain : .complete }

    /// Answers every request line in order with `decide`; returns how many lines could not
    /// be read.
    private func evaluate(_ input: [UInt8], decide: (Request) -> Decision) -> Int {
        var output = DecisionWriter()
        var reader = RequestReader()
        var bad = 0
        var lineNumber = 0
        input.withUnsafeBufferPointer { buffer in
            // Lines as in `split(separator: "\n", omittingEmptySubsequences: false)`,
            // without building the array of slices or copying each line.
            var start = 0
            while start <= buffer.count {
                var end = start
                while end < buffer.count, buffer[end] != UInt8(ascii: "\n") { end += 1 }
                let line = UnsafeBufferPointer(rebasing: buffer[start..<end])
                start = end + 1
                lineNumber += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                do throws(EntityJSONError) {
                    let request = try reader.request(from: line)
                    output.write(decide(request), trace: explain)
                } catch {
                    bad += 1
                    output.writeError("line \(lineNumber): \(error.message)")
                }
            }
        }
        output.flush()
        return bad
    }

    private func readBytes(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        return Array(data)
    }
}

/// Writes output lines as bytes into one buffer, written out in large chunks: 100k
/// decisions a second would otherwise be 100k write calls, and building each line as a
/// String first would be several allocations per request.
struct DecisionWriter {
    private var buffer: [UInt8] = []
    private let sink: ([UInt8]) -> Void

    init(sink: @escaping ([UInt8]) -> Void = { FileHandle.standardOutput.write(Data($0)) }) {
        self.sink = sink
        buffer.reserveCapacity(1 << 17)
    }

    mutating func write(_ decision: Decision, trace: Bool) {
        append("{\"decision\":\"")
        append(decision.decision == .allow ? "allow" : "deny")
        append("\",\"reasons\":[")
        for (i, reason) in decision.reasons.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            quote(reason)
        }
        append("],\"errors\":[")
        for (i, error) in decision.errors.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            append("{\"rule\":")
            quote(error.ruleID)
            append(",\"message\":")
            quote(error.message)
            buffer.append(UInt8(ascii: "}"))
        }
        buffer.append(UInt8(ascii: "]"))
        if trace {
            append(",\"trace\":[")
            for (i, entry) in decision.trace.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                append("{\"rule\":")
                quote(entry.ruleID)
                append(",\"effect\":\"")
                append(entry.effect.rawValue)
                append("\",\"outcome\":")
                switch entry.outcome {
                case .outOfScope: append("\"outOfScope\"")
                case .notSatisfied: append("\"notSatisfied\"")
                case .satisfied: append("\"satisfied\"")
                case .error(let message):
                    append("\"error\",\"message\":")
                    quote(message)
                }
                buffer.append(UInt8(ascii: "}"))
            }
            buffer.append(UInt8(ascii: "]"))
        }
        append("}\n")
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func writeError(_ message: String) {
        append("{\"error\":")
        quote(message)
        append("}\n")
        if buffer.count >= 1 << 16 { flush() }
    }

    @inline(__always)
    private mutating func append(_ text: StaticString) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    /// `JSONString.quote`, byte by byte: the escaped characters are all ASCII, and the
    /// bytes of a multi-byte UTF-8 sequence are all >= 0x80, so they pass through.
    private mutating func quote(_ text: String) {
        var text = text
        buffer.append(UInt8(ascii: "\""))
        text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\\")); buffer.append(byte)
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(byte)
                case 0x0A: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
                case 0x0D: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
                case 0x09: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
                case 0..<0x20:
                    let hex: StaticString = "0123456789abcdef"
                    append("\\u00")
                    buffer.append(hex.utf8Start[Int(byte >> 4)])
                    buffer.append(hex.utf8Start[Int(byte & 0xF)])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
