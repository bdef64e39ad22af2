/// Unguessable identifiers: 128 random bits from the system CSPRNG (getrandom), written in
/// lowercase base32 after a short kind prefix, e.g. `ten_5g3k…`. Never sequential, so an
/// id reveals neither how many objects exist nor when they were made.
public enum RandomID {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    public static func make(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return format(prefix: prefix, high: generator.next(), low: generator.next())
    }

    /// `prefix`, "_" and the 128 bits `high`:`low` in this type's base32 form.
    public static func format(prefix: String, high: UInt64, low: UInt64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(26)
        // 128 bits → 26 base32 digits (the last carries 3 bits).
        var value = (high, low)
        for _ in 0..<26 {
            bytes.append(alphabet[Int(value.1 & 31)])
            value = (value.0 >> 5, value.1 >> 5 | value.0 << 59)
        }
        return prefix + "_" + String(decoding: bytes, as: UTF8.self)
    }
}
