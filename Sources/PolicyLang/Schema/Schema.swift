/// The `kind: schema` model (DESIGN §3.1): entity types with typed attributes and allowed
/// parent types, and actions with the principal and resource types they apply to and the
/// shape of their `context`.
public struct Schema: Sendable, Equatable {
    public var entityTypes: [String: EntityTypeSchema]
    public var actions: [String: ActionSchema]

    public init(entityTypes: [String: EntityTypeSchema] = [:], actions: [String: ActionSchema] = [:]) {
        self.entityTypes = entityTypes
        self.actions = actions
    }

    /// The entity type of action entities: rules name actions by id, `Action::"id"`.
    public static let actionType = "Action"

    /// Whether an entity of type `type` can be `in` an entity of type `ancestor`: the
    /// same type, or reachable through `memberOf` edges.
    public func canBeMember(_ type: String, of ancestor: String) -> Bool {
        if type == ancestor { return true }
        var seen: Set<String> = [type]
        var pending = [type]
        while let next = pending.popLast() {
            for parent in entityTypes[next]?.memberOf ?? [] where seen.insert(parent).inserted {
                if parent == ancestor { return true }
                pending.append(parent)
            }
        }
        return false
    }
}

public struct EntityTypeSchema: Sendable, Equatable {
    public var name: String
    /// Types an entity of this type may have as parents.
    public var memberOf: [String]
    public var attributes: [String: AttributeSchema]
    public var location: SourceLocation

    public init(
        name: String, memberOf: [String] = [], attributes: [String: AttributeSchema] = [:], location: SourceLocation
    ) {
        self.name = name
        self.memberOf = memberOf
        self.attributes = attributes
        self.location = location
    }
}

public struct AttributeSchema: Sendable, Equatable {
    public var type: SchemaType
    /// False for `required: false`: reading it needs a `has` guard.
    public var required: Bool
    public var location: SourceLocation

    public init(type: SchemaType, required: Bool = true, location: SourceLocation) {
        self.type = type
        self.required = required
        self.location = location
    }
}

public indirect enum SchemaType: Sendable, Equatable {
    case string
    case long
    case boolean
    case ipaddr
    case decimal
    case set(SchemaType)
    case record([String: AttributeSchema])
    case entity(String)

    public var description: String {
        switch self {
        case .string: return "String"
        case .long: return "Long"
        case .boolean: return "Boolean"
        case .ipaddr: return "ipaddr"
        case .decimal: return "decimal"
        case .set(let element): return "Set<\(element.description)>"
        case .record: return "Record"
        case .entity(let name): return name
        }
    }
}

public struct ActionSchema: Sendable, Equatable {
    public var id: String
    public var principals: [String]
    public var resources: [String]
    public var context: [String: AttributeSchema]
    public var location: SourceLocation

    public init(
        id: String, principals: [String] = [], resources: [String] = [], context: [String: AttributeSchema] = [:],
        location: SourceLocation
    ) {
        self.id = id
        self.principals = principals
        self.resources = resources
        self.context = context
        self.location = location
    }
}
