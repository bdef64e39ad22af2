/// A short field value formatted on the stack, for lines written once a request
/// (`BufferedLogHandler.log(access:source:)`): a `String` per value would be made and
/// freed for each of them. At most `capacity` bytes.
struct FieldText {
    static let capacity = 32
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private(set) var count = 0

    /// `String(value)`.
    init(decimal value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var digits = 0
        var rest = value.magnitude
        repeat {
            digits += 1
            rest /= 10
        } while rest > 0
        // Written from the last digit back.
        rest = value.magnitude
        count += digits
        for index in stride(from: count - 1, through: count - digits, by: -1) {
            set(index, UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
    }

    /// `prefix` (at most 16 bytes) then `value` in 16 lowercase hex digits.
    init(prefix: [UInt8], hex value: UInt64) {
        precondition(prefix.count <= Self.capacity - 16)
        for byte in prefix { append(byte) }
        for shift in stride(from: 60, through: 0, by: -4) {
            let digit = UInt8(truncatingIfNeeded: value >> UInt64(shift) & 15)
            append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }

    private mutating func append(_ byte: UInt8) {
        set(count, byte)
        count += 1
    }

    private mutating func set(_ index: Int, _ byte: UInt8) {
        withUnsafeMutableBytes(of: &storage) { $0[index] = byte }
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage) { raw in
            try body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[0..<count]))
        }
    }
}
