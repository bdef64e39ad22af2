/// The immutable result of compiling a policy set: every rule's bytecode, the dispatch
/// index and the symbol table they share. A server swaps whole bundles atomically;
/// readers keep the one they started with (it is a value, so that is free).
public struct PolicyBundle: Sendable, Equatable {
    /// Bumped whenever the binary layout or the instruction set changes; a bundle of
    /// another version is refused at load, and the policies must be compiled again.
    public static let formatVersion: UInt16 = 1

    public var symbols: SymbolTable
    /// In source order; `DispatchIndex` positions refer to this array.
    public var rules: [CompiledRule]
    public var index: DispatchIndex

    public init(symbols: SymbolTable, rules: [CompiledRule], index: DispatchIndex) {
        self.symbols = symbols
        self.rules = rules
        self.index = index
    }

    /// The deepest any rule's chunk needs the VM stack to be.
    public var maxStackDepth: Int { rules.map(\.chunk.maxStackDepth).max() ?? 1 }

    public func rule(id: String) -> CompiledRule? { rules.first { $0.id == id } }

    /// A chunk as text, for debugging and golden tests.
    public func disassemble(ruleID: String) -> String? {
        rule(id: ruleID).map { Disassembler.disassemble($0.chunk, symbols: symbols) }
    }
}
