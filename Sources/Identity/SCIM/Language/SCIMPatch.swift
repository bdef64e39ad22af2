/// RFC 7644 §3.5.2 PATCH over a whole resource: `add`, `remove` and `replace`, with and
/// without `path`, value filters (`members[value eq "…"]`), sub-attributes and extension
/// URNs. All operations apply to a copy; the caller stores the result only when every one
/// succeeded, so a failing request changes nothing.
///
/// What identity providers really send is accepted too: operation names in any case
/// (Entra's "Replace"), booleans as strings ("False"), `{"op":"replace","value":{"active":false}}`
/// without a path (Okta), `id` repeated unchanged in a path-less value (Okta), member removal
/// as `remove members` with a value list (Entra), a plain string for a complex attribute with
/// a `value` sub-attribute (Entra's manager), and `add` of `emails[type eq "work"].value` when
/// no work email exists yet (creates it, Entra); `replace` there is `noTarget`, as the RFC says.
public enum SCIMPatch {
    public static let maxOperations = 100

    public enum Kind: String, Sendable { case add, remove, replace }

    public struct Operation: Sendable, Equatable {
        public var kind: Kind
        public var path: SCIMPath?
        public var value: SCIMValue?

        public init(kind: Kind, path: SCIMPath? = nil, value: SCIMValue? = nil) {
            self.kind = kind
            self.path = path
            self.value = value
        }
    }

    /// Reads a PatchOp request body.
    public static func operations(from body: SCIMValue) throws(SCIMLanguageError) -> [Operation] {
        guard case .object(let object) = body else {
            throw SCIMLanguageError(.invalidSyntax, "the body must be a PatchOp object")
        }
        let schemas = object["schemas"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard schemas.contains(where: { $0.caseInsensitiveCompare(SCIMSchemaURN.patchOp) == .orderedSame }) else {
            throw SCIMLanguageError(.invalidSyntax, "schemas must contain \(SCIMSchemaURN.patchOp)")
        }
        guard let list = object["Operations"]?.arrayValue else {
            throw SCIMLanguageError(.invalidSyntax, "Operations must be an array")
        }
        guard !list.isEmpty else { throw SCIMLanguageError(.invalidSyntax, "Operations is empty") }
        guard list.count <= maxOperations else {
            throw SCIMLanguageError(.tooMany, "at most \(maxOperations) operations per request")
        }
        var operations: [Operation] = []
        for (index, item) in list.enumerated() {
            guard case .object(let operation) = item else {
                throw SCIMLanguageError(.invalidSyntax, "Operations[\(index)] must be an object")
            }
            guard let name = operation["op"]?.stringValue, let kind = Kind(rawValue: name.lowercased()) else {
                throw SCIMLanguageError(.invalidSyntax, "Operations[\(index)].op must be add, remove or replace")
            }
            var path: SCIMPath?
            switch operation["path"] {
            case nil, .null?: path = nil
            case .string(let text)?:
                // An empty path means "no path" to some clients.
                path = text.trimmingSpaces.isEmpty ? nil : try SCIMPath.parse(text)
            default: throw SCIMLanguageError(.invalidPath, "Operations[\(index)].path must be a string")
            }
            let value = operation["value"]
            if kind != .remove, value == nil {
                throw SCIMLanguageError(.invalidValue, "Operations[\(index)] (\(kind.rawValue)) needs a value")
            }
            if kind == .remove, path == nil {
                throw SCIMLanguageError(.noTarget, "Operations[\(index)]: remove needs a path")
            }
            operations.append(Operation(kind: kind, path: path, value: value))
        }
        return operations
    }

    /// Applies a whole PatchOp body to `resource` and returns the changed resource.
    public static func apply(
        _ body: SCIMValue, to resource: SCIMValue, schema: SCIMResourceSchema
    ) throws(SCIMLanguageError) -> SCIMValue {
        try apply(operations(from: body), to: resource, schema: schema)
    }

    public static func apply(
        _ operations: [Operation], to resource: SCIMValue, schema: SCIMResourceSchema
    ) throws(SCIMLanguageError) -> SCIMValue {
        guard case .object(let object) = resource else {
            throw SCIMLanguageError(.invalidValue, "the resource is not an object")
        }
        var applier = Applier(resource: object, schema: schema)
        for operation in operations { try applier.apply(operation) }
        return .object(applier.resource)
    }
}

private struct Applier {
    var resource: SCIMObject
    let schema: SCIMResourceSchema
    let original: SCIMObject

    init(resource: SCIMObject, schema: SCIMResourceSchema) {
        self.resource = resource
        self.schema = schema
        self.original = resource
    }

    mutating func apply(_ operation: SCIMPatch.Operation) throws(SCIMLanguageError) {
        guard let path = operation.path else {
            // No path: the value is a set of attributes, each applied as if it were the path.
            guard case .object(let attributes)? = operation.value else {
                throw SCIMLanguageError(.invalidValue, "\(operation.kind.rawValue) without a path needs an object value")
            }
            try applyPathless(operation.kind, attributes, schemaURN: nil)
            return
        }
        guard let attribute = path.attribute else {
            // A bare extension URN: the whole extension object.
            let urn = path.schema!
            switch operation.kind {
            case .remove:
                resource.removeValue(forKey: urn)
                removeSchema(urn)
            case .add, .replace:
                guard case .object(let attributes)? = operation.value else {
                    throw SCIMLanguageError(.invalidValue, "'\(urn)' needs an object value")
                }
                try applyPathless(operation.kind, attributes, schemaURN: urn)
            }
            return
        }
        let target = try Target(path: path, attribute: attribute, schema: schema)
        switch operation.kind {
        case .add: try add(target, operation.value ?? .null)
        case .replace: try replace(target, operation.value ?? .null)
        case .remove: try remove(target, operation.value)
        }
    }

    /// `{"op":"add|replace","value":{"active":false,"name.givenName":"B","urn:…:User:department":"X","urn:…:User":{…}}}`.
    mutating func applyPathless(_ kind: SCIMPatch.Kind, _ attributes: SCIMObject, schemaURN: String?) throws(SCIMLanguageError) {
        for member in attributes {
            // Serialised extension models carry their own `schemas` member; it is not an attribute.
            if member.name.caseInsensitiveCompare("schemas") == .orderedSame { continue }
            if schemaURN == nil, schema.isExtension(member.name) {
                guard case .object(let nested) = member.value else {
                    throw SCIMLanguageError(.invalidValue, "'\(member.name)' must be an object")
                }
                try applyPathless(kind, nested, schemaURN: schema.schema(urn: member.name)!.id)
                continue
            }
            let pathText = schemaURN.map { "\($0):\(member.name)" } ?? member.name
            let path = try SCIMPath.parse(pathText)
            guard let attribute = path.attribute, path.valueFilter == nil else {
                throw SCIMLanguageError(.invalidPath, "'\(member.name)' is not an attribute name")
            }
            let target = try Target(path: path, attribute: attribute, schema: schema)
            // Clients repeat read-only attributes (Okta sends `id`); unchanged they are no-ops.
            if target.isReadOnly, current(target) == member.value { continue }
            switch kind {
            case .add: try add(target, member.value)
            case .replace: try replace(target, member.value)
            case .remove: break
            }
        }
    }

    // MARK: Targets

    struct Target {
        var path: SCIMPath
        /// nil for core attributes; the canonical extension URN otherwise.
        var extensionURN: String?
        var name: String
        var definition: SCIMAttribute
        var subDefinition: SCIMAttribute?

        init(path: SCIMPath, attribute: String, schema: SCIMResourceSchema) throws(SCIMLanguageError) {
            self.path = path
            if let urn = path.schema {
                guard let named = schema.schema(urn: urn) else {
                    throw SCIMLanguageError(.invalidPath, "'\(path)': \(urn) is not a schema of \(schema.name)")
                }
                extensionURN = schema.isExtension(urn) ? named.id : nil
            }
            guard let definition = schema.attribute(schema: extensionURN, name: attribute) else {
                throw SCIMLanguageError(.invalidPath, "'\(path)': \(schema.name) has no attribute '\(attribute)'")
            }
            if definition.name == "schemas" {
                throw SCIMLanguageError(.invalidPath, "'\(path)': schemas cannot be patched")
            }
            self.definition = definition
            self.name = definition.name
            if path.valueFilter != nil, !(definition.multiValued && definition.kind == .complex) {
                throw SCIMLanguageError(.invalidPath, "'\(path)': a value filter needs a multi-valued complex attribute")
            }
            if let sub = path.subAttribute {
                guard definition.kind == .complex, let subDefinition = definition.subAttribute(sub) else {
                    throw SCIMLanguageError(.invalidPath, "'\(path)': '\(definition.name)' has no sub-attribute '\(sub)'")
                }
                self.subDefinition = subDefinition
            }
        }

        var isReadOnly: Bool { definition.mutability == .readOnly || subDefinition?.mutability == .readOnly }
    }

    func current(_ target: Target) -> SCIMValue? {
        if let urn = target.extensionURN { return resource[urn]?[target.name] }
        return resource[target.name]
    }

    mutating func store(_ target: Target, _ value: SCIMValue?) {
        let cleaned = value.flatMap { $0.isUnassigned ? nil : $0 }
        guard let urn = target.extensionURN else {
            resource[target.name] = cleaned
            return
        }
        var container = resource[urn]?.objectValue ?? SCIMObject()
        container[target.name] = cleaned
        if container.isEmpty {
            resource.removeValue(forKey: urn)
            removeSchema(urn)
        } else {
            resource[urn] = .object(container)
            addSchema(urn)
        }
    }

    mutating func addSchema(_ urn: String) {
        var schemas = resource["schemas"]?.arrayValue ?? [.string(schema.core.id)]
        if !schemas.contains(where: { $0.stringValue?.caseInsensitiveCompare(urn) == .orderedSame }) {
            schemas.append(.string(urn))
            resource["schemas"] = .array(schemas)
        }
    }

    mutating func removeSchema(_ urn: String) {
        guard let schemas = resource["schemas"]?.arrayValue else { return }
        resource["schemas"] = .array(schemas.filter { $0.stringValue?.caseInsensitiveCompare(urn) != .orderedSame })
    }

    func checkMutable(_ target: Target) throws(SCIMLanguageError) {
        if target.isReadOnly {
            throw SCIMLanguageError(.mutability, "'\(target.path)' is read-only")
        }
    }

    // MARK: add

    mutating func add(_ target: Target, _ rawValue: SCIMValue) throws(SCIMLanguageError) {
        try checkMutable(target)
        let existing = current(target)
        if let filter = target.path.valueFilter {
            try updateMatching(target, filter, rawValue, creating: true)
            return
        }
        if let sub = target.subDefinition {
            let value = try SCIMCoercion.coerce(rawValue, to: sub, at: target.path.description)
            try setSubAttribute(target, sub, value)
            return
        }
        let value = try SCIMCoercion.coerce(rawValue, to: target.definition, at: target.path.description)
        if target.definition.multiValued {
            var items = existing?.arrayValue ?? (existing.map { [$0] } ?? [])
            for item in value.arrayValue ?? [value] where !item.isUnassigned {
                if let position = Self.sameValueIndex(of: item, in: items) {
                    items[position] = Self.merged(items[position], item)
                } else {
                    items.append(item)
                }
            }
            store(target, .array(Self.singlePrimary(items, preferring: value.arrayValue?.last(where: Self.isPrimary))))
        } else if target.definition.kind == .complex, case .object(var merged)? = existing, case .object(let added) = value {
            for member in added { merged[member.name] = member.value }
            store(target, .object(merged))
        } else {
            store(target, value)
        }
    }

    // MARK: replace

    mutating func replace(_ target: Target, _ rawValue: SCIMValue) throws(SCIMLanguageError) {
        try checkMutable(target)
        if let filter = target.path.valueFilter {
            // RFC 7644 §3.5.2.3: replace with an unmatched value filter SHALL fail with noTarget.
            try updateMatching(target, filter, rawValue, creating: false)
            return
        }
        if let sub = target.subDefinition {
            let value = try SCIMCoercion.coerce(rawValue, to: sub, at: target.path.description)
            try setSubAttribute(target, sub, value)
            return
        }
        let value = try SCIMCoercion.coerce(rawValue, to: target.definition, at: target.path.description)
        if value.isUnassigned {
            try checkRemovable(target)
            store(target, nil)
        } else if target.definition.multiValued {
            store(target, .array(Self.singlePrimary(value.arrayValue ?? [value], preferring: nil)))
        } else if target.definition.kind == .complex, case .object(var merged)? = current(target), case .object(let replaced) = value {
            // RFC 7644 §3.5.2.3: sub-attributes not given are left unchanged.
            for member in replaced { merged[member.name] = member.value }
            store(target, .object(merged))
        } else {
            store(target, value)
        }
    }

    // MARK: remove

    mutating func remove(_ target: Target, _ value: SCIMValue?) throws(SCIMLanguageError) {
        try checkMutable(target)
        guard let existing = current(target) else { return }
        if let filter = target.path.valueFilter {
            var items = existing.arrayValue ?? [existing]
            if let sub = target.subDefinition {
                try checkSubRemovable(target, sub)
                items = items.map { item in
                    guard matches(filter, item, target), case .object(var object) = item else { return item }
                    object.removeValue(forKey: sub.name)
                    return .object(object)
                }
            } else {
                items.removeAll { matches(filter, $0, target) }
            }
            store(target, .array(items))
            return
        }
        if let sub = target.subDefinition {
            try checkSubRemovable(target, sub)
            if case .array(let items) = existing {
                store(target, .array(items.map { item in
                    guard case .object(var object) = item else { return item }
                    object.removeValue(forKey: sub.name)
                    return .object(object)
                }))
            } else if case .object(var object) = existing {
                object.removeValue(forKey: sub.name)
                store(target, .object(object))
            }
            return
        }
        if target.definition.multiValued, let value, !value.isUnassigned {
            // Entra: {"op":"remove","path":"members","value":[{"value":"id"}]} removes those values only.
            let removals = try SCIMCoercion.coerce(value, to: target.definition, at: target.path.description)
            var items = existing.arrayValue ?? [existing]
            for removal in removals.arrayValue ?? [removals] {
                items.removeAll { Self.sameValue($0, removal) }
            }
            store(target, .array(items))
            return
        }
        try checkRemovable(target)
        store(target, nil)
    }

    func checkRemovable(_ target: Target) throws(SCIMLanguageError) {
        if target.definition.required {
            throw SCIMLanguageError(.mutability, "'\(target.path)' is required and cannot be removed")
        }
    }

    func checkSubRemovable(_ target: Target, _ sub: SCIMAttribute) throws(SCIMLanguageError) {
        if sub.required || sub.mutability == .immutable {
            throw SCIMLanguageError(.mutability, "'\(target.path)' cannot be removed")
        }
    }

    // MARK: Helpers

    func matches(_ filter: SCIMFilter, _ item: SCIMValue, _ target: Target) -> Bool {
        // The value filter's names are the attribute's sub-attributes: evaluate it as
        // `attr[filter]` over a one-value resource so caseExact rules apply.
        let probe: SCIMValue
        if let urn = target.extensionURN {
            probe = .object([urn: .object([target.name: .array([item])])])
        } else {
            probe = .object([target.name: .array([item])])
        }
        let path = SCIMAttributePath(schema: target.extensionURN, attribute: target.name)
        return SCIMFilterEvaluator(schema: schema).matches(.valuePath(path, filter), probe)
    }

    /// add/replace on `attr[filter]` or `attr[filter].sub`.
    mutating func updateMatching(_ target: Target, _ filter: SCIMFilter, _ rawValue: SCIMValue, creating: Bool) throws(SCIMLanguageError) {
        var items = current(target)?.arrayValue ?? (current(target).map { [$0] } ?? [])
        let sub = target.subDefinition
        if let sub, sub.mutability == .immutable {
            throw SCIMLanguageError(.mutability, "'\(target.path)' is immutable")
        }
        let value: SCIMValue
        if let sub {
            value = try SCIMCoercion.coerce(rawValue, to: sub, at: target.path.description)
        } else {
            var single = target.definition
            single.multiValued = false
            value = try SCIMCoercion.coerce(rawValue, to: single, at: target.path.description)
        }
        var matched = false
        for index in items.indices where matches(filter, items[index], target) {
            matched = true
            if let sub {
                items[index][sub.name] = value.isUnassigned ? nil : value
            } else if case .object(var object) = items[index], case .object(let replacement) = value {
                if let immutable = target.definition.subAttributes.first(where: {
                    $0.mutability == .immutable && replacement[$0.name] != nil && replacement[$0.name] != object[$0.name]
                }) {
                    throw SCIMLanguageError(.mutability, "'\(target.name).\(immutable.name)' is immutable")
                }
                for member in replacement { object[member.name] = member.value }
                items[index] = .object(object)
            }
        }
        if !matched {
            // Entra adds `emails[type eq "work"].value` for a user with no work email: build the
            // value the filter describes, when it is only `sub eq literal` terms.
            guard creating, let sub, let seed = Self.equalityTerms(filter) else {
                throw SCIMLanguageError(.noTarget, "no value of '\(target.name)' matches '\(target.path)'")
            }
            var object = SCIMObject()
            for (name, literal) in seed {
                guard let definition = target.definition.subAttribute(name) else {
                    throw SCIMLanguageError(.invalidPath, "'\(target.path)': '\(target.name)' has no sub-attribute '\(name)'")
                }
                object[definition.name] = literal
            }
            object[sub.name] = value
            items.append(.object(object))
        }
        store(target, .array(Self.singlePrimary(items, preferring: nil)))
    }

    mutating func setSubAttribute(_ target: Target, _ sub: SCIMAttribute, _ value: SCIMValue) throws(SCIMLanguageError) {
        if sub.mutability == .immutable { throw SCIMLanguageError(.mutability, "'\(target.path)' is immutable") }
        let existing = current(target)
        if target.definition.multiValued {
            guard case .array(var items)? = existing, !items.isEmpty else {
                throw SCIMLanguageError(.noTarget, "'\(target.name)' has no values to set '\(sub.name)' on")
            }
            for index in items.indices { items[index][sub.name] = value.isUnassigned ? nil : value }
            store(target, .array(items))
        } else {
            var object = existing?.objectValue ?? SCIMObject()
            object[sub.name] = value.isUnassigned ? nil : value
            store(target, .object(object))
        }
    }

    static func equalityTerms(_ filter: SCIMFilter) -> [(String, SCIMValue)]? {
        switch filter {
        case .compare(let path, .eq, let literal) where path.subAttribute == nil && path.schema == nil && !literal.isNull:
            return [(path.attribute, literal)]
        case .and(let operands):
            var terms: [(String, SCIMValue)] = []
            for operand in operands {
                guard let more = equalityTerms(operand) else { return nil }
                terms += more
            }
            return terms
        default:
            return nil
        }
    }

    static func isPrimary(_ value: SCIMValue) -> Bool { value["primary"]?.boolValue == true }

    /// RFC 7643 §2.4: at most one value has `primary: true`; the newest one wins.
    static func singlePrimary(_ items: [SCIMValue], preferring preferred: SCIMValue?) -> [SCIMValue] {
        let primaries = items.indices.filter { isPrimary(items[$0]) }
        guard primaries.count > 1 else { return items }
        let keep = preferred.flatMap { wanted in primaries.last { items[$0] == wanted } } ?? primaries.last!
        var result = items
        for index in primaries where index != keep { result[index]["primary"] = nil }
        return result
    }

    /// Two values of a multi-valued attribute are the same value when their `value`
    /// sub-attributes are equal (members, emails) or, without one, when they are equal.
    static func sameValue(_ a: SCIMValue, _ b: SCIMValue) -> Bool {
        if let left = a["value"], let right = b["value"] { return left == right }
        return a == b
    }

    static func sameValueIndex(of item: SCIMValue, in items: [SCIMValue]) -> Int? {
        guard item["value"] != nil || item.objectValue == nil else { return nil }
        return items.firstIndex { sameValue($0, item) }
    }

    static func merged(_ old: SCIMValue, _ new: SCIMValue) -> SCIMValue {
        guard case .object(var object) = old, case .object(let added) = new else { return new }
        for member in added { object[member.name] = member.value }
        return .object(object)
    }
}

/// Checks a PATCH value against the attribute's definition and brings the forms identity
/// providers send into the canonical one.
enum SCIMCoercion {
    static func coerce(_ value: SCIMValue, to attribute: SCIMAttribute, at path: String) throws(SCIMLanguageError) -> SCIMValue {
        if value.isNull { return .null }
        if attribute.multiValued {
            let items = value.arrayValue ?? [value]
            var single = attribute
            single.multiValued = false
            var result: [SCIMValue] = []
            for item in items { result.append(try coerce(item, to: single, at: path)) }
            return .array(result)
        }
        func invalid() -> SCIMLanguageError {
            SCIMLanguageError(.invalidValue, "'\(path)' (\(attribute.name)) must be \(expected(attribute.kind)), got \(value.typeDescription)")
        }
        switch attribute.kind {
        case .string, .reference, .binary:
            guard case .string = value else { throw invalid() }
            return value
        case .boolean:
            switch value {
            case .bool: return value
            case .string(let text) where text.lowercased() == "true": return .bool(true)
            case .string(let text) where text.lowercased() == "false": return .bool(false)
            default: throw invalid()
            }
        case .integer:
            guard let number = value.integerValue else { throw invalid() }
            return .integer(number)
        case .decimal:
            guard let number = value.doubleValue else { throw invalid() }
            return .decimal(number)
        case .dateTime:
            guard case .string(let text) = value, SCIMDateTime.instant(text) != nil else { throw invalid() }
            return value
        case .complex:
            if case .string = value, attribute.subAttribute("value") != nil {
                return .object(["value": value])
            }
            guard case .object(let object) = value else { throw invalid() }
            var result = SCIMObject()
            for member in object {
                guard let sub = attribute.subAttribute(member.name) else {
                    throw SCIMLanguageError(.invalidValue, "'\(path)': '\(attribute.name)' has no sub-attribute '\(member.name)'")
                }
                // Read-only sub-attributes (manager.displayName, groups.*) are the server's to set.
                if sub.mutability == .readOnly { continue }
                let coerced = try coerce(member.value, to: sub, at: "\(path).\(sub.name)")
                if !coerced.isNull { result[sub.name] = coerced }
            }
            return .object(result)
        }
    }

    private static func expected(_ kind: SCIMAttribute.Kind) -> String {
        switch kind {
        case .string, .reference, .binary: return "a string"
        case .boolean: return "a boolean"
        case .integer: return "an integer"
        case .decimal: return "a number"
        case .dateTime: return "an RFC 3339 date-time string"
        case .complex: return "an object"
        }
    }
}
