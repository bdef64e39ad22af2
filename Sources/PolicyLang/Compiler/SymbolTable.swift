/// Interned strings of a bundle: entity type names, attribute names, string constants,
/// file names. Bytecode refers to them by a 32-bit id, so an instruction operand is a
/// fixed-width number and the same name is stored once.
///
/// Strings are keyed by their UTF-8 bytes, not by Swift's `String ==`: Swift compares
/// strings up to Unicode canonical equivalence, Cedar compares bytes, and two constants
/// that Cedar tells apart must not collapse into one symbol.
public struct SymbolTable: Sendable, Equatable {
    public private(set) var strings: [String] = []
    private var ids: [Key: UInt32] = [:]

    public init() {}

    public init(strings: [String]) {
        for string in strings { _ = intern(string) }
    }

    public var count: Int { strings.count }

    /// The id of `string`, adding it on first use.
    public mutating func intern(_ string: String) -> UInt32 {
        let key = Key(string)
        if let id = ids[key] { return id }
        let id = UInt32(strings.count)
        strings.append(string)
        ids[key] = id
        return id
    }

    /// The id of `string` if it has been interned.
    public func id(of string: String) -> UInt32? { ids[Key(string)] }

    public subscript(id: UInt32) -> String { strings[Int(id)] }

    public static func == (lhs: SymbolTable, rhs: SymbolTable) -> Bool {
        lhs.strings.count == rhs.strings.count
            && zip(lhs.strings, rhs.strings).allSatisfy { CedarString.equal($0, $1) }
    }

    /// A string compared and hashed by its UTF-8 bytes.
    private struct Key: Hashable {
        let string: String
        init(_ string: String) { self.string = string }
        static func == (lhs: Key, rhs: Key) -> Bool { CedarString.equal(lhs.string, rhs.string) }
        func hash(into hasher: inout Hasher) {
            CedarString.hash(string, into: &hasher)
        }
    }
}
