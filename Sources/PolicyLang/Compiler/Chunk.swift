/// The compiled form of one rule, in the shape clox and Wren use: code bytes, a constant
/// table, and source locations per instruction, plus two side tables (`like` patterns and
/// record-literal shapes) so that instructions carry only small fixed-width operands.
public struct Chunk: Sendable, Equatable {
    public var code: [UInt8] = []
    public var constants: [Constant] = []
    public var patterns: [[PatternToken]] = []
    /// The field names (symbol ids) of each record literal built at run time, in the
    /// order their values are pushed.
    public var recordShapes: [[UInt32]] = []
    /// Run-length table: the instruction starting at `offset`, and every one after it up
    /// to the next entry, came from the expression at `location`.
    public var locations: [LocationEntry] = []
    /// The deepest the value stack gets while running this chunk, computed during
    /// emission so the VM can size its stack once.
    public var maxStackDepth: Int = 0

    public struct LocationEntry: Sendable, Equatable {
        public var offset: Int
        public var location: SourceLocation

        public init(offset: Int, location: SourceLocation) {
            self.offset = offset
            self.location = location
        }
    }

    public init() {}

    /// The source location of the instruction starting at `offset`.
    public func location(at offset: Int) -> SourceLocation? {
        var low = 0
        var high = locations.count
        while low < high {
            let mid = (low + high) / 2
            if locations[mid].offset <= offset { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : locations[low - 1].location
    }

    public func readU16(at offset: Int) -> Int {
        Int(code[offset]) | Int(code[offset + 1]) << 8
    }

    /// Structural problems that would make the VM read out of bounds. Checked when a
    /// bundle is loaded from bytes, so a damaged or hostile file is refused up front
    /// instead of trapping in the middle of a request.
    public func verify(symbolCount: Int) -> String? {
        var offset = 0
        var sawAccept = false
        while offset < code.count {
            guard let op = Opcode(rawValue: code[offset]) else {
                return "unknown opcode \(code[offset]) at \(offset)"
            }
            let end = offset + 1 + op.operandWidth
            guard end <= code.count else { return "truncated \(op) at \(offset)" }
            switch op {
            case .constant:
                if readU16(at: offset + 1) >= constants.count { return "constant index out of range at \(offset)" }
            case .getAttribute, .hasAttribute, .isType:
                if readU16(at: offset + 1) >= symbolCount { return "symbol out of range at \(offset)" }
            case .like:
                if readU16(at: offset + 1) >= patterns.count { return "pattern index out of range at \(offset)" }
            case .makeRecord:
                let shape = readU16(at: offset + 1)
                if shape >= recordShapes.count { return "record shape out of range at \(offset)" }
                if recordShapes[shape].contains(where: { Int($0) >= symbolCount }) {
                    return "record field symbol out of range at \(offset)"
                }
            case .jump, .jumpIfFalseOrPop, .jumpIfTrueOrPop, .popJumpIfFalse:
                if end + readU16(at: offset + 1) > code.count { return "jump past the end at \(offset)" }
            case .callFunction:
                if ExtensionFunction(rawValue: code[offset + 1]) == nil { return "unknown function at \(offset)" }
            case .callMethod:
                if ExtensionMethod(rawValue: code[offset + 1]) == nil { return "unknown method at \(offset)" }
            case .accept:
                sawAccept = true
            default:
                break
            }
            offset = end
        }
        if !sawAccept || code.last != Opcode.accept.rawValue { return "chunk does not end in accept" }
        if maxStackDepth < 1 || maxStackDepth > 1 << 16 { return "implausible stack depth \(maxStackDepth)" }
        if !verifyConstants(constants, symbolCount: symbolCount) { return "constant symbol out of range" }
        return nil
    }

    private func verifyConstants(_ constants: [Constant], symbolCount: Int) -> Bool {
        constants.allSatisfy { constant in
            switch constant {
            case .string(let s): return Int(s) < symbolCount
            case .entity(let t, let i): return Int(t) < symbolCount && Int(i) < symbolCount
            case .set(let elements): return verifyConstants(elements, symbolCount: symbolCount)
            case .record(let fields):
                return fields.allSatisfy { Int($0.key) < symbolCount }
                    && verifyConstants(fields.map(\.value), symbolCount: symbolCount)
            default: return true
            }
        }
    }
}
