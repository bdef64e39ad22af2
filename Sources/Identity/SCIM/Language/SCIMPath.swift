/// A PATCH operation's `path` (RFC 7644 §3.5.2, §3.10):
/// `attr`, `attr.sub`, `attr[valueFilter]`, `attr[valueFilter].sub`, each optionally
/// prefixed by a schema URN, or a bare extension URN naming the whole extension object.
public struct SCIMPath: Sendable, Equatable, CustomStringConvertible {
    public static let maxLength = 4096

    public var schema: String?
    /// nil only for a bare extension URN.
    public var attribute: String?
    public var valueFilter: SCIMFilter?
    public var subAttribute: String?

    public init(schema: String? = nil, attribute: String?, valueFilter: SCIMFilter? = nil, subAttribute: String? = nil) {
        self.schema = schema
        self.attribute = attribute
        self.valueFilter = valueFilter
        self.subAttribute = subAttribute
    }

    public var description: String {
        guard let attribute else { return schema ?? "" }
        return (schema.map { $0 + ":" } ?? "") + attribute
            + (valueFilter.map { "[\($0)]" } ?? "") + (subAttribute.map { "." + $0 } ?? "")
    }

    public static func parse(_ raw: String) throws(SCIMLanguageError) -> SCIMPath {
        let text = raw.trimmingSpaces
        guard !text.isEmpty else { throw SCIMLanguageError(.invalidPath, "the path is empty") }
        guard text.utf8.count <= maxLength else {
            throw SCIMLanguageError(.invalidPath, "the path is longer than \(maxLength) bytes")
        }
        if let urn = SCIMSchemaURN.attributePrefixes.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) {
            return SCIMPath(schema: urn, attribute: nil)
        }
        guard let open = text.firstIndex(of: "[") else {
            return try SCIMPath(attributePath: attributePath(text, whole: text))
        }
        // Find the `]` that closes the filter, skipping quoted strings (they may hold brackets).
        var close: String.Index?
        var inString = false
        var index = text.index(after: open)
        while index < text.endIndex {
            let character = text[index]
            if inString {
                if character == "\\" {
                    index = text.index(after: index)
                    if index == text.endIndex { break }
                } else if character == "\"" {
                    inString = false
                }
            } else if character == "\"" {
                inString = true
            } else if character == "]" {
                close = index
                break
            }
            index = text.index(after: index)
        }
        guard let close else { throw SCIMLanguageError(.invalidPath, "'\(text)': '[' is never closed by ']'") }
        let head = try attributePath(String(text[..<open]), whole: text)
        guard head.subAttribute == nil else {
            throw SCIMLanguageError(.invalidPath, "'\(text)': a value filter follows an attribute, not a sub-attribute")
        }
        let filter: SCIMFilter
        do {
            filter = try SCIMFilterParser.parseValueFilter(String(text[text.index(after: open)..<close]))
        } catch {
            throw SCIMLanguageError(.invalidPath, "'\(text)': bad value filter: \(error.detail)")
        }
        let tail = text[text.index(after: close)...]
        var sub: String?
        if !tail.isEmpty {
            guard tail.hasPrefix("."), SCIMFilterParser.isAttributeName(tail.dropFirst()) else {
                throw SCIMLanguageError(.invalidPath, "'\(text)': only '.subAttribute' may follow ']'")
            }
            sub = String(tail.dropFirst())
        }
        return SCIMPath(schema: head.schema, attribute: head.attribute, valueFilter: filter, subAttribute: sub)
    }

    private init(attributePath: SCIMAttributePath) {
        self.init(schema: attributePath.schema, attribute: attributePath.attribute, subAttribute: attributePath.subAttribute)
    }

    private static func attributePath(_ text: String, whole: String) throws(SCIMLanguageError) -> SCIMAttributePath {
        do {
            return try SCIMFilterParser.attributePath(text)
        } catch {
            throw SCIMLanguageError(.invalidPath, "'\(whole)' is not a valid path")
        }
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
