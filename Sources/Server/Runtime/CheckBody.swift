import Evaluator
import Identity
import PolicyLang
import Store

/// One check as a caller writes it:
/// `{action, resource?: {type, id}, principal?: {type, id}, context?: {…}, atLeastRevision?, explain?}`.
///
/// Read from the byte-level `JSON` tree (no Foundation decoder on the hot path). Context
/// values use Cedar's JSON value forms (`{"__entity": …}`, `{"__extn": {"fn": "ip", …}}`).
/// Bounds: ids and types, the number of context keys, the nesting depth (enforced while
/// parsing); every mistake of one body is reported at once (400 `validation-error`).
struct CheckBody: Equatable {
    var action: EntityUID
    var resource: EntityUID?
    var principal: EntityUID?
    var context: [String: Value]
    var atLeastRevision: String?
    var explain: Bool

    static let maxContextKeys = 64
    static let maxTypeLength = 128
    static let maxIdLength = 1024
    static let maxRevisionLength = 64
    /// Deepest JSON nesting of a body: check → context → a few levels of records and sets.
    static let maxDepth = 12

    static let fields: Set<String> = ["action", "resource", "principal", "context", "atLeastRevision", "explain"]

    /// Reads one check; `prefix` names fields of a batch item (`checks[3].action`).
    static func read(_ json: JSON, prefix: String = "", allowRevision: Bool = true, errors: inout [FieldError]) -> CheckBody? {
        guard case .object(let members) = json else {
            errors.append(FieldError(field: prefix.isEmpty ? "body" : String(prefix.dropLast()), message: "must be a JSON object"))
            return nil
        }
        let before = errors.count
        var action: EntityUID?
        var resource: EntityUID?
        var principal: EntityUID?
        var context: [String: Value] = [:]
        var revision: String?
        var explain = false
        // No member appears twice: `JSON.parse` refuses duplicate names (a 400 before this).
        for (key, value) in members {
            let field = prefix + key
            switch key {
            case "action":
                action = actionUID(value, field: field, errors: &errors)
            case "resource":
                if value != .null { resource = entityUID(value, field: field, errors: &errors) }
            case "principal":
                if value != .null { principal = entityUID(value, field: field, errors: &errors) }
            case "context":
                if value != .null { context = Self.context(value, field: field, errors: &errors) }
            case "atLeastRevision" where allowRevision:
                switch value {
                case .null: break
                case .string(let text) where text.utf8.count <= maxRevisionLength: revision = text
                case .string: errors.append(FieldError(field: field, message: "must be at most \(maxRevisionLength) characters"))
                default: errors.append(FieldError(field: field, message: "must be a revision string from an earlier answer"))
                }
            case "explain":
                switch value {
                case .null: break
                case .bool(let flag): explain = flag
                default: errors.append(FieldError(field: field, message: "must be true or false"))
                }
            default:
                let known = (allowRevision ? fields : fields.subtracting(["atLeastRevision"])).sorted().joined(separator: ", ")
                errors.append(FieldError(field: field, message: "is not a field of a check (\(known))"))
            }
        }
        if action == nil, !members.contains(where: { $0.key == "action" }) {
            errors.append(FieldError(field: prefix + "action", message: "is required"))
        }
        guard errors.count == before, let action else { return nil }
        return CheckBody(
            action: action, resource: resource, principal: principal, context: context, atLeastRevision: revision, explain: explain)
    }

    /// `"read"` (an `Action` id) or `{"type": "Action", "id": "read"}`.
    static func actionUID(_ json: JSON, field: String, errors: inout [FieldError]) -> EntityUID? {
        if case .string(let id) = json {
            guard !id.isEmpty, id.utf8.count <= maxIdLength else {
                errors.append(FieldError(field: field, message: "must be a non-empty action id of at most \(maxIdLength) bytes"))
                return nil
            }
            return EntityUID(type: "Action", id: id)
        }
        return entityUID(json, field: field, errors: &errors)
    }

    /// `{"type": "Document", "id": "d1"}`: a Cedar type name (`Acme::Document` too) and
    /// any non-empty id.
    static func entityUID(_ json: JSON, field: String, errors: inout [FieldError]) -> EntityUID? {
        guard case .object(let members) = json, members.count == 2,
              case .string(let type)? = json["type"], case .string(let id)? = json["id"] else {
            errors.append(FieldError(field: field, message: #"must be {"type": "<Type>", "id": "<id>"}"#))
            return nil
        }
        guard type.utf8.count <= maxTypeLength, isTypeName(type) else {
            errors.append(FieldError(field: field + ".type", message: "must be a type name such as Document or Acme::Document (at most \(maxTypeLength) bytes)"))
            return nil
        }
        guard !id.isEmpty, id.utf8.count <= maxIdLength else {
            errors.append(FieldError(field: field + ".id", message: "must be a non-empty id of at most \(maxIdLength) bytes"))
            return nil
        }
        return EntityUID(type: type, id: id)
    }

    static func context(_ json: JSON, field: String, errors: inout [FieldError]) -> [String: Value] {
        guard case .object(let members) = json else {
            errors.append(FieldError(field: field, message: "must be a JSON object"))
            return [:]
        }
        guard members.count <= maxContextKeys else {
            errors.append(FieldError(field: field, message: "has \(members.count) keys; at most \(maxContextKeys) are allowed"))
            return [:]
        }
        var record: [String: Value] = [:]
        record.reserveCapacity(members.count + ServerContext.reservedKeys.count)
        for (key, value) in members {
            if ServerContext.reservedKeys.contains(key) {
                errors.append(FieldError(
                    field: "\(field).\(key)",
                    message: "is filled in by the server and cannot be supplied (reserved: device, ip, now, token)"))
                continue
            }
            if key.utf8.count > maxTypeLength {
                errors.append(FieldError(field: field, message: "a key is longer than \(maxTypeLength) bytes"))
                continue
            }
            guard record[key] == nil else {
                errors.append(FieldError(field: "\(field).\(key)", message: "appears twice"))
                continue
            }
            do throws(EntityJSONError) {
                record[key] = try CedarJSON.value(from: value, depth: 1)
            } catch {
                errors.append(FieldError(field: "\(field).\(key)", message: error.message))
            }
        }
        return record
    }

    static func isTypeName(_ text: String) -> Bool {
        var text = text
        return text.withUTF8(isTypeName)
    }

    private static func isTypeName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var atStart = true
        var previousColon = false
        guard !bytes.isEmpty else { return false }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            if byte == UInt8(ascii: ":") {
                guard !atStart, index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ":") else { return false }
                index += 2
                atStart = true
                previousColon = true
                continue
            }
            if atStart ? !letter : !(letter || digit) { return false }
            atStart = false
            previousColon = false
            index += 1
        }
        return !previousColon
    }
}

extension JSON {
    /// The body of a runtime route as a JSON tree, depth-bounded; malformed JSON is a 400.
    static func runtimeBody(_ bytes: [UInt8]) throws -> JSON {
        try bytes.withUnsafeBufferPointer { try runtimeBody($0) }
    }

    /// The same over a buffer the caller holds (the fast path's request body, uncopied).
    static func runtimeBody(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSON {
        do throws(EntityJSONError) {
            return try JSON.parse(bytes, maxDepth: CheckBody.maxDepth)
        } catch {
            throw ProblemError.malformedBody("the body is not valid JSON or nests deeper than \(CheckBody.maxDepth) levels: \(error.message)")
        }
    }
}

/// `atLeastRevision` as a store revision: an opaque token this server never issued (or a
/// revision the tenant has not reached) is a 409, as the caller cannot be answered at it.
enum RevisionRequirement {
    static func decode(_ token: String?) throws -> UInt64? {
        guard let token else { return nil }
        guard let revision = RevisionToken.decode(token) else { throw RuntimeProblems.revisionNotReached(nil) }
        return revision
    }
}
