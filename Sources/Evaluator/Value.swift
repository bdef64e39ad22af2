import PolicyLang

/// A Cedar value. Sets and records are Swift collections (copy-on-write, so passing one
/// around does not copy it); strings compare by bytes, as in Cedar (see `CedarString`).
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case long(Int64)
    case string(String)
    case entity(EntityUID)
    /// Cedar sets are unordered and hold no duplicates, exactly what `Set` is.
    case set(Set<Value>)
    case record([String: Value])
    case ipaddr(IPAddress)
    case decimal(CedarDecimal)

    /// The type name used in error messages.
    public var typeName: String {
        switch self {
        case .bool: "bool"
        case .long: "long"
        case .string: "string"
        case .entity: "entity"
        case .set: "set"
        case .record: "record"
        case .ipaddr: "ipaddr"
        case .decimal: "decimal"
        }
    }

    /// Cedar's `==`: structural; values of different types are unequal, never an error.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case let (.bool(a), .bool(b)): a == b
        case let (.long(a), .long(b)): a == b
        case let (.string(a), .string(b)): CedarString.equal(a, b)
        case let (.entity(a), .entity(b)): Value.sameEntity(a, b)
        case let (.set(a), .set(b)): a == b
        case let (.record(a), .record(b)): Value.sameRecord(a, b)
        case let (.ipaddr(a), .ipaddr(b)): a == b
        case let (.decimal(a), .decimal(b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let b): hasher.combine(0 as UInt8); hasher.combine(b)
        case .long(let n): hasher.combine(1 as UInt8); hasher.combine(n)
        case .string(let s): hasher.combine(2 as UInt8); CedarString.hash(s, into: &hasher)
        case .entity(let uid):
            hasher.combine(3 as UInt8)
            CedarString.hash(uid.type, into: &hasher)
            CedarString.hash(uid.id, into: &hasher)
        case .set(let s): hasher.combine(4 as UInt8); hasher.combine(s)
        case .record(let r): hasher.combine(5 as UInt8); hasher.combine(r)
        case .ipaddr(let ip): hasher.combine(6 as UInt8); hasher.combine(ip)
        case .decimal(let d): hasher.combine(7 as UInt8); hasher.combine(d)
        }
    }

    @inline(__always)
    static func sameEntity(_ a: EntityUID, _ b: EntityUID) -> Bool {
        CedarString.equal(a.id, b.id) && CedarString.equal(a.type, b.type)
    }

    /// Records are Swift dictionaries, whose `String` keys match by canonical equivalence;
    /// Cedar's keys match by bytes, so `{"café": 1}` and `{"cafe\u{301}": 1}` differ.
    static func sameRecord(_ a: [String: Value], _ b: [String: Value]) -> Bool {
        guard a.count == b.count else { return false }
        for (key, value) in a {
            guard let i = b.index(forKey: key) else { return false }
            let entry = b[i]
            guard CedarString.equal(entry.key, key), entry.value == value else { return false }
        }
        return true
    }

    /// A record's field by Cedar's rule (the key's bytes), not Swift's canonical
    /// equivalence.
    @inline(__always)
    static func field(_ name: String, of record: [String: Value]) -> Value? {
        guard let i = record.index(forKey: name) else { return nil }
        let entry = record[i]
        return CedarString.equal(entry.key, name) ? entry.value : nil
    }

    /// Cedar-like rendering, for messages and traces.
    public var description: String {
        switch self {
        case .bool(let b): return String(b)
        case .long(let n): return String(n)
        case .string(let s):
            var quoted = "\""
            for c in s.unicodeScalars {
                if c == "\"" || c == "\\" { quoted += "\\" }
                quoted.unicodeScalars.append(c)
            }
            return quoted + "\""
        case .entity(let uid): return uid.description
        case .set(let s): return "[" + s.map(\.description).sorted().joined(separator: ", ") + "]"
        case .record(let r):
            return "{" + r.keys.sorted().map { "\"\($0)\": \(r[$0]!.description)" }.joined(separator: ", ") + "}"
        case .ipaddr(let ip): return "ip(\"\(ip)\")"
        case .decimal(let d): return "decimal(\"\(d)\")"
        }
    }
}
