/// Parses SCIM filters (RFC 7644 §3.4.2.2) with a tokenizer and a recursive-descent parser:
/// precedence `not` > `and` > `or`, parentheses, `attr[valueFilter]`, dotted sub-attributes,
/// schema-URN-prefixed names and string/number/boolean/null literals. Input length and
/// nesting are bounded; every error names the 1-based character position where it was found.
public struct SCIMFilterParser {
    public static let maxLength = 4096
    public static let maxDepth = 32

    struct Token: Equatable {
        enum Kind: Equatable {
            case openParen, closeParen, openBracket, closeBracket
            case string(String)
            case number(SCIMValue)
            case word(String)
        }
        var kind: Kind
        /// 1-based position of the token's first character.
        var position: Int
    }

    private let tokens: [Token]
    private let endPosition: Int
    private var index = 0

    private init(tokens: [Token], endPosition: Int) {
        self.tokens = tokens
        self.endPosition = endPosition
    }

    /// The whole text must be one filter.
    public static func parse(_ text: String) throws(SCIMLanguageError) -> SCIMFilter {
        let bytes = Array(text.utf8)
        guard bytes.count <= maxLength else {
            throw SCIMLanguageError(.invalidFilter, "the filter is longer than \(maxLength) bytes")
        }
        var parser = SCIMFilterParser(tokens: try tokenize(bytes), endPosition: positionOf(bytes.count, in: bytes))
        guard !parser.tokens.isEmpty else { throw SCIMLanguageError(.invalidFilter, "the filter is empty") }
        let filter = try parser.parseOr(depth: 0, insideValuePath: false)
        if let extra = parser.peek {
            throw parser.error(at: extra, extra.kind == .closeParen ? "unbalanced ')'" : "expected 'and', 'or' or the end of the filter")
        }
        return filter
    }

    /// A value filter as found between `[` and `]` of a PATCH path.
    static func parseValueFilter(_ text: String) throws(SCIMLanguageError) -> SCIMFilter {
        let bytes = Array(text.utf8)
        guard bytes.count <= maxLength else {
            throw SCIMLanguageError(.invalidFilter, "the filter is longer than \(maxLength) bytes")
        }
        var parser = SCIMFilterParser(tokens: try tokenize(bytes), endPosition: positionOf(bytes.count, in: bytes))
        guard !parser.tokens.isEmpty else { throw SCIMLanguageError(.invalidFilter, "the value filter is empty") }
        let filter = try parser.parseOr(depth: 1, insideValuePath: true)
        if let extra = parser.peek { throw parser.error(at: extra, "expected 'and', 'or' or ']'") }
        return filter
    }

    // MARK: Tokens

    /// Character (not byte) position, so errors point at what a person sees.
    static func positionOf(_ byteOffset: Int, in bytes: [UInt8]) -> Int {
        var characters = 0
        for byte in bytes[0..<byteOffset] where byte & 0xC0 != 0x80 { characters += 1 }
        return characters + 1
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
             UInt8(ascii: ":"), UInt8(ascii: "$"), UInt8(ascii: "+"):
            return true
        default: return false
        }
    }

    static func tokenize(_ bytes: [UInt8]) throws(SCIMLanguageError) -> [Token] {
        var tokens: [Token] = []
        var offset = 0
        func fail(_ at: Int, _ message: String) -> SCIMLanguageError {
            SCIMLanguageError(.invalidFilter, "at position \(positionOf(at, in: bytes)): \(message)")
        }
        // Character position of `offset`, kept up to date as the loop advances (one pass, not
        // one scan from the start per token).
        var position = 1
        var counted = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            while counted < offset {
                if bytes[counted] & 0xC0 != 0x80 { position += 1 }
                counted += 1
            }
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                offset += 1
            case UInt8(ascii: "("): tokens.append(Token(kind: .openParen, position: position)); offset += 1
            case UInt8(ascii: ")"): tokens.append(Token(kind: .closeParen, position: position)); offset += 1
            case UInt8(ascii: "["): tokens.append(Token(kind: .openBracket, position: position)); offset += 1
            case UInt8(ascii: "]"): tokens.append(Token(kind: .closeBracket, position: position)); offset += 1
            case UInt8(ascii: "\""):
                // Find the closing quote, then let the JSON reader decode the escapes.
                var end = offset + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard end < bytes.count else { throw fail(offset, "unterminated string") }
                let literal: SCIMValue
                do {
                    literal = try SCIMValue.parse(bytes[offset...end])
                } catch {
                    throw fail(offset + error.offset, "invalid string literal (\(error.message))")
                }
                guard case .string(let text) = literal else { throw fail(offset, "invalid string literal") }
                tokens.append(Token(kind: .string(text), position: position))
                offset = end + 1
            default:
                guard isWordByte(byte) else {
                    throw fail(offset, "unexpected character '\(String(decoding: [byte], as: UTF8.self))'")
                }
                var end = offset
                while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
                let text = String(decoding: bytes[offset..<end], as: UTF8.self)
                if byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
                    guard let number = try? SCIMValue.parse(text), number.doubleValue != nil else {
                        throw fail(offset, "invalid number '\(text)'")
                    }
                    tokens.append(Token(kind: .number(number), position: position))
                } else {
                    tokens.append(Token(kind: .word(text), position: position))
                }
                offset = end
            }
        }
        return tokens
    }

    // MARK: Grammar

    private var peek: Token? { index < tokens.count ? tokens[index] : nil }

    private func error(at token: Token?, _ message: String) -> SCIMLanguageError {
        SCIMLanguageError(.invalidFilter, "at position \(token?.position ?? endPosition): \(message)")
    }

    private func isKeyword(_ token: Token?, _ keyword: String) -> Bool {
        guard case .word(let text)? = token?.kind else { return false }
        return text.caseInsensitiveCompare(keyword) == .orderedSame
    }

    private mutating func expect(_ kind: Token.Kind, _ what: String) throws(SCIMLanguageError) {
        guard let token = peek, token.kind == kind else { throw error(at: peek, "expected \(what)") }
        index += 1
    }

    private mutating func parseOr(depth: Int, insideValuePath: Bool) throws(SCIMLanguageError) -> SCIMFilter {
        var operands = [try parseAnd(depth: depth, insideValuePath: insideValuePath)]
        while isKeyword(peek, "or") {
            index += 1
            operands.append(try parseAnd(depth: depth, insideValuePath: insideValuePath))
        }
        return operands.count == 1 ? operands[0] : .or(operands)
    }

    private mutating func parseAnd(depth: Int, insideValuePath: Bool) throws(SCIMLanguageError) -> SCIMFilter {
        var operands = [try parseUnary(depth: depth, insideValuePath: insideValuePath)]
        while isKeyword(peek, "and") {
            index += 1
            operands.append(try parseUnary(depth: depth, insideValuePath: insideValuePath))
        }
        return operands.count == 1 ? operands[0] : .and(operands)
    }

    private mutating func parseUnary(depth: Int, insideValuePath: Bool) throws(SCIMLanguageError) -> SCIMFilter {
        guard let token = peek else { throw error(at: nil, "unexpected end of filter, expected an attribute, 'not' or '('") }
        if depth >= Self.maxDepth { throw error(at: token, "the filter nests deeper than \(Self.maxDepth) levels") }
        if isKeyword(token, "not"), index + 1 < tokens.count, tokens[index + 1].kind == .openParen {
            index += 2
            let inner = try parseOr(depth: depth + 1, insideValuePath: insideValuePath)
            try expect(.closeParen, "')' closing 'not ('")
            return .not(inner)
        }
        if token.kind == .openParen {
            index += 1
            let inner = try parseOr(depth: depth + 1, insideValuePath: insideValuePath)
            try expect(.closeParen, "')'")
            return inner
        }
        return try parseAttributeExpression(depth: depth, insideValuePath: insideValuePath)
    }

    private mutating func parseAttributeExpression(depth: Int, insideValuePath: Bool) throws(SCIMLanguageError) -> SCIMFilter {
        guard let token = peek, case .word(let name) = token.kind else {
            throw error(at: peek, "expected an attribute name")
        }
        if ["and", "or"].contains(name.lowercased()) { throw error(at: token, "expected an attribute name before '\(name)'") }
        if isKeyword(token, "not") { throw error(at: token, "'not' must be followed by '('") }
        let path: SCIMAttributePath
        do {
            path = try Self.attributePath(name)
        } catch {
            throw self.error(at: token, error.detail)
        }
        index += 1

        if peek?.kind == .openBracket {
            let bracket = peek
            guard !insideValuePath else { throw error(at: bracket, "a value filter cannot contain another '['") }
            guard path.subAttribute == nil else { throw error(at: bracket, "'[' must follow an attribute, not a sub-attribute") }
            index += 1
            let inner = try parseOr(depth: depth + 1, insideValuePath: true)
            try expect(.closeBracket, "']'")
            return .valuePath(path, inner)
        }

        guard let operatorToken = peek, case .word(let operatorText) = operatorToken.kind else {
            throw error(at: peek, "expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after '\(name)'")
        }
        index += 1
        if operatorText.lowercased() == "pr" { return .present(path) }
        guard let op = SCIMCompareOperator(rawValue: operatorText.lowercased()) else {
            throw error(at: operatorToken, "unknown operator '\(operatorText)'")
        }
        guard let valueToken = peek else { throw error(at: nil, "expected a value after '\(operatorText)'") }
        let value: SCIMValue
        switch valueToken.kind {
        case .string(let text): value = .string(text)
        case .number(let number): value = number
        case .word(let word):
            switch word.lowercased() {
            case "true": value = .bool(true)
            case "false": value = .bool(false)
            case "null": value = .null
            default: throw error(at: valueToken, "expected a quoted string, number, true, false or null, found '\(word)'")
            }
        default: throw error(at: valueToken, "expected a value after '\(operatorText)'")
        }
        index += 1
        return .compare(path, op, value)
    }

    // MARK: Attribute paths

    /// Splits `[urn:]attr[.sub]`; a known schema URN is matched whole (it contains dots and
    /// colons itself), any other URN-looking prefix up to its last colon.
    static func attributePath(_ text: String) throws(SCIMLanguageError) -> SCIMAttributePath {
        var schema: String?
        var rest = Substring(text)
        if text.contains(":") {
            if let known = SCIMSchemaURN.attributePrefixes.first(where: {
                text.count > $0.count && text.lowercased().hasPrefix($0.lowercased() + ":")
            }) {
                schema = String(text.prefix(known.count))
                rest = text.dropFirst(known.count + 1)
            } else if let colon = text.lastIndex(of: ":") {
                schema = String(text[..<colon])
                rest = text[text.index(after: colon)...]
            }
            guard let schema, schema.lowercased().hasPrefix("urn:") else {
                throw SCIMLanguageError(.invalidFilter, "'\(text)' is not an attribute name")
            }
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy(isAttributeName) else {
            throw SCIMLanguageError(.invalidFilter, "'\(text)' is not an attribute name")
        }
        return SCIMAttributePath(schema: schema, attribute: String(parts[0]), subAttribute: parts.count == 2 ? String(parts[1]) : nil)
    }

    /// RFC 7643 §2.1 ATTRNAME (`$ref` allowed).
    static func isAttributeName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        guard isLetter(first) || (first == "$" && name.count > 1) else { return false }
        return name.unicodeScalars.dropFirst().allSatisfy {
            isLetter($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }
}

extension SCIMFilter {
    /// Parses filter text; see `SCIMFilterParser`.
    public static func parse(_ text: String) throws(SCIMLanguageError) -> SCIMFilter {
        try SCIMFilterParser.parse(text)
    }
}
