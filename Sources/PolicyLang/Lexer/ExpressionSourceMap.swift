/// Maps an offset in an expression's text (counted in Unicode scalars, as libyaml counts
/// columns) to the position in the YAML file where that character was written, so that
/// diagnostics and `Expr.location` point into the policy file rather than into the
/// condition string.
///
/// How positions are found (best effort, documented in DESIGN §3.3's spirit):
/// - one-line plain scalar at (L, C): offset k ↦ (L, C + k);
/// - quoted scalar: the same, one column further for the opening quote; escape sequences
///   (`\"`, `''`, `\u…`) are stepped over so later characters stay exact;
/// - block scalars (`|`, `>`): line i of the text ↦ file line L + 1 + i, the column being
///   the block's indentation plus the column in the text;
/// - multi-line plain, quoted and folded scalars: the text is aligned with the raw file
///   characters, skipping the line breaks and indentation YAML folded away, so every
///   non-blank character of the condition gets its real file position.
public struct ExpressionSourceMap: Sendable {
    public let file: String
    /// `(line, column)` of each character, plus one entry for the end of the text.
    private var positions: [(line: Int, column: Int)]

    public func location(at offset: Int) -> SourceLocation {
        let p = positions[min(max(offset, 0), positions.count - 1)]
        return SourceLocation(file: file, line: p.line, column: p.column)
    }

    /// Positions for text that starts at `start` and is laid out verbatim (tests, CLI
    /// one-liners): a newline in the text moves to column 1 of the next line.
    public static func verbatim(_ text: String, start: SourceLocation) -> ExpressionSourceMap {
        var positions: [(line: Int, column: Int)] = []
        var line = start.line, column = start.column
        for ch in text.unicodeScalars {
            positions.append((line, column))
            if ch == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        positions.append((line, column))
        return ExpressionSourceMap(file: start.file, positions: positions)
    }

    enum ScalarStyle { case plain, singleQuoted, doubleQuoted, block }

    /// Positions for a YAML scalar whose node starts at `start` in `source` (the whole
    /// file's scalars, with `lineStarts[i]` the index where line i + 1 begins).
    static func scalar(
        _ text: String, start: SourceLocation, source: [Unicode.Scalar], lineStarts: [Int], quoted: Bool
    ) -> ExpressionSourceMap {
        guard start.line >= 1, start.line <= lineStarts.count else { return verbatim(text, start: start) }
        var p = lineStarts[start.line - 1] + start.column - 1
        var line = start.line, column = start.column
        guard p < source.count else { return verbatim(text, start: start) }

        func advance() {
            guard p < source.count else { return }
            if source[p] == "\n" { line += 1; column = 1 } else { column += 1 }
            p += 1
        }
        func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" }
        func skipBlanks() { while p < source.count, isBlank(source[p]) { advance() } }

        // A tag (`!!str "…"`) comes before the scalar's first character.
        if source[p] == "!" {
            while p < source.count, !isBlank(source[p]) { advance() }
            skipBlanks()
        }
        var style = ScalarStyle.plain
        if quoted, p < source.count {
            switch source[p] {
            case "\"": style = .doubleQuoted; advance()
            case "'": style = .singleQuoted; advance()
            case "|", ">":
                style = .block
                while p < source.count, source[p] != "\n" { advance() }
                advance()
            default: break
            }
        }

        var positions: [(line: Int, column: Int)] = []
        let chars = Array(text.unicodeScalars)
        positions.reserveCapacity(chars.count + 1)
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            guard p < source.count else {
                positions.append((line, column)); i += 1; continue
            }
            let raw = source[p]
            if style == .doubleQuoted, raw == "\\" {
                let next = p + 1 < source.count ? source[p + 1] : " "
                if next == "\n" || next == "\r" {
                    // An escaped line break produces no character.
                    advance(); skipBlanks(); continue
                }
                positions.append((line, column)); i += 1
                let length: Int
                switch next {
                case "x": length = 4
                case "u": length = 6
                case "U": length = 10
                default: length = 2
                }
                for _ in 0..<length { advance() }
                continue
            }
            if style == .singleQuoted, raw == "'", ch == "'" {
                positions.append((line, column)); i += 1
                advance(); advance()
                continue
            }
            if raw == ch {
                positions.append((line, column)); i += 1
                advance()
                continue
            }
            if isBlank(ch) {
                // A folded line break: the text has one blank where the file has a
                // line break and indentation.
                positions.append((line, column)); i += 1
                if isBlank(raw) { skipBlanks() }
                continue
            }
            if isBlank(raw) {
                skipBlanks()
                continue
            }
            // Out of step (an unusual escape): keep going rather than give up.
            positions.append((line, column)); i += 1
            advance()
        }
        positions.append((line, column))
        return ExpressionSourceMap(file: start.file, positions: positions)
    }
}
