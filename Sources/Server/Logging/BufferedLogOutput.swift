#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Log lines collected in one reused byte buffer and written to standard output in
/// batches, instead of one locked `fwrite` + `fflush` per line (`StreamLogHandler`): the
/// access log writes a line per request, and the per-line write showed in profiles of
/// the check route (BENCHMARKS.md, "HTTP load").
///
/// Lines are written, in the order they were appended, when the buffer passes
/// `flushBytes`, at the next tick of a short timer (`interval`), at once for a line that
/// asks for it (warnings and worse: `BufferedLogHandler`), and by `flush()`, which
/// `arbiter serve` calls when it stops (and an `atexit` hook for the standard output), so
/// a clean shutdown loses no line. A crash can lose at most one interval of lines.
final class BufferedLogOutput: Sendable {
    /// Where the batches go; called with the write lock held, so batches never interleave.
    typealias Sink = @Sendable (UnsafeRawBufferPointer) -> Void

    /// Standard output, flushed every 100 ms, at 32 KiB and at exit.
    static let standardOutput: BufferedLogOutput = {
        let output = BufferedLogOutput(flushBytes: 32 * 1024, sink: BufferedLogOutput.writeStandardOutput)
        output.startTimer(interval: .milliseconds(100))
        atexit { BufferedLogOutput.standardOutput.flush() }
        return output
    }()

    let flushBytes: Int
    private let sink: Sink
    /// Lines not yet written. Appending holds only this lock, so a line is never delayed by
    /// a write in progress.
    private let pending: Mutex<[UInt8]>
    /// Held while a batch is taken and written (the buffer swapped with this spare, so
    /// neither is reallocated), so batches are written in order.
    private let writing: Mutex<[UInt8]>
    /// Set once, by `startTimer` (before lines come), and kept so the source stays alive.
    private nonisolated(unsafe) var timer: (any DispatchSourceTimer)?

    init(flushBytes: Int, sink: @escaping Sink) {
        self.flushBytes = flushBytes
        self.sink = sink
        var first: [UInt8] = []
        first.reserveCapacity(flushBytes + 4096)
        var spare: [UInt8] = []
        spare.reserveCapacity(flushBytes + 4096)
        pending = Mutex(first)
        writing = Mutex(spare)
    }

    /// Formats one line into the buffer (`format` appends its bytes, newline included);
    /// writes the buffer out when `now` or when it has grown past `flushBytes`.
    func append(now: Bool = false, _ format: (inout [UInt8]) -> Void) {
        let full = pending.withLock { bytes in
            format(&bytes)
            return bytes.count >= flushBytes
        }
        if now || full { flush() }
    }

    /// Writes every line appended so far.
    func flush() {
        writing.withLock { batch in
            pending.withLock { swap(&$0, &batch) }
            guard !batch.isEmpty else { return }
            batch.withUnsafeBytes { sink($0) }
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Flushes every `interval` on a background queue, so a quiet server's lines still
    /// appear promptly.
    func startTimer(interval: DispatchTimeInterval) {
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        source.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(20))
        source.setEventHandler { [weak self] in self?.flush() }
        source.resume()
        timer = source
    }

    deinit {
        timer?.cancel()
    }

    /// One locked `fwrite` and `fflush` of a batch on C's `stdout`, so anything else written
    /// through it (`print`) keeps its place relative to the batches.
    @Sendable static func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        #if canImport(Glibc)
        let file = Glibc.stdout!
        #else
        let file = Darwin.stdout
        #endif
        flockfile(file)
        defer { funlockfile(file) }
        _ = fwrite(base, 1, bytes.count, file)
        fflush(file)
    }
}
