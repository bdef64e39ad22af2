/// Cedar's `decimal` extension value: a fixed-point number with four fractional digits,
/// stored as the Int64 `value × 10⁴` (so its range is that of Int64 / 10⁴).
///
/// Like `IPAddress`, it lives in PolicyLang so the compiler can fold `decimal("…")` on a
/// literal into a constant. Parsing follows `cedar-policy-core/src/extensions/decimal.rs`:
/// `-?[0-9]+\.[0-9]{1,4}`, overflow is an error. The sign is the leading `-`, also when
/// the integer part is zero: `"-0.5"` is −0.5 and `"-0.0"` is zero (checked against
/// cedarpy 4.12.2: `decimal("-0.5").lessThan(decimal("0.0"))` holds).
public struct CedarDecimal: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var scaled: Int64

    public init(scaled: Int64) { self.scaled = scaled }

    public static func < (lhs: CedarDecimal, rhs: CedarDecimal) -> Bool { lhs.scaled < rhs.scaled }

    public var description: String {
        let whole = scaled / 10_000
        let fraction = String(scaled.magnitude % 10_000)
        let sign = scaled < 0 && whole == 0 ? "-" : ""
        return "\(sign)\(whole).\(String(repeating: "0", count: 4 - fraction.count))\(fraction)"
    }

    public static func parse(_ text: String) -> Result<CedarDecimal, ExtensionError> {
        let bytes = Array(text.utf8)
        let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else {
            return .failure(ExtensionError("`\(text)` is not a well-formed decimal value"))
        }
        var integerPart = bytes[..<dot]
        let negative = integerPart.first == UInt8(ascii: "-")
        if negative { integerPart = integerPart.dropFirst() }
        let fractionPart = bytes[(dot + 1)...]
        guard !integerPart.isEmpty, integerPart.allSatisfy(isDigit),
              !fractionPart.isEmpty, fractionPart.allSatisfy(isDigit)
        else {
            return .failure(ExtensionError("`\(text)` is not a well-formed decimal value"))
        }
        guard fractionPart.count <= 4 else {
            return .failure(ExtensionError("too many digits after the decimal in `\(text)`; at most 4 are supported"))
        }
        let overflow = ExtensionError("overflow when converting `\(text)` to decimal")
        // Integer part as Rust's i64::from_str would read it, sign included.
        var whole: Int64 = 0
        for byte in integerPart {
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, o1) = whole.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if o1 || o2 { return .failure(overflow) }
            whole = next
        }
        var fraction: Int64 = 0
        for byte in fractionPart { fraction = fraction * 10 + Int64(byte - UInt8(ascii: "0")) }
        for _ in fractionPart.count..<4 { fraction *= 10 }
        let (scaledWhole, o3) = whole.multipliedReportingOverflow(by: 10_000)
        if o3 { return .failure(overflow) }
        // `whole` is already negative for "-1.5"; for "-0.5" it is 0, so the sign must
        // come from the text, not from `whole`.
        let (value, o4) = negative
            ? scaledWhole.subtractingReportingOverflow(fraction)
            : scaledWhole.addingReportingOverflow(fraction)
        if o4 { return .failure(overflow) }
        return .success(CedarDecimal(scaled: value))
    }
}
