/// The instruction set of a rule's chunk. Operands follow the opcode byte, little-endian:
/// `u16` operands index the chunk's constant, pattern and record-shape tables or the
/// bundle's symbol table (whose ids must fit in 16 bits inside an instruction), or give a
/// forward jump distance counted from the end of the jump instruction.
///
/// A chunk computes one rule: the scope checks, then `when`, then `unless`, each ending
/// in a `require…` instruction that stops the chunk as soon as the rule cannot apply.
public enum Opcode: UInt8, Sendable, CaseIterable {
    /// u16 constant index → push constant
    case constant
    case loadPrincipal
    case loadAction
    case loadResource
    case loadContext
    /// u16 symbol → pop entity or record, push its attribute (missing → error)
    case getAttribute
    /// u16 symbol → pop entity or record, push whether the attribute exists
    case hasAttribute
    /// u16 pattern index → pop string, push whether it matches
    case like
    /// u16 symbol (entity type name) → pop entity, push whether it has that type
    case isType
    /// pop rhs (entity or set of entities), pop lhs entity, push transitive membership
    case `in`
    case equal
    case notEqual
    case less
    case lessOrEqual
    case greater
    case greaterOrEqual
    case add
    case subtract
    case multiply
    case negate
    case not
    /// pop element, pop set, push membership
    case contains
    case containsAll
    case containsAny
    /// u16 count → pop that many values, push a set of them
    case makeSet
    /// u16 record-shape index → pop one value per field of the shape, push a record
    case makeRecord
    /// u8 extension function → pop its argument, push the result
    case callFunction
    /// u8 extension method → pop arguments and receiver, push the result
    case callMethod
    /// u16 distance → jump forward
    case jump
    /// u16 distance: `&&`. Top must be a bool: if false jump (keeping it), else pop it.
    case jumpIfFalseOrPop
    /// u16 distance: `||`. Top must be a bool: if true jump (keeping it), else pop it.
    case jumpIfTrueOrPop
    /// u16 distance: `if`. Pop a bool; if false jump.
    case popJumpIfFalse
    /// Top must be a bool (the right operand of `&&`/`||`), else a type error.
    case checkBool
    /// Pop a bool; false → the rule's scope does not match, stop.
    case requireScope
    /// Pop the `when` value: must be a bool; false → the rule does not apply, stop.
    case requireWhen
    /// Pop the `unless` value: must be a bool; true → the rule does not apply, stop.
    case requireUnless
    /// Every check passed: the rule applies.
    case accept

    /// Bytes of operands after the opcode byte.
    public var operandWidth: Int {
        switch self {
        case .constant, .getAttribute, .hasAttribute, .like, .isType, .makeSet, .makeRecord,
             .jump, .jumpIfFalseOrPop, .jumpIfTrueOrPop, .popJumpIfFalse:
            return 2
        case .callFunction, .callMethod:
            return 1
        default:
            return 0
        }
    }
}

/// Extension constructors callable as functions: `ip("…")`, `decimal("…")`.
public enum ExtensionFunction: UInt8, Sendable, CaseIterable {
    case ip
    case decimal

    public var name: String {
        switch self {
        case .ip: "ip"
        case .decimal: "decimal"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}

/// Extension methods: `ip.isInRange(ip)`, `ip.isIpv4()`, `decimal.lessThan(decimal)`, …
public enum ExtensionMethod: UInt8, Sendable, CaseIterable {
    case isIpv4
    case isIpv6
    case isLoopback
    case isMulticast
    case isInRange
    case lessThan
    case lessThanOrEqual
    case greaterThan
    case greaterThanOrEqual

    public var name: String {
        switch self {
        case .isIpv4: "isIpv4"
        case .isIpv6: "isIpv6"
        case .isLoopback: "isLoopback"
        case .isMulticast: "isMulticast"
        case .isInRange: "isInRange"
        case .lessThan: "lessThan"
        case .lessThanOrEqual: "lessThanOrEqual"
        case .greaterThan: "greaterThan"
        case .greaterThanOrEqual: "greaterThanOrEqual"
        }
    }

    /// Arguments besides the receiver.
    public var argumentCount: Int {
        switch self {
        case .isIpv4, .isIpv6, .isLoopback, .isMulticast: 0
        default: 1
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
