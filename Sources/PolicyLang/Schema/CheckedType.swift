/// The static type of an expression while type-checking against a schema. `.unknown`
/// stops further checks on the value (an error was already reported for it, or nothing is
/// known about it), so one mistake does not cascade into many diagnostics.
indirect enum CheckedType: Equatable {
    case unknown
    case bool
    case long
    case string
    case ipaddr
    case decimal
    /// Possible entity types; nil when any entity type is possible.
    case entity(Set<String>?)
    case set(CheckedType)
    case record([String: Field])

    struct Field: Equatable {
        var type: CheckedType
        var required: Bool
    }

    init(_ type: SchemaType) {
        switch type {
        case .string: self = .string
        case .long: self = .long
        case .boolean: self = .bool
        case .ipaddr: self = .ipaddr
        case .decimal: self = .decimal
        case .entity(let name): self = .entity([name])
        case .set(let element): self = .set(CheckedType(element))
        case .record(let attributes): self = .record(CheckedType.fields(attributes))
        }
    }

    static func fields(_ attributes: [String: AttributeSchema]) -> [String: Field] {
        attributes.mapValues { Field(type: CheckedType($0.type), required: $0.required) }
    }

    /// Which kind of value this is, for "expected X, found Y" messages; nil if unknown.
    var kindName: String? {
        switch self {
        case .unknown: return nil
        case .bool: return "Boolean"
        case .long: return "Long"
        case .string: return "String"
        case .ipaddr: return "ipaddr"
        case .decimal: return "decimal"
        case .entity(let types):
            if let types, types.count == 1, let only = types.first { return "entity of type \(only)" }
            return "entity"
        case .set: return "Set"
        case .record: return "Record"
        }
    }

    /// Kind equality, ignoring what is inside entities, sets and records.
    func sameKind(_ other: CheckedType) -> Bool {
        switch (self, other) {
        case (.entity, .entity), (.set, .set), (.record, .record): return true
        default: return self == other
        }
    }

    /// The least type covering both, used for `if` branches and set elements.
    func join(_ other: CheckedType) -> CheckedType {
        switch (self, other) {
        case _ where self == other: return self
        case let (.entity(a), .entity(b)):
            guard let a, let b else { return .entity(nil) }
            return .entity(a.union(b))
        case let (.set(a), .set(b)): return .set(a.join(b))
        default: return .unknown
        }
    }
}
