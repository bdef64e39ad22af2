import Hummingbird
import Synchronization

/// The `hb.request.id` of the fast path's access lines, shaped as Hummingbird's
/// `RequestID` writes the router's (its random per-process prefix, then a 64-bit counter
/// in 16 hex digits), so a log search treats both alike. `RequestID.description` builds
/// that text with `String(radix:)` and two concatenations, ≈1.2% of a check's server CPU;
/// this writes it into one string. The counter is this type's own (`RequestID`'s is not
/// public), started at a random value like Hummingbird's: the ids name log lines and
/// need only differ, which two random 64-bit starting points make all but certain.
enum LogRequestID {
    /// Hummingbird's process prefix: a `RequestID`'s text without its 16 counter digits.
    static let prefix = Array(RequestID().description.utf8.dropLast(16))
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))
    private static let digits = Array("0123456789abcdef".utf8)

    static func next() -> String {
        let value = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        return format(value)
    }

    static func format(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: prefix.count + 16) { out in
            var index = 0
            for byte in prefix {
                out[index] = byte
                index += 1
            }
            for shift in stride(from: 60, through: 0, by: -4) {
                out[index] = digits[Int(value >> UInt64(shift) & 15)]
                index += 1
            }
            return index
        }
    }
}
