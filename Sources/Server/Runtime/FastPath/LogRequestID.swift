import Hummingbird
import Synchronization

/// The `hb.request.id` of the fast path's access lines, shaped as Hummingbird's
/// `RequestID` writes the router's (its random per-process prefix, then a 64-bit counter
/// in 16 hex digits), so a log search treats both alike. `RequestID.description` builds
/// that text with `String(radix:)` and two concatenations, ≈1.2% of a check's server CPU;
/// the access line formats it in place (`FieldText`). The counter is this type's own
/// (`RequestID`'s is not public), started at a random value like Hummingbird's: the ids
/// name log lines and need only differ, which two random 64-bit starting points make all
/// but certain.
enum LogRequestID {
    /// Hummingbird's process prefix: a `RequestID`'s text without its 16 counter digits.
    static let prefix = Array(RequestID().description.utf8.dropLast(16))
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// The next id's counter value (`format` gives its text).
    static func next() -> UInt64 {
        counter.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    static func format(_ value: UInt64) -> String {
        FieldText(prefix: prefix, hex: value).withBytes { String(decoding: $0, as: UTF8.self) }
    }
}
