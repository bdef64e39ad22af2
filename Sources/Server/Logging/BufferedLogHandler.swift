import Logging
import PolicyLang

/// The log handler of `arbiter serve` for both formats (`--log-format text|json`): the
/// same lines, byte for byte, as `StreamLogHandler.standardOutput` (text) and
/// `JSONLogHandler` (json) wrote, but formatted straight into `BufferedLogOutput`'s reused
/// byte buffer and written in batches instead of a `String` built and written (locked,
/// flushed) per line. The access log writes a line per request: on the check route that
/// was ≈11% of the server's CPU (BENCHMARKS.md, "HTTP load").
///
/// Warnings and worse are written at once (with every line before them); the rest within
/// `BufferedLogOutput`'s interval, at the latest when the server stops.
public struct BufferedLogHandler: LogHandler {
    public enum Format: Sendable {
        /// `StreamLogHandler`'s: `<local time> <level> <label>: k=v … [<source>] <message>`.
        case text
        /// `JSONLogHandler`'s: one object a line, `time`, `level`, `label`, `message`, then
        /// the metadata by key, every value a string.
        case json
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let format: Format
    private let output: BufferedLogOutput

    init(label: String, format: Format, output: BufferedLogOutput) {
        self.label = label
        self.format = format
        self.output = output
    }

    /// A handler writing to standard output (`BufferedLogOutput.standardOutput`).
    public static func standardOutput(label: String, format: Format) -> BufferedLogHandler {
        BufferedLogHandler(label: label, format: format, output: .standardOutput)
    }

    /// Writes every line logged so far through standard-output handlers (`arbiter serve`
    /// calls it when it stops, and before it prints anything itself).
    public static func flushStandardOutput() {
        BufferedLogOutput.standardOutput.flush()
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Values made strings here, outside the output's lock; `.string` ones are not copied.
        let own = event.metadata ?? [:]
        var fields: [(key: String, value: String)] = []
        fields.reserveCapacity(own.count + 2)
        for (key, value) in own { fields.append((key, Self.text(value))) }
        if format == .text, let error = event.error {
            // As `StreamLogHandler` adds them (`JSONLogHandler` did not).
            fields.removeAll { $0.key == "error.message" || $0.key == "error.type" }
            fields.append(("error.message", "\(error)"))
            fields.append(("error.type", String(reflecting: type(of: error))))
        }
        fields.sort { $0.key < $1.key }
        write(level: event.level, message: event.message.description, lineFields: fields, source: event.source)
    }

    /// What `log(event:)` writes for an event whose metadata are `sortedFields` (string
    /// values, keys in ascending order), without the `Logger.Metadata` dictionary and
    /// `LogEvent` made for it: the check fast path writes its access line, one a request,
    /// so (`Logger.info` with a dictionary literal was ≈2% of a check's server CPU).
    func log(level: Logger.Level, message: String, sortedFields: [(key: String, value: String)], source: String) {
        guard level >= logLevel else { return }
        write(level: level, message: message, lineFields: sortedFields, source: source)
    }

    /// Writes a line whose own fields are `lineFields` (sorted by key) with the handler's
    /// metadata added; the line's own keys win.
    private func write(level: Logger.Level, message: String, lineFields: [(key: String, value: String)], source: String) {
        var fields = lineFields
        if !metadata.isEmpty {
            for (key, value) in metadata where !lineFields.contains(where: { $0.key == key }) { fields.append((key, Self.text(value))) }
            fields.sort { $0.key < $1.key }
        }
        let source = format == .text ? source : ""
        let now = LogTimestamp.now()
        let (label, format) = (self.label, self.format)
        output.append(now: level >= .warning) { out in
            switch format {
            case .text:
                LogTimestamp.appendText(now, to: &out)
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: level.rawValue.utf8)
                if !label.isEmpty { out.append(UInt8(ascii: " ")) }
                out.append(contentsOf: label.utf8)
                out.append(UInt8(ascii: ":"))
                for field in fields {
                    out.append(UInt8(ascii: " "))
                    out.append(contentsOf: field.key.utf8)
                    out.append(UInt8(ascii: "="))
                    out.append(contentsOf: field.value.utf8)
                }
                out.append(contentsOf: " [".utf8)
                out.append(contentsOf: source.utf8)
                out.append(contentsOf: "] ".utf8)
                out.append(contentsOf: message.utf8)
            case .json:
                out.append(contentsOf: #"{"time":""#.utf8)
                LogTimestamp.appendJSON(now, to: &out)
                out.append(contentsOf: #"","level":"#.utf8)
                Self.appendQuoted(level.rawValue, to: &out)
                out.append(contentsOf: #","label":"#.utf8)
                Self.appendQuoted(label, to: &out)
                out.append(contentsOf: #","message":"#.utf8)
                Self.appendQuoted(message, to: &out)
                for field in fields where !Self.reservedJSONKeys.contains(field.key) {
                    out.append(UInt8(ascii: ","))
                    Self.appendQuoted(field.key, to: &out)
                    out.append(UInt8(ascii: ":"))
                    Self.appendQuoted(field.value, to: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "\n"))
        }
    }

    private static let reservedJSONKeys: Set<String> = ["time", "level", "label", "message"]

    private static func text(_ value: Logger.MetadataValue) -> String {
        if case .string(let string) = value { return string }
        return value.description
    }

    /// `JSONString.quote(text)`'s bytes; a string with nothing to escape is copied whole.
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if plain {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
        } else {
            out.append(contentsOf: JSONString.quote(text).utf8)
        }
    }
}
