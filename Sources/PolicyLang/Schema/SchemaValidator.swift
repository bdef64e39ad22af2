/// Merges the schema documents of a set and checks that every type they mention is
/// declared, since a schema that names an undeclared type would make every later check
/// against it meaningless.
enum SchemaValidator {
    static func merge(_ parts: [Schema]) -> (Schema, [Diagnostic]) {
        var merged = Schema()
        var diagnostics: [Diagnostic] = []
        for part in parts {
            for (name, definition) in part.entityTypes.sorted(by: { $0.key < $1.key }) {
                if let first = merged.entityTypes[name] {
                    diagnostics.append(.error(
                        "entity type '\(name)' is declared twice", at: definition.location,
                        hint: "first declared at \(first.location)"))
                } else {
                    merged.entityTypes[name] = definition
                }
            }
            for (id, definition) in part.actions.sorted(by: { $0.key < $1.key }) {
                if let first = merged.actions[id] {
                    diagnostics.append(.error(
                        "action '\(id)' is declared twice", at: definition.location,
                        hint: "first declared at \(first.location)"))
                } else {
                    merged.actions[id] = definition
                }
            }
        }
        diagnostics += validate(merged)
        return (merged, diagnostics)
    }

    static func validate(_ schema: Schema) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let declared = schema.entityTypes.keys.sorted()
        func check(_ type: String, at location: SourceLocation, _ role: String) {
            guard schema.entityTypes[type] == nil else { return }
            let close = declared.min { editDistance(type, $0) < editDistance(type, $1) }
            let hint = close.flatMap { editDistance(type, $0) <= 2 ? "did you mean '\($0)'?" : nil }
                ?? "declare it under entityTypes"
            diagnostics.append(.error("\(role) '\(type)' is not a declared entity type", at: location, hint: hint))
        }
        func checkAttributes(_ attributes: [String: AttributeSchema]) {
            for (_, attribute) in attributes.sorted(by: { $0.key < $1.key }) {
                checkType(attribute.type, at: attribute.location)
            }
        }
        func checkType(_ type: SchemaType, at location: SourceLocation) {
            switch type {
            case .entity(let name): check(name, at: location, "attribute type")
            case .set(let element): checkType(element, at: location)
            case .record(let attributes): checkAttributes(attributes)
            default: break
            }
        }
        for (_, definition) in schema.entityTypes.sorted(by: { $0.key < $1.key }) {
            for parent in definition.memberOf { check(parent, at: definition.location, "memberOf type") }
            checkAttributes(definition.attributes)
        }
        for (_, action) in schema.actions.sorted(by: { $0.key < $1.key }) {
            for type in action.principals { check(type, at: action.location, "principal type") }
            for type in action.resources { check(type, at: action.location, "resource type") }
            checkAttributes(action.context)
        }
        return diagnostics
    }
}
