import Identity

/// Reads management-API JSON bodies field by field like `FieldReader`, with the shapes
/// these routes also need (booleans, integers, string lists, small objects), collecting
/// one `FieldError` per missing, mistyped or unknown field.
struct ManagementFields {
    private let object: [String: JSONValue]
    private let prefix: String
    private var read: Set<String> = []
    private(set) var errors: [FieldError] = []

    /// Longest list a body may carry in one field.
    static let maxListCount = 50
    /// Longest string a body may carry in one field (redirect URIs are checked tighter).
    static let maxStringBytes = 4096

    init(_ object: [String: JSONValue], prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    var isEmpty: Bool { object.isEmpty }

    private mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: prefix + field, message: message))
    }

    private mutating func checked(_ field: String, _ value: String) -> String? {
        guard value.utf8.count <= Self.maxStringBytes else {
            fail(field, "must be at most \(Self.maxStringBytes) bytes")
            return nil
        }
        return value
    }

    mutating func string(_ field: String) -> String? {
        read.insert(field)
        switch object[field] {
        case .string(let value)?: return checked(field, value)
        case nil, .null?: fail(field, "is required")
        case let other?: fail(field, "must be a string, not \(other.typeDescription)")
        }
        return nil
    }

    mutating func optionalString(_ field: String) -> String? {
        read.insert(field)
        switch object[field] {
        case .string(let value)?: return checked(field, value)
        case nil, .null?: return nil
        case let other?:
            fail(field, "must be a string, not \(other.typeDescription)")
            return nil
        }
    }

    mutating func optionalBool(_ field: String) -> Bool? {
        read.insert(field)
        switch object[field] {
        case .bool(let value)?: return value
        case nil, .null?: return nil
        case let other?:
            fail(field, "must be true or false, not \(other.typeDescription)")
            return nil
        }
    }

    mutating func optionalInteger(_ field: String) -> Int64? {
        read.insert(field)
        switch object[field] {
        case .integer(let value)?: return value
        case nil, .null?: return nil
        case .number?:
            fail(field, "must be a whole number")
            return nil
        case let other?:
            fail(field, "must be a number, not \(other.typeDescription)")
            return nil
        }
    }

    /// A list of strings; nil when absent or null.
    mutating func optionalStrings(_ field: String) -> [String]? {
        read.insert(field)
        switch object[field] {
        case nil, .null?: return nil
        case .array(let values)?:
            guard values.count <= Self.maxListCount else {
                fail(field, "may list at most \(Self.maxListCount) entries")
                return nil
            }
            var strings: [String] = []
            for value in values {
                guard case .string(let string) = value else {
                    fail(field, "must list only strings, not \(value.typeDescription)")
                    return nil
                }
                guard let string = checked(field, string) else { return nil }
                strings.append(string)
            }
            return strings
        case let other?:
            fail(field, "must be a list of strings, not \(other.typeDescription)")
            return nil
        }
    }

    /// A nested object, read with its own reader whose errors are named `field.sub`.
    mutating func optionalObject(_ field: String) -> ManagementFields? {
        read.insert(field)
        switch object[field] {
        case nil, .null?: return nil
        case .object(let nested)?: return ManagementFields(nested, prefix: prefix + field + ".")
        case let other?:
            fail(field, "must be an object, not \(other.typeDescription)")
            return nil
        }
    }

    /// A string that must be one of `allowed`.
    mutating func optionalEnum<E: RawRepresentable & CaseIterable>(_ field: String, _ type: E.Type) -> E? where E.RawValue == String {
        guard let raw = optionalString(field) else { return nil }
        guard let value = E(rawValue: raw) else {
            fail(field, "must be one of " + E.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        return value
    }

    mutating func merge(_ nested: ManagementFields) {
        errors += nested.finish()
    }

    /// Every error so far, plus one for each field the body has that was never read.
    func finish() -> [FieldError] {
        errors + object.keys.filter { !read.contains($0) }.sorted().map {
            FieldError(field: prefix + $0, message: "is not a known field")
        }
    }
}
