import PolicyLang

/// Test documents keep attribute and context values as written (`LiteralValue`); the
/// evaluator needs its own `Value`s. Extension escapes are parsed here, so a bad
/// `ip`/`decimal` literal in a test file is reported against that file.
extension Value {
    public init(literal: LiteralValue) throws(EntityJSONError) {
        switch literal {
        case .bool(let b): self = .bool(b)
        case .long(let n): self = .long(n)
        case .string(let s): self = .string(s)
        case .entity(let uid): self = .entity(uid)
        case .set(let elements):
            var set = Set<Value>(minimumCapacity: elements.count)
            for element in elements { set.insert(try Value(literal: element)) }
            self = .set(set)
        case .record(let fields):
            var record: [String: Value] = [:]
            record.reserveCapacity(fields.count)
            for (key, value) in fields { record[key] = try Value(literal: value) }
            self = .record(record)
        case .extension(let function, let argument):
            switch function {
            case "ip", "ipaddr":
                switch IPAddress.parse(argument) {
                case .success(let ip): self = .ipaddr(ip)
                case .failure(let error): throw EntityJSONError(error.message)
                }
            case "decimal":
                switch CedarDecimal.parse(argument) {
                case .success(let d): self = .decimal(d)
                case .failure(let error): throw EntityJSONError(error.message)
                }
            default:
                throw EntityJSONError("unknown extension function \"\(function)\"")
            }
        }
    }
}

extension Entity {
    public init(record: EntityRecord) throws(EntityJSONError) {
        var attributes: [String: Value] = [:]
        for (name, literal) in record.attributes { attributes[name] = try Value(literal: literal) }
        self.init(uid: record.uid, attributes: attributes, parents: record.parents)
    }
}
