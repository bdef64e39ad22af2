/// Renders a chunk as one instruction per line, for golden tests and `--explain` style
/// debugging: `0004  getAttribute owner`.
public enum Disassembler {
    public static func disassemble(_ chunk: Chunk, symbols: SymbolTable) -> String {
        var lines: [String] = []
        var offset = 0
        while offset < chunk.code.count {
            guard let op = Opcode(rawValue: chunk.code[offset]) else {
                lines.append(pad(offset) + "  <bad opcode \(chunk.code[offset])>")
                break
            }
            var line = pad(offset) + "  \(op)"
            let end = offset + 1 + op.operandWidth
            switch op {
            case .constant:
                line += " " + render(chunk.constants[chunk.readU16(at: offset + 1)], symbols)
            case .getAttribute, .hasAttribute, .isType:
                line += " " + symbols[UInt32(chunk.readU16(at: offset + 1))]
            case .like:
                line += " \"" + render(chunk.patterns[chunk.readU16(at: offset + 1)]) + "\""
            case .makeSet:
                line += " \(chunk.readU16(at: offset + 1))"
            case .makeRecord:
                let keys = chunk.recordShapes[chunk.readU16(at: offset + 1)].map { symbols[$0] }
                line += " {" + keys.joined(separator: ", ") + "}"
            case .jump, .jumpIfFalseOrPop, .jumpIfTrueOrPop, .popJumpIfFalse:
                line += " -> " + pad(end + chunk.readU16(at: offset + 1))
            case .callFunction:
                line += " " + (ExtensionFunction(rawValue: chunk.code[offset + 1])?.name ?? "?")
            case .callMethod:
                line += " " + (ExtensionMethod(rawValue: chunk.code[offset + 1])?.name ?? "?")
            default:
                break
            }
            lines.append(line)
            offset = end
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ offset: Int) -> String {
        let digits = String(offset)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func render(_ constant: Constant, _ symbols: SymbolTable) -> String {
        switch constant {
        case .bool(let b): return String(b)
        case .long(let n): return String(n)
        case .string(let s): return "\"\(symbols[s])\""
        case .entity(let type, let id): return EntityUID(type: symbols[type], id: symbols[id]).description
        case .set(let elements): return "[" + elements.map { render($0, symbols) }.joined(separator: ", ") + "]"
        case .record(let fields):
            return "{" + fields.map { "\(symbols[$0.key]): \(render($0.value, symbols))" }.joined(separator: ", ") + "}"
        case .ipaddr(let ip): return "ip(\"\(ip)\")"
        case .decimal(let d): return "decimal(\"\(d)\")"
        }
    }

    private static func render(_ pattern: [PatternToken]) -> String {
        var text = ""
        for token in pattern {
            switch token {
            case .wildcard: text += "*"
            case .scalar(let s) where s == "*": text += "\\*"
            case .scalar(let s): text.unicodeScalars.append(s)
            }
        }
        return text
    }
}
