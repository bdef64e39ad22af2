import PolicyLang

/// Cedar's JSON formats: entity files (`[{"uid": …, "attrs": {…}, "parents": […]}]`),
/// attribute values with the `__entity` and `__extn` escapes, and the request lines of
/// `arbiter policy eval`.
public enum CedarJSON {
    /// Reads a Cedar entities file. `uid` and parents may be `{"type": T, "id": I}` or
    /// `{"__entity": {"type": T, "id": I}}`; `tags` is accepted and ignored (the policy
    /// language has no tag operators); other keys are refused.
    public static func entities(from bytes: [UInt8]) throws(EntityJSONError) -> InMemoryEntities {
        guard case .array(let items) = try JSON.parse(bytes) else {
            throw EntityJSONError("an entities file must be a JSON array of entities")
        }
        var list: [Entity] = []
        list.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            do throws(EntityJSONError) {
                list.append(try entity(from: item))
            } catch {
                throw EntityJSONError("entity #\(position + 1): \(error.message)")
            }
        }
        return try InMemoryEntities(list)
    }

    public static func entity(from json: JSON) throws(EntityJSONError) -> Entity {
        guard case .object(let members) = json else { throw EntityJSONError("an entity must be a JSON object") }
        for member in members where !["uid", "attrs", "parents", "tags"].contains(member.key) {
            throw EntityJSONError("unknown key \"\(member.key)\" (expected uid, attrs, parents)")
        }
        guard let uidJSON = json["uid"] else { throw EntityJSONError("missing \"uid\"") }
        let uid = try entityUID(from: uidJSON)
        var attributes: [String: Value] = [:]
        if let attrs = json["attrs"] {
            guard case .object(let fields) = attrs else { throw EntityJSONError("\(uid): \"attrs\" must be an object") }
            attributes.reserveCapacity(fields.count)
            for field in fields {
                do throws(EntityJSONError) {
                    attributes[field.key] = try value(from: field.value)
                } catch {
                    throw EntityJSONError("\(uid): attribute \"\(field.key)\": \(error.message)")
                }
            }
        }
        var parents: [EntityUID] = []
        if let parentsJSON = json["parents"] {
            guard case .array(let list) = parentsJSON else { throw EntityJSONError("\(uid): \"parents\" must be an array") }
            for parent in list { parents.append(try entityUID(from: parent)) }
        }
        return Entity(uid: uid, attributes: attributes, parents: parents)
    }

    /// An entity reference: `{"type": T, "id": I}`, `{"__entity": {…}}`, or (as in
    /// request lines) the string `T::"I"`.
    public static func entityUID(from json: JSON) throws(EntityJSONError) -> EntityUID {
        switch json {
        case .string(let text):
            return try parseEntityUID(text)
        case .object(let members):
            if members.count == 1, members[0].key == "__entity" { return try entityUID(from: members[0].value) }
            guard members.count == 2, case .string(let type)? = json["type"], case .string(let id)? = json["id"] else {
                throw EntityJSONError("an entity reference must be {\"type\": …, \"id\": …}")
            }
            return EntityUID(type: type, id: id)
        default:
            throw EntityJSONError("an entity reference must be {\"type\": …, \"id\": …}")
        }
    }

    /// A Cedar value in JSON: bool, integer, string, array (set), object (record), or an
    /// escape: `{"__entity": {"type", "id"}}`, `{"__extn": {"fn": "ip"|"decimal", "arg": "…"}}`.
    public static func value(from json: JSON, depth: Int = 0) throws(EntityJSONError) -> Value {
        guard depth < 64 else { throw EntityJSONError("value nested too deeply") }
        switch json {
        case .null: throw EntityJSONError("null is not a Cedar value")
        case .bool(let b): return .bool(b)
        case .integer(let n): return .long(n)
        case .number(let text): throw EntityJSONError("\(text) is not a 64-bit integer")
        case .string(let s): return .string(s)
        case .array(let elements):
            var set = Set<Value>(minimumCapacity: elements.count)
            for element in elements { set.insert(try value(from: element, depth: depth + 1)) }
            return .set(set)
        case .object(let members):
            if members.count == 1, members[0].key == "__entity" {
                return .entity(try entityUID(from: members[0].value))
            }
            if members.count == 1, members[0].key == "__extn" {
                return try extensionValue(from: members[0].value)
            }
            var record: [String: Value] = [:]
            record.reserveCapacity(members.count)
            for member in members { record[member.key] = try value(from: member.value, depth: depth + 1) }
            return .record(record)
        }
    }

    private static func extensionValue(from json: JSON) throws(EntityJSONError) -> Value {
        guard case .string(let function)? = json["fn"], case .string(let argument)? = json["arg"] else {
            throw EntityJSONError("__extn must be {\"fn\": …, \"arg\": …}")
        }
        switch function {
        case "ip", "ipaddr":
            switch IPAddress.parse(argument) {
            case .success(let ip): return .ipaddr(ip)
            case .failure(let e): throw EntityJSONError(e.message)
            }
        case "decimal":
            switch CedarDecimal.parse(argument) {
            case .success(let d): return .decimal(d)
            case .failure(let e): throw EntityJSONError(e.message)
            }
        default:
            throw EntityJSONError("unknown extension function \"\(function)\"")
        }
    }

    /// One request line of `arbiter policy eval`:
    /// `{"principal": "User::\"alice\"", "action": "Action::\"read\"", "resource": …, "context": {…}}`.
    public static func request(from bytes: [UInt8]) throws(EntityJSONError) -> Request {
        let json = try JSON.parse(bytes)
        guard case .object(let members) = json else { throw EntityJSONError("a request must be a JSON object") }
        for member in members where !["principal", "action", "resource", "context"].contains(member.key) {
            throw EntityJSONError("unknown request key \"\(member.key)\"")
        }
        func uid(_ key: String) throws(EntityJSONError) -> EntityUID {
            guard let field = json[key] else { throw EntityJSONError("request has no \"\(key)\"") }
            return try entityUID(from: field)
        }
        var context: [String: Value] = [:]
        if let contextJSON = json["context"] {
            guard case .record(let record) = try value(from: contextJSON) else {
                throw EntityJSONError("\"context\" must be a JSON object")
            }
            context = record
        }
        return Request(principal: try uid("principal"), action: try uid("action"), resource: try uid("resource"), context: context)
    }

    /// Parses `Type::"id"` (the type may be namespaced: `Acme::User::"alice"`).
    public static func parseEntityUID(_ text: String) throws(EntityJSONError) -> EntityUID {
        var text = text
        // Works on the UTF-8 bytes: every delimiter is ASCII and no byte of a multi-byte
        // UTF-8 sequence is, so this reads the same scalars as a scalar-by-scalar parse;
        // the id between ASCII delimiters of a valid string is valid UTF-8.
        let uid = text.withUTF8 { parseEntityUID(bytes: $0) }
        guard let uid else {
            throw EntityJSONError("`\(text)` is not an entity reference like User::\"alice\"")
        }
        guard case .success(let result) = uid else {
            throw EntityJSONError("`\(text)` is not an entity reference like User::\"alice\" (unterminated or trailing text)")
        }
        return result
    }

    /// nil: not `Type::"`; `.failure`: bad or unterminated id part.
    private static func parseEntityUID(bytes: UnsafeBufferPointer<UInt8>) -> Result<EntityUID, EntityJSONError>? {
        let count = bytes.count
        var i = 0
        while true {
            guard i < count, isIdentifierStart(bytes[i]) else { return nil }
            i += 1
            while i < count, isIdentifierStart(bytes[i]) || (bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")) { i += 1 }
            guard i + 1 < count, bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: ":") else { return nil }
            i += 2
            if i < count, bytes[i] == UInt8(ascii: "\"") { break }
        }
        let type = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<(i - 2)]), as: UTF8.self)
        i += 1
        let idStart = i
        while i < count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
        let id: String
        if i < count, bytes[i] == UInt8(ascii: "\"") {
            id = String(decoding: UnsafeBufferPointer(rebasing: bytes[idStart..<i]), as: UTF8.self)
        } else {
            // Escapes: \n \t \r \0, any other escaped character stands for itself.
            var decoded = Array(UnsafeBufferPointer(rebasing: bytes[idStart..<i]))
            while i < count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") {
                    i += 1
                    guard i < count else { break }
                    switch bytes[i] {
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "0"): decoded.append(0x00)
                    default: decoded.append(bytes[i])
                    }
                } else {
                    decoded.append(bytes[i])
                }
                i += 1
            }
            id = String(decoding: decoded, as: UTF8.self)
        }
        guard i == count - 1, bytes[i] == UInt8(ascii: "\"") else {
            return .failure(EntityJSONError(""))
        }
        return .success(EntityUID(type: type, id: id))
    }

    @inline(__always)
    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}

public struct EntityJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
