/// Splits a Cedar expression into tokens. Whitespace and `//` comments separate tokens, as
/// in Cedar; the whole input is lexed up front because expressions are short (bounded by
/// `PolicyLimits.maxExpressionLength`).
struct Lexer {
    private let chars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        chars = Array(text.unicodeScalars)
    }

    static func tokenize(_ text: String) throws(ExpressionError) -> [Token] {
        var lexer = Lexer(text)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < chars.count ? chars[index + ahead] : nil
    }

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    private static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || isDigit(c)
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    private mutating func skipTrivia() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                index += 1
            } else if c == "/", peek(1) == "/" {
                while let d = peek(), d != "\n" { index += 1 }
            } else {
                return
            }
        }
    }

    mutating func next() throws(ExpressionError) -> Token {
        skipTrivia()
        let start = index
        guard let c = peek() else { return Token(kind: .end, start: start, end: start) }

        if Self.isIdentifierStart(c) {
            while let d = peek(), Self.isIdentifierContinue(d) { index += 1 }
            let name = String(String.UnicodeScalarView(chars[start..<index]))
            return Token(kind: .identifier(name), start: start, end: index)
        }
        if Self.isDigit(c) {
            var value: UInt64 = 0
            var overflow = false
            while let d = peek(), Self.isDigit(d) {
                let digit = UInt64(d.value - 48)
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(digit)
                overflow = overflow || o1 || o2
                value = sum
                index += 1
            }
            if overflow || value > UInt64(Int64.max) + 1 {
                throw ExpressionError(
                    "integer literal \(String(String.UnicodeScalarView(chars[start..<index]))) does not fit in 64 bits",
                    at: start, hint: "integers range from -9223372036854775808 to 9223372036854775807")
            }
            return Token(kind: .integer(value), start: start, end: index)
        }
        if c == "\"" {
            index += 1
            var raw = String.UnicodeScalarView()
            while true {
                guard let d = peek() else {
                    throw ExpressionError(
                        "unterminated string", at: start, hint: "close the string with a double quote")
                }
                index += 1
                if d == "\"" { break }
                raw.append(d)
                if d == "\\", let e = peek() {
                    raw.append(e)
                    index += 1
                }
            }
            return Token(kind: .string(raw: String(raw)), start: start, end: index)
        }

        let two: String? = peek(1).map { String(String.UnicodeScalarView([c, $0])) }
        for symbol in [Token.Symbol.doubleColon, .equal, .notEqual, .lessOrEqual, .greaterOrEqual, .and, .or]
        where two == symbol.rawValue {
            index += 2
            return Token(kind: .symbol(symbol), start: start, end: index)
        }
        if let symbol = Token.Symbol(rawValue: String(c)) {
            index += 1
            return Token(kind: .symbol(symbol), start: start, end: index)
        }
        let hint: String?
        switch c {
        case "=": hint = "use == to compare"
        case "&": hint = "use && for 'and'"
        case "|": hint = "use || for 'or'"
        case "'": hint = "Cedar strings use double quotes"
        default: hint = nil
        }
        let shown = c.value < 0x20 || c.value == 0x7F ? c.escaped(asASCII: true) : String(c)
        throw ExpressionError("unexpected character '\(shown)'", at: start, hint: hint)
    }
}
