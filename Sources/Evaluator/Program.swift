import PolicyLang

/// A `PolicyBundle` made ready to run: constants turned into `Value`s and symbol ids
/// into strings once, at load, so the VM never converts anything per request. Immutable
/// and `Sendable`: one program is shared by every thread; each thread has its own
/// `Authorizer` (which owns the mutable VM).
public final class Program: Sendable {
    public let bundle: PolicyBundle
    let chunks: [LoadedChunk]
    let symbols: [String]
    /// Per-rule facts the authorizer loop needs, kept apart from `CompiledRule` so that
    /// reading them copies no large struct (and retains none of its arrays).
    let effects: [Rule.Effect]
    let ids: [String]
    /// `[ids[i]]` made once per rule: a decision determined by one rule (every fast-mode
    /// decision) hands out this shared array (a retain) instead of allocating one.
    let singleReasons: [[String]]

    public init(bundle: PolicyBundle) {
        self.bundle = bundle
        symbols = bundle.symbols.strings
        chunks = bundle.rules.map { LoadedChunk($0.chunk, symbols: bundle.symbols) }
        effects = bundle.rules.map(\.effect)
        ids = bundle.rules.map(\.id)
        singleReasons = ids.map { [$0] }
    }
}

/// A class, so handing a chunk to the VM costs one reference, not a copy of five arrays.
final class LoadedChunk: Sendable {
    let code: [UInt8]
    let constants: [Value]
    let patterns: [[PatternToken]]
    let recordShapes: [[String]]
    let source: Chunk

    init(_ chunk: Chunk, symbols: SymbolTable) {
        code = chunk.code
        constants = chunk.constants.map { Self.value(of: $0, symbols) }
        patterns = chunk.patterns
        recordShapes = chunk.recordShapes.map { $0.map { symbols[$0] } }
        source = chunk
    }

    static func value(of constant: Constant, _ symbols: SymbolTable) -> Value {
        switch constant {
        case .bool(let b): .bool(b)
        case .long(let n): .long(n)
        case .string(let s): .string(symbols[s])
        case .entity(let type, let id): .entity(EntityUID(type: symbols[type], id: symbols[id]))
        case .set(let elements): .set(Set(elements.map { value(of: $0, symbols) }))
        case .record(let fields):
            .record(Dictionary(fields.map { (symbols[$0.key], value(of: $0.value, symbols)) }, uniquingKeysWith: { _, last in last }))
        case .ipaddr(let ip): .ipaddr(ip)
        case .decimal(let d): .decimal(d)
        }
    }
}
