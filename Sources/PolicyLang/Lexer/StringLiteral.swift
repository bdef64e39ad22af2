/// Cedar's string escapes: `\n \t \r \\ \" \' \0`, `\xHH` (ASCII only) and `\u{H…}` with one
/// to six hex digits naming a Unicode scalar. In `like` patterns `\*` is a literal star and
/// a bare `*` a wildcard; anywhere else `\*` is an error, as in Cedar.
enum StringLiteral {
    /// `offset` is where the raw text starts in the expression (after the opening quote),
    /// so that a bad escape is reported at its own position.
    static func unescape(_ raw: String, offset: Int) throws(ExpressionError) -> String {
        var out = String.UnicodeScalarView()
        for element in try decode(raw, offset: offset, pattern: false) {
            if case .scalar(let s) = element { out.append(s) }
        }
        return String(out)
    }

    static func pattern(_ raw: String, offset: Int) throws(ExpressionError) -> [PatternElement] {
        var elements: [PatternElement] = []
        var literal = String.UnicodeScalarView()
        for element in try decode(raw, offset: offset, pattern: true) {
            switch element {
            case .scalar(let s):
                literal.append(s)
            case .wildcard:
                if !literal.isEmpty {
                    elements.append(.literal(String(literal)))
                    literal = String.UnicodeScalarView()
                }
                // `**` matches what `*` matches; one wildcard keeps matching linear.
                if elements.last != .wildcard { elements.append(.wildcard) }
            }
        }
        if !literal.isEmpty { elements.append(.literal(String(literal))) }
        return elements
    }

    private enum Element { case scalar(Unicode.Scalar), wildcard }

    private static func decode(_ raw: String, offset: Int, pattern: Bool) throws(ExpressionError) -> [Element] {
        let chars = Array(raw.unicodeScalars)
        var out: [Element] = []
        var i = 0
        func isHex(_ c: Unicode.Scalar) -> Bool {
            ("0"..."9").contains(c) || ("a"..."f").contains(c) || ("A"..."F").contains(c)
        }
        while i < chars.count {
            let c = chars[i]
            if c == "*", pattern {
                out.append(.wildcard); i += 1; continue
            }
            guard c == "\\" else {
                out.append(.scalar(c)); i += 1; continue
            }
            let at = offset + i
            guard i + 1 < chars.count else {
                throw ExpressionError("incomplete escape sequence", at: at)
            }
            let e = chars[i + 1]
            i += 2
            switch e {
            case "n": out.append(.scalar("\n"))
            case "t": out.append(.scalar("\t"))
            case "r": out.append(.scalar("\r"))
            case "\\": out.append(.scalar("\\"))
            case "\"": out.append(.scalar("\""))
            case "'": out.append(.scalar("'"))
            case "0": out.append(.scalar("\0"))
            case "*" where pattern: out.append(.scalar("*"))
            case "x":
                guard i + 1 < chars.count, isHex(chars[i]), isHex(chars[i + 1]),
                    let value = UInt32(String(String.UnicodeScalarView(chars[i...i + 1])), radix: 16), value <= 0x7F,
                    let scalar = Unicode.Scalar(value)
                else {
                    throw ExpressionError(
                        "invalid \\x escape", at: at, hint: "\\x takes two hex digits up to 7f; use \\u{…} beyond ASCII")
                }
                out.append(.scalar(scalar))
                i += 2
            case "u":
                guard i < chars.count, chars[i] == "{" else {
                    throw ExpressionError("invalid \\u escape", at: at, hint: "write \\u{1F600}: one to six hex digits in braces")
                }
                var j = i + 1
                var digits = String.UnicodeScalarView()
                while j < chars.count, isHex(chars[j]), digits.count < 7 {
                    digits.append(chars[j]); j += 1
                }
                guard j < chars.count, chars[j] == "}", (1...6).contains(digits.count),
                    let value = UInt32(String(digits), radix: 16), let scalar = Unicode.Scalar(value)
                else {
                    throw ExpressionError(
                        "invalid \\u escape", at: at,
                        hint: "write \\u{1F600}: one to six hex digits in braces naming a Unicode scalar")
                }
                out.append(.scalar(scalar))
                i = j + 1
            default:
                throw ExpressionError(
                    "unknown escape sequence '\\\(e.escaped(asASCII: false))'", at: at,
                    hint: pattern
                        ? "valid escapes: \\n \\t \\r \\\\ \\\" \\' \\0 \\* \\u{…}"
                        : "valid escapes: \\n \\t \\r \\\\ \\\" \\' \\0 \\u{…}; \\* only in like patterns")
            }
        }
        return out
    }
}
