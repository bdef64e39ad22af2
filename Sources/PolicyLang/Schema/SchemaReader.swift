/// `kind: schema` documents. Cross-document checks (declared types, memberOf targets)
/// run after all schema documents are merged: see `SchemaValidator`.
extension DocumentReader {
    static let schemaKeys = ["kind", "id", "entityTypes", "actions"]
    static let entityTypeKeys = ["memberOf", "attributes"]
    static let actionKeys = ["principals", "resources", "context"]
    static let attributeKeys = ["type", "element", "attributes", "name", "required"]
    static let primitiveTypes: [String: SchemaType] = [
        "String": .string, "Long": .long, "Boolean": .boolean, "ipaddr": .ipaddr, "decimal": .decimal,
    ]

    mutating func readSchema(_ node: YAMLNode, _ pairs: [YAMLPair]) -> Document? {
        let before = diagnostics.count
        checkKeys(pairs, allowed: Self.schemaKeys, in: "a schema document")
        if let idNode = node["id"] { _ = nonEmptyString(idNode, "the schema id") }
        var schema = Schema()
        if let typesNode = node["entityTypes"], !typesNode.isNull, let types = mapping(typesNode, "entityTypes") {
            for pair in types {
                guard let name = readTypeName(pair.key) else { continue }
                var definition = EntityTypeSchema(name: name, location: pair.key.location)
                if !pair.value.isNull, let fields = mapping(pair.value, "entity type '\(name)'") {
                    checkKeys(fields, allowed: Self.entityTypeKeys, in: "an entity type")
                    if let memberOf = pair.value["memberOf"], let list = stringList(memberOf, "memberOf") {
                        definition.memberOf = list.compactMap { text, at in
                            readTypeName(.scalar(text, quoted: false, at: at))
                        }
                    }
                    if let attributes = pair.value["attributes"] {
                        definition.attributes = readAttributes(attributes)
                    }
                }
                schema.entityTypes[name] = definition
            }
        }
        if let actionsNode = node["actions"], !actionsNode.isNull, let actions = mapping(actionsNode, "actions") {
            for pair in actions {
                guard let id = nonEmptyString(pair.key, "an action id") else { continue }
                var definition = ActionSchema(id: id, location: pair.key.location)
                if !pair.value.isNull, let fields = mapping(pair.value, "action '\(id)'") {
                    checkKeys(fields, allowed: Self.actionKeys, in: "an action")
                    for (key, path) in [("principals", \ActionSchema.principals), ("resources", \ActionSchema.resources)] {
                        if let listNode = pair.value[key], let list = stringList(listNode, key) {
                            definition[keyPath: path] = list.compactMap { text, at in
                                readTypeName(.scalar(text, quoted: false, at: at))
                            }
                        }
                    }
                    if let context = pair.value["context"] {
                        definition.context = readAttributes(context)
                    }
                }
                schema.actions[id] = definition
            }
        }
        return diagnostics.count == before ? .schema(schema) : nil
    }

    mutating func readTypeName(_ node: YAMLNode) -> String? {
        guard let text = nonEmptyString(node, "an entity type name") else { return nil }
        do {
            return try ScopeParser.typeName(text, map: sourceMap(for: node))
        } catch {
            diagnostics.append(error)
            return nil
        }
    }

    mutating func readAttributes(_ node: YAMLNode) -> [String: AttributeSchema] {
        if node.isNull { return [:] }
        guard let pairs = mapping(node, "attributes") else { return [:] }
        var attributes: [String: AttributeSchema] = [:]
        for pair in pairs {
            guard let name = nonEmptyString(pair.key, "an attribute name") else { continue }
            if let attribute = readAttribute(pair.value) { attributes[name] = attribute }
        }
        return attributes
    }

    /// `String`, a bare entity type name, or `{type: …, element: …, attributes: …, name: …,
    /// required: false}`.
    mutating func readAttribute(_ node: YAMLNode) -> AttributeSchema? {
        if case .scalar = node, !node.isNull {
            return readType(node).map { AttributeSchema(type: $0, location: node.location) }
        }
        guard let pairs = mapping(node, "an attribute type") else { return nil }
        checkKeys(pairs, allowed: Self.attributeKeys, in: "an attribute type")
        var required = true
        if let requiredNode = node["required"] {
            if let value = requiredNode.boolValue {
                required = value
            } else {
                error("required must be true or false", at: requiredNode.location)
            }
        }
        guard let typeNode = node["type"], let typeName = string(typeNode, "type") else {
            if node["type"] == nil {
                error("attribute type has no 'type'", at: node.location,
                    hint: "write type: String, Long, Boolean, ipaddr, decimal, Set, Record or Entity")
            }
            return nil
        }
        let type: SchemaType?
        switch typeName {
        case "Set":
            if let element = node["element"] {
                type = readAttribute(element).map { .set($0.type) }
            } else {
                error("a Set needs an 'element' type", at: node.location, hint: "write {type: Set, element: String}")
                type = nil
            }
        case "Record":
            type = .record(node["attributes"].map { readAttributes($0) } ?? [:])
        case "Entity":
            if let nameNode = node["name"] {
                type = readTypeName(nameNode).map { .entity($0) }
            } else {
                error("an Entity type needs a 'name'", at: node.location, hint: "write {type: Entity, name: User}")
                type = nil
            }
        default:
            type = readType(typeNode)
        }
        return type.map { AttributeSchema(type: $0, required: required, location: node.location) }
    }

    mutating func readType(_ node: YAMLNode) -> SchemaType? {
        guard let text = string(node, "a type") else { return nil }
        if let primitive = Self.primitiveTypes[text] { return primitive }
        if text == "Set" || text == "Record" || text == "Entity" {
            error("\(text) needs more than its name", at: node.location,
                hint: "write {type: Set, element: …}, {type: Record, attributes: …} or {type: Entity, name: …}")
            return nil
        }
        if let lower = Self.primitiveTypes.keys.first(where: { $0.lowercased() == text.lowercased() }) {
            error("unknown type '\(text)'", at: node.location, hint: "did you mean '\(lower)'?")
            return nil
        }
        return readTypeName(node).map { .entity($0) }
    }
}
