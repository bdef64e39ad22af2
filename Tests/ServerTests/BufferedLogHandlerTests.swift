import Foundation
import Logging
import PolicyLang
import Synchronization
import Testing
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// What a `BufferedLogOutput` wrote, batch by batch (a test's stand-in for standard output).
final class CapturedLog: Sendable {
    final class Batches: Sendable {
        let mutex = Mutex<[[UInt8]]>([])
        func withLock<T>(_ body: (inout [[UInt8]]) -> T) -> T { mutex.withLock { body(&$0) } }
    }

    let batches = Batches()
    let output: BufferedLogOutput

    init(flushBytes: Int = 1 << 20) {
        let batches = self.batches
        output = BufferedLogOutput(flushBytes: flushBytes) { bytes in batches.withLock { $0.append(Array(bytes)) } }
    }

    /// Everything written after a flush, as text.
    func text() -> String {
        output.flush()
        return String(decoding: batches.withLock { $0.joined() }, as: UTF8.self)
    }

    /// The JSON-format lines written after a flush, as string maps.
    func objects() -> [[String: String]] {
        text().split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
        }
    }
}

/// A `TextOutputStream` collecting what `StreamLogHandler` writes.
final class CapturedStream: TextOutputStream, @unchecked Sendable {
    private let lock = NSLock()
    private var storage = ""
    var text: String { lock.withLock { storage } }
    func write(_ string: String) { lock.withLock { storage += string } }
}

/// `BufferedLogHandler` must write the lines `StreamLogHandler` (text) and
/// `JSONLogHandler` (json) wrote — log shippers and the e2e tests parse them — and
/// `BufferedLogOutput` must lose and reorder nothing while batching.
@Suite struct BufferedLogHandlerTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    /// Logs the same events through `log` and returns what each wrote; retried when the
    /// second turned between the two (the text timestamps have one-second resolution).
    static func sameSecond(_ body: () -> (String, String)) -> (String, String) {
        for _ in 0..<5 {
            let before = time(nil)
            let result = body()
            if time(nil) == before { return result }
        }
        return body()
    }

    static func events(_ logger: Logger) {
        logger.info("request", metadata: [
            "request_id": "req_1", "status": .stringConvertible(200), "path": "/api/x", "hb.request.id": .stringConvertible(42),
        ])
        logger.debug("not shown")
        logger.warning("odd \"quoted\" message\nsecond line", metadata: ["list": .array(["a", "b"]), "map": .dictionary(["k": "v"])])
        logger.info("plain")
        logger.error("failed", error: Failure(), metadata: ["tenant": "acme"])
    }

    @Test func theTextFormatIsStreamLogHandlers() {
        let (ours, theirs) = Self.sameSecond {
            let captured = CapturedLog()
            var mine = Logger(label: "arbiter") { BufferedLogHandler(label: $0, format: .text, output: captured.output) }
            mine[metadataKey: "client_id"] = "cli_1"
            mine[metadataKey: "status"] = "overridden by the line's own"
            let stream = CapturedStream()
            var reference = Logger(label: "arbiter") { StreamLogHandler(label: $0, stream: stream, metadataProvider: nil) }
            reference[metadataKey: "client_id"] = "cli_1"
            reference[metadataKey: "status"] = "overridden by the line's own"
            Self.events(mine)
            Self.events(reference)
            var empty = Logger(label: "") { BufferedLogHandler(label: $0, format: .text, output: captured.output) }
            empty.logLevel = .info
            var emptyReference = Logger(label: "") { StreamLogHandler(label: $0, stream: stream, metadataProvider: nil) }
            emptyReference.logLevel = .info
            empty.info("no label, no metadata")
            emptyReference.info("no label, no metadata")
            return (captured.text(), stream.text)
        }
        #expect(ours == theirs)
        #expect(ours.split(separator: "\n").count == 6)
    }

    /// Lines with the value of a leading JSON `time` field emptied.
    static func withoutJSONTime(_ text: String) -> String {
        let prefix = #"{"time":""#
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix(prefix) else { return String(line) }
            let rest = line.dropFirst(prefix.count)
            guard let end = rest.firstIndex(of: "\"") else { return String(line) }
            return prefix + rest[end...]
        }.joined(separator: "\n")
    }

    /// The check fast path's access line, written without a metadata dictionary, is the
    /// line `Logger.info` writes with the same metadata, in both formats, with and
    /// without logger metadata of its own (one key also the line's).
    @Test func theDirectAccessLineIsTheLoggersLine() {
        let lines = [
            AccessLine(microseconds: 95, hbRequestID: LogRequestID.next(), path: CheckFastPath.path, requestId: "req_7"),
            AccessLine(microseconds: 0, hbRequestID: 0, path: CheckFastPath.batchPath, requestId: "a\"quote"),
            AccessLine(microseconds: 1_234_567_890_123, hbRequestID: .max, path: CheckFastPath.path, requestId: ""),
            AccessLine(microseconds: -7, hbRequestID: 1, path: CheckFastPath.path, requestId: "req_1"),
        ]
        for line in lines {
            let fields = line.fields
            #expect(fields.map(\.key) == fields.map(\.key).sorted(), "the fast path hands its fields over in key order")
            for format in [BufferedLogHandler.Format.text, .json] {
                for loggerMetadata in [[:], ["client_id": "cli_1", "status": "overridden by the line's own"]] as [Logger.Metadata] {
                    let (direct, viaLogger) = Self.sameSecond {
                        let first = CapturedLog(), second = CapturedLog()
                        var handler = BufferedLogHandler(label: "arbiter", format: format, output: first.output)
                        handler.metadata = loggerMetadata
                        handler.log(access: line, source: CheckFastPath.logSource)
                        var logger = Logger(label: "arbiter") { BufferedLogHandler(label: $0, format: format, output: second.output) }
                        for (key, value) in loggerMetadata { logger[metadataKey: key] = value }
                        var metadata = Logger.Metadata()
                        for field in fields { metadata[field.key] = .string(field.value) }
                        // The source the fast path's own `Logger.info` call gets (its module).
                        logger.info("request", metadata: metadata, source: "Server")
                        return (first.text(), second.text())
                    }
                    // The JSON time has milliseconds: compared without it (the text one has
                    // seconds, and `sameSecond` retries when the second turns).
                    #expect(Self.withoutJSONTime(direct) == Self.withoutJSONTime(viaLogger) && !direct.isEmpty, "\(format) \(loggerMetadata)")
                }
            }
        }
        // Below the handler's level nothing is written.
        let captured = CapturedLog()
        var quiet = BufferedLogHandler(label: "arbiter", format: .text, output: captured.output)
        quiet.logLevel = .warning
        quiet.log(access: lines[0], source: "Server")
        #expect(captured.text().isEmpty)
    }

    @Test func theJSONFormatIsJSONLogHandlers() throws {
        let captured = CapturedLog()
        var logger = Logger(label: "arbiter") { BufferedLogHandler(label: $0, format: .json, output: captured.output) }
        logger[metadataKey: "client_id"] = "cli_1"
        logger[metadataKey: "message"] = "a reserved key is left out"
        Self.events(logger)
        let lines = captured.text().split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        // What `JSONLogHandler.log` builds, with the time taken from our line.
        func expected(_ line: String, level: String, message: String, _ fields: [String: String]) -> String {
            let time = String(line.dropFirst(#"{"time":""#.count).prefix(24))
            var text = "{\"time\":\(JSONLogHandler.quote(time)),\"level\":\(JSONLogHandler.quote(level))"
            text += ",\"label\":\(JSONLogHandler.quote("arbiter")),\"message\":\(JSONLogHandler.quote(message))"
            for key in fields.keys.sorted() { text += ",\(JSONLogHandler.quote(key)):\(JSONLogHandler.quote(fields[key]!))" }
            return text + "}"
        }
        #expect(lines[0] == expected(lines[0], level: "info", message: "request", [
            "client_id": "cli_1", "request_id": "req_1", "status": "200", "path": "/api/x", "hb.request.id": "42",
        ]))
        #expect(lines[1] == expected(lines[1], level: "warning", message: "odd \"quoted\" message\nsecond line", [
            "client_id": "cli_1", "list": #"["a", "b"]"#, "map": #"["k": v]"#,
        ]) || lines[1] == expected(lines[1], level: "warning", message: "odd \"quoted\" message\nsecond line", [
            "client_id": "cli_1", "list": Logger.MetadataValue.array(["a", "b"]).description,
            "map": Logger.MetadataValue.dictionary(["k": "v"]).description,
        ]))
        #expect(lines[3] == expected(lines[3], level: "error", message: "failed", ["client_id": "cli_1", "tenant": "acme"]))
        for line in lines { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)") }
    }

    /// The JSON time is Foundation's ISO 8601 form of the same instant (what
    /// `JSONLogHandler` wrote): UTC, milliseconds truncated, `Z`.
    @Test func theJSONTimeIsFoundationsISO8601() {
        for (seconds, nanoseconds) in [(1_795_950_529, 123_900_000), (1_795_950_529, 999_999_999), (0, 0), (1_795_950_529, 500_000)] {
            var out: [UInt8] = []
            LogTimestamp.appendJSON(timespec(tv_sec: seconds, tv_nsec: nanoseconds), to: &out)
            let date = Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds / 1_000_000) / 1000 + 0.0001)
            let foundation = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
            #expect(String(decoding: out, as: UTF8.self) == foundation)
        }
        var digits: [UInt8] = []
        LogTimestamp.digits(7, 3, &digits)
        LogTimestamp.digits(12345, 2, &digits)
        #expect(String(decoding: digits, as: UTF8.self) == "00712345")
    }

    /// Lines wait in the buffer until it passes its size, a warning comes, or a flush;
    /// they come out once each, whole and in order.
    @Test func linesAreBatchedAndWrittenInOrder() {
        let captured = CapturedLog(flushBytes: 4096)
        var logger = Logger(label: "arbiter") { BufferedLogHandler(label: $0, format: .text, output: captured.output) }
        logger.logLevel = .info
        logger.info("one")
        logger.info("two")
        #expect(captured.batches.withLock { $0.isEmpty })
        logger.warning("three")
        #expect(captured.batches.withLock { $0.count } == 1)
        let written = String(decoding: captured.batches.withLock { $0[0] }, as: UTF8.self)
        #expect(written.hasSuffix("] one\n") == false && written.contains("] one\n") && written.hasSuffix("] three\n"))
        for index in 0..<200 { logger.info("line \(index)") }
        // 200 lines of ≈60 bytes passed 4 KiB: some were written without a flush.
        #expect(captured.batches.withLock { $0.count } > 1)
        let lines = captured.text().split(separator: "\n").map { String($0.split(separator: "] ").last ?? "") }
        #expect(lines == ["one", "two", "three"] + (0..<200).map { "line \($0)" })
    }

    /// Many threads logging at once: every line written exactly once and never torn.
    @Test func concurrentLinesAreNeitherLostNorTorn() async {
        let captured = CapturedLog(flushBytes: 2048)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var logger = Logger(label: "w\(writer)") { BufferedLogHandler(label: $0, format: .json, output: captured.output) }
                    logger.logLevel = .info
                    for index in 0..<500 { logger.info("line", metadata: ["n": "\(writer)-\(index)"]) }
                }
            }
        }
        let objects = captured.objects()
        #expect(objects.count == 8 * 500)
        #expect(Set(objects.compactMap { $0["n"] }).count == 8 * 500)
        // Each writer's lines in its own order.
        for writer in 0..<8 {
            let mine = objects.filter { $0["label"] == "w\(writer)" }.compactMap { $0["n"] }
            #expect(mine == (0..<500).map { "\(writer)-\($0)" })
        }
    }

    /// A quiet server's lines still appear: the timer writes them within its interval.
    @Test func theTimerWritesPendingLines() async throws {
        let captured = CapturedLog()
        captured.output.startTimer(interval: .milliseconds(20))
        var logger = Logger(label: "arbiter") { BufferedLogHandler(label: $0, format: .text, output: captured.output) }
        logger.logLevel = .info
        logger.info("quiet")
        let deadline = ContinuousClock.now + .seconds(5)
        while captured.batches.withLock({ $0.isEmpty }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(String(decoding: captured.batches.withLock { $0.joined() }, as: UTF8.self).hasSuffix("] quiet\n"))
    }
}
