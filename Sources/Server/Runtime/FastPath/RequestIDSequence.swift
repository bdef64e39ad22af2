import Store

/// The request ids (`req_…`, as `RequestIDMiddleware` makes them) of the checks answered
/// on one connection: one system-random seed per connection, then a counter. A request
/// id names a request in logs and answers and guards nothing, so it needs to be unique,
/// not unpredictable; a `getrandom` call per request (`RandomID`) was ≈1.6% of a check's
/// server CPU. The counter goes through SplitMix64's finalizer, a bijection, so the
/// ids of a connection differ and do not look sequential; 64 random seed bits apart
/// make ids of different connections.
struct RequestIDSequence {
    private let high: UInt64
    private let low: UInt64
    private var count: UInt64 = 0

    init() {
        var generator = SystemRandomNumberGenerator()
        high = generator.next()
        low = generator.next()
    }

    mutating func next() -> String {
        count &+= 1
        return RandomID.format(prefix: "req", high: high, low: low ^ Self.mix(count))
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
