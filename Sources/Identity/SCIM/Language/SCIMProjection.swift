/// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) over a full resource.
/// Names may be `attr`, `attr.sub`, URN-prefixed, or a bare extension URN. Attributes the
/// schema returns `always` (and `schemas`, `id`, `meta`) are kept whatever is asked;
/// `returned: never` ones are always dropped; unknown names are ignored as RFC 7644 allows.
public enum SCIMProjection {
    public static let maxNames = 100

    /// Splits a query parameter value: `"userName, name.givenName"` → two names.
    public static func split(_ text: String?) -> [String]? {
        guard let text else { return nil }
        let names = text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        return names.isEmpty ? nil : names
    }

    public static func apply(
        _ resource: SCIMValue, attributes: [String]?, excludedAttributes: [String]?, schema: SCIMResourceSchema
    ) throws(SCIMLanguageError) -> SCIMValue {
        guard case .object(let object) = resource else { return resource }
        var result = dropNever(object, schema: schema)
        if let attributes, !attributes.isEmpty {
            result = try include(result, selections(attributes, schema: schema), schema: schema)
        }
        if let excludedAttributes, !excludedAttributes.isEmpty {
            result = try exclude(result, selections(excludedAttributes, schema: schema), schema: schema)
        }
        return .object(result)
    }

    /// One requested name, resolved against the schema: which container (core or the
    /// canonical extension URN), which attribute (nil = the whole extension), which sub.
    struct Selection: Hashable {
        var extensionURN: String?
        var attribute: String?
        var sub: String?
    }

    static func selections(_ names: [String], schema: SCIMResourceSchema) throws(SCIMLanguageError) -> [Selection] {
        guard names.count <= maxNames else {
            throw SCIMLanguageError(.invalidValue, "at most \(maxNames) attribute names")
        }
        var result: [Selection] = []
        for name in names {
            if let urn = schema.extensions.first(where: { $0.id.caseInsensitiveCompare(name) == .orderedSame }) {
                result.append(Selection(extensionURN: urn.id, attribute: nil, sub: nil))
                continue
            }
            guard let path = try? SCIMFilterParser.attributePath(name) else { continue }
            var extensionURN: String?
            if let urn = path.schema {
                guard let named = schema.schema(urn: urn) else { continue }
                extensionURN = schema.isExtension(urn) ? named.id : nil
            }
            guard let definition = schema.attribute(schema: extensionURN, name: path.attribute) else { continue }
            var sub: String?
            if let subName = path.subAttribute {
                guard let subDefinition = definition.subAttribute(subName) else { continue }
                sub = subDefinition.name
            }
            result.append(Selection(extensionURN: extensionURN, attribute: definition.name, sub: sub))
        }
        return result
    }

    static func isAlwaysReturned(_ name: String, schema: SCIMResourceSchema) -> Bool {
        if ["id", "schemas", "meta"].contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) { return true }
        return schema.core.attribute(name)?.returned == .always
    }

    static func dropNever(_ object: SCIMObject, schema: SCIMResourceSchema) -> SCIMObject {
        var result = object
        result.filterMembers { member in
            schema.attribute(schema: nil, name: member.name)?.returned != .never
        }
        for definition in schema.extensions {
            guard case .object(var nested)? = result[definition.id] else { continue }
            nested.filterMembers { definition.attribute($0.name)?.returned != .never }
            result[definition.id] = .object(nested)
        }
        return result
    }

    static func include(_ object: SCIMObject, _ selections: [Selection], schema: SCIMResourceSchema) throws(SCIMLanguageError) -> SCIMObject {
        var result = SCIMObject()
        for member in object {
            if isAlwaysReturned(member.name, schema: schema) {
                result[member.name] = member.value
            } else if let urn = schema.extensions.first(where: { $0.id.caseInsensitiveCompare(member.name) == .orderedSame })?.id {
                let chosen = selections.filter { $0.extensionURN == urn }
                if chosen.contains(where: { $0.attribute == nil }) {
                    result[member.name] = member.value
                } else if !chosen.isEmpty, case .object(let nested) = member.value {
                    let kept = keep(nested, chosen)
                    if !kept.isEmpty { result[member.name] = .object(kept) }
                }
            } else {
                let kept = keep(SCIMObject([(member.name, member.value)]), selections.filter { $0.extensionURN == nil })
                if let value = kept[member.name] { result[member.name] = value }
            }
        }
        return result
    }

    /// The members of `object` the selections name, narrowed to the named sub-attributes.
    static func keep(_ object: SCIMObject, _ selections: [Selection]) -> SCIMObject {
        var result = SCIMObject()
        for member in object {
            let chosen = selections.filter { $0.attribute?.caseInsensitiveCompare(member.name) == .orderedSame }
            if chosen.isEmpty { continue }
            if chosen.contains(where: { $0.sub == nil }) {
                result[member.name] = member.value
                continue
            }
            let subs = chosen.compactMap(\.sub)
            func narrow(_ value: SCIMValue) -> SCIMValue? {
                guard case .object(let inner) = value else { return nil }
                var kept = SCIMObject()
                for innerMember in inner where subs.contains(where: { $0.caseInsensitiveCompare(innerMember.name) == .orderedSame }) {
                    kept[innerMember.name] = innerMember.value
                }
                return kept.isEmpty ? nil : .object(kept)
            }
            if case .array(let items) = member.value {
                let narrowed = items.compactMap(narrow)
                if !narrowed.isEmpty { result[member.name] = .array(narrowed) }
            } else if let narrowed = narrow(member.value) {
                result[member.name] = narrowed
            }
        }
        return result
    }

    static func exclude(_ object: SCIMObject, _ selections: [Selection], schema: SCIMResourceSchema) throws(SCIMLanguageError) -> SCIMObject {
        var result = object
        for selection in selections {
            guard let attribute = selection.attribute else {
                if let urn = selection.extensionURN { result.removeValue(forKey: urn) }
                continue
            }
            if selection.extensionURN == nil, isAlwaysReturned(attribute, schema: schema) { continue }
            func drop(from container: inout SCIMObject) {
                guard let sub = selection.sub else {
                    container.removeValue(forKey: attribute)
                    return
                }
                switch container[attribute] {
                case .object(var inner)?:
                    inner.removeValue(forKey: sub)
                    container[attribute] = inner.isEmpty ? nil : .object(inner)
                case .array(let items)?:
                    container[attribute] = .array(items.map { item in
                        guard case .object(var inner) = item else { return item }
                        inner.removeValue(forKey: sub)
                        return .object(inner)
                    })
                default: break
                }
            }
            if let urn = selection.extensionURN {
                guard case .object(var nested)? = result[urn] else { continue }
                drop(from: &nested)
                result[urn] = .object(nested)
            } else {
                drop(from: &result)
            }
        }
        return result
    }
}
