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

    /// Writes a line whose own fields are `lineFields` (sorted by key) with the handler's
    /// metadata added; the line's own keys win.
    private func write(level: Logger.Level, message: String, lineFields: [(key: String, value: String)], source: String) {
        var fields = lineFields
        if !metadata.isEmpty {
            for (key, value) in metadata where !lineFields.contains(where: { $0.key == key }) { fields.append((key, Self.text(value))) }
            fields.sort { $0.key < $1.key }
        }
        write(level: level, message: message, source: source) { line in
            for field in fields where !(line.isJSON && Self.reservedJSONKeys.contains(field.key)) {
                line.field(field.key.utf8, field.value.utf8)
            }
        }
    }

    /// The check fast path's access line (`AccessLine`): what `log(event:)` writes for an
    /// event with `line.fields` as its metadata, without the `Logger.Metadata` dictionary
    /// and `LogEvent` made for it (`Logger.info` with a dictionary literal was ≈2% of a
    /// check's server CPU) and with the values formatted straight into the output instead
    /// of six strings made and an array of them built per request. With metadata of the
    /// handler's own, whose keys must be merged in order, it takes the general way.
    func log(access line: AccessLine, source: String) {
        guard .info >= logLevel else { return }
        guard metadata.isEmpty else {
            write(level: .info, message: AccessLine.message, lineFields: line.fields, source: source)
            return
        }
        write(level: .info, message: AccessLine.message, source: source) { out in
            FieldText(decimal: line.microseconds).withBytes { out.field("duration_us".utf8, $0) }
            FieldText(prefix: LogRequestID.prefix, hex: line.hbRequestID).withBytes { out.field("hb.request.id".utf8, $0) }
            out.field("method".utf8, "POST".utf8)
            out.field("path".utf8, line.path.utf8)
            out.field("request_id".utf8, line.requestId.utf8)
            out.field("status".utf8, "200".utf8)
        }
    }

    /// Writes one line: its head (time, level, label, and in JSON the message), the
    /// fields `body` writes in key order, and its tail (in text the source and message).
    private func write(level: Logger.Level, message: String, source: String, _ body: (inout LineWriter) -> Void) {
        let source = format == .text ? source : ""
        let now = LogTimestamp.now()
        let (label, format) = (self.label, self.format)
        output.append(now: level >= .warning) { out in
            // The fields go through a `LineWriter` that takes over the buffer meanwhile.
            func fields() {
                var line = LineWriter(bytes: [], isJSON: format == .json)
                swap(&out, &line.bytes)
                body(&line)
                swap(&out, &line.bytes)
            }
            switch format {
            case .text:
                LogTimestamp.appendText(now, to: &out)
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: level.rawValue.utf8)
                if !label.isEmpty { out.append(UInt8(ascii: " ")) }
                out.append(contentsOf: label.utf8)
                out.append(UInt8(ascii: ":"))
                fields()
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
                fields()
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "\n"))
        }
    }

    /// Appends a line's fields in the line's format: ` key=value` in text, `,"key":"value"`
    /// in JSON (quoted as `JSONString.quote` does).
    struct LineWriter {
        var bytes: [UInt8]
        let isJSON: Bool

        mutating func field<K: Collection<UInt8>, V: Collection<UInt8>>(_ key: K, _ value: V) {
            if isJSON {
                bytes.append(UInt8(ascii: ","))
                BufferedLogHandler.appendQuoted(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                BufferedLogHandler.appendQuoted(value, to: &bytes)
            } else {
                bytes.append(UInt8(ascii: " "))
                bytes.append(contentsOf: key)
                bytes.append(UInt8(ascii: "="))
                bytes.append(contentsOf: value)
            }
        }
    }

    private static let reservedJSONKeys: Set<String> = ["time", "level", "label", "message"]

    private static func text(_ value: Logger.MetadataValue) -> String {
        if case .string(let string) = value { return string }
        return value.description
    }

    /// `JSONString.quote(text)`'s bytes; a string with nothing to escape is copied whole.
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        appendQuoted(text.utf8, to: &out)
    }

    /// `appendQuoted` for UTF-8 bytes (a string's, or digits formatted in place).
    static func appendQuoted<C: Collection<UInt8>>(_ utf8: C, to out: inout [UInt8]) {
        let plain = utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if plain {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: utf8)
            out.append(UInt8(ascii: "\""))
        } else {
            out.append(contentsOf: JSONString.quote(String(decoding: utf8, as: UTF8.self)).utf8)
        }
    }
}
