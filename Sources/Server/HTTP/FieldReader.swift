import Identity

/// Reads the fields of a JSON object body, collecting a `FieldError` for each missing,
/// mistyped or unknown field instead of stopping at the first, as `JSONDecoder` would.
public struct FieldReader {
    private let object: [String: JSONValue]
    private var read: Set<String> = []
    public private(set) var errors: [FieldError] = []

    public init(_ object: [String: JSONValue]) { self.object = object }

    /// A required string; "" (with an error recorded) when missing or not a string.
    public mutating func string(_ field: String) -> String {
        read.insert(field)
        switch object[field] {
        case .string(let value)?:
            return value
        case nil, .null?:
            errors.append(FieldError(field: field, message: "is required"))
        case let other?:
            errors.append(FieldError(field: field, message: "must be a string, not \(other.typeDescription)"))
        }
        return ""
    }

    /// An optional string; nil when absent or null.
    public mutating func optionalString(_ field: String) -> String? {
        read.insert(field)
        switch object[field] {
        case .string(let value)?: return value
        case nil, .null?: return nil
        case let other?:
            errors.append(FieldError(field: field, message: "must be a string, not \(other.typeDescription)"))
            return nil
        }
    }

    /// Every error so far, plus one for each field the body has that was never read.
    public func finish() -> [FieldError] {
        errors + object.keys.filter { !read.contains($0) }.sorted().map {
            FieldError(field: $0, message: "is not a known field")
        }
    }
}
