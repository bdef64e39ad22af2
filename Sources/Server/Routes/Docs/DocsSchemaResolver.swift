import Foundation

/// Reads JSON schemas of the OpenAPI document for `/docs`: follows local `$ref`s a bounded
/// number of times, writes a schema as rows (one per property, nested a few levels) and makes
/// an example value from a schema when the document gives none.
struct SchemaResolver {
    let document: [String: Any]

    /// The object a local `#/a/b/c` reference names, or nil.
    func lookup(_ reference: String) -> [String: Any]? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any = document
        for part in reference.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = (node as? [String: Any])?[key] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    /// Parameters, request bodies and responses may themselves be references (one level is
    /// all the document uses; a few more are allowed, never a loop).
    func resolveObject(_ object: [String: Any]) -> [String: Any] {
        var current = object
        for _ in 0..<4 {
            guard let reference = current["$ref"] as? String, let target = lookup(reference) else { return current }
            current = target
        }
        return current
    }

    static func refName(_ reference: String) -> String {
        reference.split(separator: "/").last.map(String.init) ?? reference
    }

    // MARK: - Security schemes

    func scheme(_ name: String) -> [String: Any] {
        ((document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }

    func schemeText(_ name: String) -> String {
        let scheme = scheme(name)
        switch scheme["type"] as? String {
        case "http":
            let kind = (scheme["scheme"] as? String ?? "").lowercased()
            if kind == "bearer" {
                return (scheme["bearerFormat"] as? String).map { "HTTP bearer, \($0)" } ?? "HTTP bearer token"
            }
            return kind == "basic" ? "HTTP basic" : "HTTP \(kind)"
        case "mutualTLS": return "TLS client certificate"
        case "apiKey": return name == "clientSecretPost" ? "client_id and client_secret in the form body" : "API key in \(scheme["in"] as? String ?? "a header")"
        case "oauth2": return "OAuth 2.0"
        case "openIdConnect": return "OpenID Connect"
        default: return "unknown scheme"
        }
    }

    func isBearer(_ name: String) -> Bool {
        let scheme = scheme(name)
        return scheme["type"] as? String == "http" && (scheme["scheme"] as? String)?.lowercased() == "bearer"
    }

    func isBasic(_ name: String) -> Bool {
        let scheme = scheme(name)
        return scheme["type"] as? String == "http" && (scheme["scheme"] as? String)?.lowercased() == "basic"
    }

    // MARK: - Types as text

    /// A one-line type: "string (date-time)", "array of Scope", "TenantRegistrationRequest",
    /// "one of A | B". With refs left, a `$ref` shows its name; the rows show its content.
    func typeText(_ schema: [String: Any], refsLeft: Int) -> String {
        if let reference = schema["$ref"] as? String { return Self.refName(reference) }
        for combiner in ["oneOf", "anyOf", "allOf"] {
            if let parts = schema[combiner] as? [[String: Any]] {
                let names = parts.map { typeText($0, refsLeft: refsLeft) }
                return combiner == "allOf" ? names.joined(separator: " & ") : "one of " + names.joined(separator: " | ")
            }
        }
        var type: String
        if let single = schema["type"] as? String {
            type = single
        } else if let several = schema["type"] as? [String] {
            type = several.joined(separator: " or ")
        } else if schema["properties"] != nil {
            type = "object"
        } else {
            type = "any"
        }
        if type.hasPrefix("array"), let items = schema["items"] as? [String: Any] {
            type = "array of " + typeText(items, refsLeft: refsLeft)
        }
        if let format = schema["format"] as? String { type += " (\(format))" }
        return type
    }

    /// Constraints and the description, for the schema table's last column.
    func detailText(_ schema: [String: Any]) -> String {
        var parts: [String] = []
        if let values = schema["enum"] as? [Any] {
            parts.append("one of: " + values.map(Self.literal).joined(separator: ", "))
        }
        if let constant = schema["const"] { parts.append("always \(Self.literal(constant))") }
        for (key, label) in [("minLength", "min length"), ("maxLength", "max length"), ("minimum", "min"), ("maximum", "max"),
                             ("minItems", "min items"), ("maxItems", "max items"), ("pattern", "pattern"), ("default", "default")] {
            if let value = schema[key] { parts.append("\(label) \(Self.literal(value))") }
        }
        if let description = schema["description"] as? String { parts.append(description) }
        return parts.joined(separator: "; ")
    }

    /// A value as the document wrote it: strings bare, anything else as JSON (a parsed
    /// `false` is an NSNumber whose description would be "0").
    static func literal(_ value: Any) -> String {
        if let string = value as? String { return string }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
        else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Rows

    /// The schema as table rows: a first row for the schema itself, then its properties,
    /// nested up to `DocsViewModel.maxDepth` levels, following `$ref` at most `maxRefs` times
    /// along one branch.
    func rows(_ schema: [String: Any]) -> [DocsViewModel.SchemaRow] {
        guard !schema.isEmpty else { return [] }
        var rows: [DocsViewModel.SchemaRow] = []
        let (resolved, refsLeft) = follow(schema, refsLeft: DocsViewModel.maxRefs)
        rows.append(.init(name: "body", type: typeText(schema, refsLeft: refsLeft), required: true, detail: detailText(resolved), depth: 0))
        appendChildren(of: resolved, depth: 1, refsLeft: refsLeft, into: &rows)
        return rows
    }

    /// Follows a `$ref` while refs are left: the schema to expand and the refs still left.
    func follow(_ schema: [String: Any], refsLeft: Int) -> ([String: Any], Int) {
        guard let reference = schema["$ref"] as? String else { return (schema, refsLeft) }
        guard refsLeft > 0, let target = lookup(reference) else { return ([:], 0) }
        return (target, refsLeft - 1)
    }

    func appendChildren(of schema: [String: Any], depth: Int, refsLeft: Int, into rows: inout [DocsViewModel.SchemaRow]) {
        guard depth <= DocsViewModel.maxDepth, rows.count < DocsViewModel.maxRowsPerSchema else { return }
        // Arrays show their items' properties; allOf merges its parts' properties.
        if let items = schema["items"] as? [String: Any] {
            let (resolved, left) = follow(items, refsLeft: refsLeft)
            appendChildren(of: resolved, depth: depth, refsLeft: left, into: &rows)
            return
        }
        if let parts = schema["allOf"] as? [[String: Any]] {
            for part in parts {
                let (resolved, left) = follow(part, refsLeft: refsLeft)
                appendChildren(of: resolved, depth: depth, refsLeft: left, into: &rows)
            }
        }
        guard let properties = schema["properties"] as? [String: Any] else { return }
        let required = Set(schema["required"] as? [String] ?? [])
        // Required properties first, each group in name order.
        let names = properties.keys.sorted { (required.contains($0) ? 0 : 1, $0) < (required.contains($1) ? 0 : 1, $1) }
        for name in names {
            guard rows.count < DocsViewModel.maxRowsPerSchema else {
                rows.append(.init(name: "…", type: "", required: false, detail: "more properties: see /openapi.json", depth: depth))
                return
            }
            let property = properties[name] as? [String: Any] ?? [:]
            let (resolved, left) = follow(property, refsLeft: refsLeft)
            let detail = detailText(property).isEmpty ? detailText(resolved) : detailText(property)
            rows.append(.init(name: name, type: typeText(property, refsLeft: left), required: required.contains(name), detail: detail, depth: depth))
            appendChildren(of: resolved, depth: depth + 1, refsLeft: left, into: &rows)
        }
    }

    // MARK: - Examples

    /// An example value of the schema: its own example, else one made from its type.
    func example(_ schema: [String: Any], depth: Int, refsLeft: Int) -> Any {
        if let example = schema["example"] { return example }
        if let examples = schema["examples"] as? [Any], let first = examples.first { return first }
        if let reference = schema["$ref"] as? String {
            guard refsLeft > 0, let target = lookup(reference) else { return [String: Any]() }
            return example(target, depth: depth, refsLeft: refsLeft - 1)
        }
        if let constant = schema["const"] { return constant }
        if let values = schema["enum"] as? [Any], let first = values.first { return first }
        if let value = schema["default"] { return value }
        for combiner in ["oneOf", "anyOf"] {
            if let parts = schema[combiner] as? [[String: Any]], let first = parts.first {
                return example(first, depth: depth, refsLeft: refsLeft)
            }
        }
        if let parts = schema["allOf"] as? [[String: Any]] {
            var merged: [String: Any] = [:]
            for part in parts {
                if let object = example(part, depth: depth, refsLeft: refsLeft) as? [String: Any] {
                    merged.merge(object) { first, _ in first }
                }
            }
            return merged
        }
        let type = (schema["type"] as? String) ?? (schema["type"] as? [String])?.first { $0 != "null" } ?? (schema["properties"] != nil ? "object" : "")
        switch type {
        case "object":
            guard depth < DocsViewModel.maxDepth + 1 else { return [String: Any]() }
            var object: [String: Any] = [:]
            for (name, property) in schema["properties"] as? [String: Any] ?? [:] {
                object[name] = example(property as? [String: Any] ?? [:], depth: depth + 1, refsLeft: refsLeft)
            }
            return object
        case "array":
            guard depth < DocsViewModel.maxDepth + 1, let items = schema["items"] as? [String: Any] else { return [Any]() }
            return [example(items, depth: depth + 1, refsLeft: refsLeft)]
        case "integer": return 0
        case "number": return 0.5
        case "boolean": return true
        case "string":
            switch schema["format"] as? String {
            case "date-time": return "2026-01-01T00:00:00Z"
            case "uri", "url": return "https://app.example/callback"
            case "email": return "user@example.com"
            case "binary": return "<binary>"
            default: return "string"
            }
        case "null": return NSNull()
        default: return [String: Any]()
        }
    }
}
