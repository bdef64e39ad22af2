/// A short field value formatted on the stack, for lines written once a request
/// (`BufferedLogHandler.log(access:source:)`): a `String` per value would be made and
/// freed for each of them. At most `capacity` bytes.
struct FieldText {
    static let capacity = 32
    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private(set) var count = 0

    /// `String(value)`.
    init(decimal value: Int64) {
        var magnitude = value.magnitude
        // Digits written from the end of a scratch buffer, then appended in order.
        var scratch = FieldText()
        var used = 0
        repeat {
            scratch.set(Self.capacity - 1 - used, UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
            used += 1
        } while magnitude > 0
        if value < 0 { append(UInt8(ascii: "-")) }
        for index in (Self.capacity - used)..<Self.capacity { append(scratch.byte(index)) }
    }

    /// `prefix` (at most 16 bytes) then `value` in 16 lowercase hex digits.
    init(prefix: [UInt8], hex value: UInt64) {
        precondition(prefix.count <= Self.capacity - 16)
        for byte in prefix { append(byte) }
        for shift in stride(from: 60, through: 0, by: -4) {
            append(Self.hexDigits[Int(value >> UInt64(shift) & 15)])
        }
    }

    private init() {}

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func append(_ byte: UInt8) {
        set(count, byte)
        count += 1
    }

    private mutating func set(_ index: Int, _ byte: UInt8) {
        withUnsafeMutableBytes(of: &storage) { $0[index] = byte }
    }

    private func byte(_ index: Int) -> UInt8 {
        withUnsafeBytes(of: storage) { $0[index] }
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage) { raw in
            try body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[0..<count]))
        }
    }
}
