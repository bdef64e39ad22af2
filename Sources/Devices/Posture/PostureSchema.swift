import Foundation

/// One JSON value of a posture report, with its type kept apart (a `true` is not a `1`),
/// so the fixed schema can refuse wrong types instead of coercing them. Decodable, so a
/// heartbeat payload can carry `posture: [String: PostureValue]`.
public enum PostureValue: Decodable, Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    /// Anything else, by its JSON type name (`number`, `object`, `array`, `null`).
    case other(String)

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .other("null"); return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int64.self) { self = .integer(value); return }
        if (try? container.decode(Double.self)) != nil { self = .other("number"); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if (try? container.decode([PostureValue].self)) != nil { self = .other("array"); return }
        self = .other("object")
    }

    var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .bool: "boolean"
        case .other(let name): name
        }
    }
}

public struct PostureFieldError: Sendable, Equatable {
    public var field: String
    public var message: String
}

/// A report the schema refused, with one error per bad field.
public struct PostureInvalid: Error, Sendable, Equatable {
    public var errors: [PostureFieldError]
}

/// The fixed posture schema: exactly these keys, each of its type and range, nothing
/// else. Anything unknown, mistyped or out of range is a field error, never silently kept.
public enum PostureSchema {
    public static let operatingSystems = ["android", "chromeos", "ios", "linux", "macos", "windows"]
    public static let maxPatchAgeDays: Int64 = 3650
    public static let maxVersionBytes = 64
    public static let booleanFields = ["diskEncrypted", "firewallEnabled", "screenLockEnabled", "edrRunning", "jailbroken"]
    public static let fields = ["os", "osVersion", "patchAgeDays"] + booleanFields

    /// Validates one report; every problem is reported, with `prefix` before field names
    /// (e.g. `posture.` inside a heartbeat).
    public static func validate(_ object: [String: PostureValue], prefix: String = "") -> Result<PostureFacts, PostureInvalid> {
        var errors: [PostureFieldError] = []
        func fail(_ field: String, _ message: String) { errors.append(PostureFieldError(field: prefix + field, message: message)) }

        var os: String?
        switch object["os"] {
        case .string(let value)? where operatingSystems.contains(value): os = value
        case .string?: fail("os", "must be one of " + operatingSystems.joined(separator: ", "))
        case nil: fail("os", "is required")
        case let other?: fail("os", "must be a string, not \(other.typeName)")
        }

        var version: String?
        switch object["osVersion"] {
        case .string(let value)?:
            let allowed = value.unicodeScalars.allSatisfy {
                ($0.value >= 0x30 && $0.value <= 0x39) || ($0.value >= 0x41 && $0.value <= 0x5A) || ($0.value >= 0x61 && $0.value <= 0x7A)
                    || " ._-+()".unicodeScalars.contains($0)
            }
            if value.isEmpty || value.utf8.count > maxVersionBytes {
                fail("osVersion", "must be 1 to \(maxVersionBytes) characters")
            } else if !allowed {
                fail("osVersion", "may contain only letters, digits, spaces and . _ - + ( )")
            } else {
                version = value
            }
        case nil: fail("osVersion", "is required")
        case let other?: fail("osVersion", "must be a string, not \(other.typeName)")
        }

        var patchAge: Int64?
        switch object["patchAgeDays"] {
        case .integer(let value)? where value >= 0 && value <= maxPatchAgeDays: patchAge = value
        case .integer?: fail("patchAgeDays", "must be between 0 and \(maxPatchAgeDays)")
        case nil: fail("patchAgeDays", "is required")
        case .other("number")?: fail("patchAgeDays", "must be a whole number")
        case let other?: fail("patchAgeDays", "must be an integer, not \(other.typeName)")
        }

        var flags: [String: Bool] = [:]
        for field in booleanFields {
            switch object[field] {
            case .bool(let value)?: flags[field] = value
            case nil: fail(field, "is required")
            case let other?: fail(field, "must be true or false, not \(other.typeName)")
            }
        }

        for key in object.keys.sorted() where !fields.contains(key) {
            fail(String(key.prefix(64)), "is not a known field")
        }

        guard errors.isEmpty, let os, let version, let patchAge else { return .failure(PostureInvalid(errors: errors)) }
        return .success(PostureFacts(
            os: os, osVersion: version, patchAgeDays: patchAge, diskEncrypted: flags["diskEncrypted"]!,
            firewallEnabled: flags["firewallEnabled"]!, screenLockEnabled: flags["screenLockEnabled"]!,
            edrRunning: flags["edrRunning"]!, jailbroken: flags["jailbroken"]!))
    }

    /// Validates a posture report given as JSON bytes (a JSON object).
    public static func validate(json: some Collection<UInt8>, prefix: String = "") -> Result<PostureFacts, PostureInvalid> {
        guard let object = try? JSONDecoder().decode([String: PostureValue].self, from: Data(json)) else {
            return .failure(PostureInvalid(errors: [
                PostureFieldError(field: prefix.isEmpty ? "posture" : String(prefix.dropLast()), message: "must be a JSON object")]))
        }
        return validate(object, prefix: prefix)
    }
}
