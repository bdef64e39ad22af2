/// An entry of a chunk's constant table: a literal, or a literal set/record/extension
/// value built at compile time by constant folding. Strings are symbol ids, so a bundle
/// stores each distinct string once.
public indirect enum Constant: Sendable, Equatable {
    case bool(Bool)
    case long(Int64)
    case string(UInt32)
    case entity(type: UInt32, id: UInt32)
    case set([Constant])
    /// Fields as written; keys are symbol ids.
    case record([RecordField])
    case ipaddr(IPAddress)
    case decimal(CedarDecimal)

    public struct RecordField: Sendable, Equatable {
        public var key: UInt32
        public var value: Constant

        public init(key: UInt32, value: Constant) {
            self.key = key
            self.value = value
        }
    }
}

/// One token of a compiled `like` pattern. Cedar matches patterns over Unicode scalar
/// values (Rust `char`s), not over Swift's grapheme clusters, so literals are scalars.
public enum PatternToken: Sendable, Equatable {
    case scalar(Unicode.Scalar)
    case wildcard
}
