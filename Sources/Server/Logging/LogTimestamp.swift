#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The timestamps of `BufferedLogHandler`'s lines, appended as bytes, in the forms the
/// handlers it replaces wrote: the text format's is `StreamLogHandler`'s (local time,
/// `2026-11-29T11:08:49+0000`), the JSON format's is `JSONLogHandler`'s (UTC with
/// milliseconds, truncated, as Foundation's ISO 8601 style gives them:
/// `2026-11-29T11:08:49.123Z`). The part that changes once a second is formatted once a
/// second, not per line.
enum LogTimestamp {
    private static let localSecond = Mutex<(second: Int, bytes: [UInt8])>((-1, []))
    private static let utcSecond = Mutex<(second: Int, bytes: [UInt8])>((-1, []))

    static func now() -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now
    }

    /// `%Y-%m-%dT%H:%M:%S%z` in local time.
    static func appendText(_ now: timespec, to out: inout [UInt8]) {
        appendSecond(now, localSecond, to: &out) { seconds in
            var parts = tm()
            localtime_r(&seconds, &parts)
            var buffer = [Int8](repeating: 0, count: 64)
            let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
            return buffer[..<count].map { UInt8(bitPattern: $0) }
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC.
    static func appendJSON(_ now: timespec, to out: inout [UInt8]) {
        appendSecond(now, utcSecond, to: &out) { seconds in
            var parts = tm()
            gmtime_r(&seconds, &parts)
            var bytes: [UInt8] = []
            digits(Int(parts.tm_year) + 1900, 4, &bytes); bytes.append(UInt8(ascii: "-"))
            digits(Int(parts.tm_mon) + 1, 2, &bytes); bytes.append(UInt8(ascii: "-"))
            digits(Int(parts.tm_mday), 2, &bytes); bytes.append(UInt8(ascii: "T"))
            digits(Int(parts.tm_hour), 2, &bytes); bytes.append(UInt8(ascii: ":"))
            digits(Int(parts.tm_min), 2, &bytes); bytes.append(UInt8(ascii: ":"))
            digits(Int(parts.tm_sec), 2, &bytes)
            return bytes
        }
        out.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec) / 1_000_000, 3, &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// Appends the formatted second of `now`, formatting it (`format`) only when the
    /// second differs from the one `cache` holds: lines come many per second.
    private static func appendSecond(
        _ now: timespec, _ cache: borrowing Mutex<(second: Int, bytes: [UInt8])>, to out: inout [UInt8],
        _ format: (inout time_t) -> [UInt8]
    ) {
        let second = Int(now.tv_sec)
        cache.withLock { cached in
            if cached.second != second {
                var seconds = time_t(second)
                cached = (second, format(&seconds))
            }
            out.append(contentsOf: cached.bytes)
        }
    }

    /// `value` (≥ 0) in decimal, zero-padded to at least `width` digits.
    static func digits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        var needed = 1
        while divisor * 10 <= value || needed < width {
            divisor *= 10
            needed += 1
        }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
