import PolicyLang

/// Writes entities in Cedar's JSON entities format (the inverse of `CedarJSON`), with the
/// `__entity` and `__extn` escapes, for `arbiter graph export`.
public enum EntityJSONWriter {
    public static func entity(_ entity: Entity) -> String {
        var out = "{\"uid\":" + uid(entity.uid) + ",\"attrs\":{"
        out += entity.attributes.keys.sorted().map { quote($0) + ":" + value(entity.attributes[$0]!) }.joined(separator: ",")
        out += "},\"parents\":[" + entity.parents.map(uid).joined(separator: ",") + "]}"
        return out
    }

    static func uid(_ uid: EntityUID) -> String {
        "{\"type\":\(quote(uid.type)),\"id\":\(quote(uid.id))}"
    }

    static func value(_ value: Value) -> String {
        switch value {
        case .bool(let b): return b ? "true" : "false"
        case .long(let n): return String(n)
        case .string(let s): return quote(s)
        case .entity(let e): return "{\"__entity\":" + uid(e) + "}"
        case .set(let elements): return "[" + elements.map(Self.value).sorted().joined(separator: ",") + "]"
        case .record(let fields):
            return "{" + fields.keys.sorted().map { quote($0) + ":" + Self.value(fields[$0]!) }.joined(separator: ",") + "}"
        case .ipaddr(let ip): return "{\"__extn\":{\"fn\":\"ip\",\"arg\":\(quote(ip.description))}}"
        case .decimal(let d): return "{\"__extn\":{\"fn\":\"decimal\",\"arg\":\(quote(d.description))}}"
        }
    }

    static func quote(_ text: String) -> String { JSONString.quote(text) }
}
