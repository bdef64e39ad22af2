/// Attribute values, entity references and entity lists in Cedar's JSON entities format,
/// written either as YAML or as JSON (which libyaml reads as YAML, keeping positions).
extension DocumentReader {
    mutating func readValue(_ node: YAMLNode, _ what: String) -> LiteralValue? {
        switch node {
        case .scalar(let text, let quoted, let at):
            if quoted { return .string(text) }
            if node.isNull {
                error("\(what) is null; Cedar has no null", at: at, hint: "leave the attribute out instead")
                return nil
            }
            if let bool = node.boolValue { return .bool(bool) }
            if let long = Int64(text) { return .long(long) }
            if looksNumeric(text) {
                error("\(what) '\(text)' is not a 64-bit integer", at: at,
                    hint: #"Cedar numbers are 64-bit integers; for fractions use {__extn: {fn: decimal, arg: "1.5"}}"#)
                return nil
            }
            return .string(text)
        case .sequence(let items, _):
            var values: [LiteralValue] = []
            var ok = true
            for item in items {
                if let value = readValue(item, "an element of \(what)") { values.append(value) } else { ok = false }
            }
            return ok ? .set(values) : nil
        case .mapping(let pairs, let at):
            if pairs.count == 1, let key = pairs[0].key.scalarText, key == "__entity" || key == "__extn" {
                if key == "__entity" {
                    return readEntityUID(pairs[0].value, what).map { .entity($0) }
                }
                guard let fields = mapping(pairs[0].value, "__extn") else { return nil }
                checkKeys(fields, allowed: ["fn", "arg"], in: "__extn")
                guard let fnNode = pairs[0].value["fn"], let argNode = pairs[0].value["arg"] else {
                    error("__extn needs fn and arg", at: at, hint: #"write {__extn: {fn: ip, arg: "10.0.0.1"}}"#)
                    return nil
                }
                guard let fn = string(fnNode, "fn"), let arg = string(argNode, "arg") else { return nil }
                guard CedarExtensions.functions[fn] != nil else {
                    error("unknown extension function '\(fn)'", at: fnNode.location, hint: "fn is ip or decimal")
                    return nil
                }
                return .extension(function: fn, argument: arg)
            }
            var record: [String: LiteralValue] = [:]
            var ok = true
            for pair in pairs {
                guard let key = pair.key.scalarText else {
                    error("record keys must be text", at: pair.key.location)
                    ok = false
                    continue
                }
                if let value = readValue(pair.value, "attribute '\(key)'") { record[key] = value } else { ok = false }
            }
            return ok ? .record(record) : nil
        }
    }

    private func looksNumeric(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first else { return false }
        return ("0"..."9").contains(first) || ((first == "-" || first == "+" || first == ".") && text.count > 1
            && text.unicodeScalars.dropFirst().allSatisfy { ("0"..."9").contains($0) || $0 == "." || $0 == "e" })
    }

    /// `'User::"alice"'`, `{type: User, id: alice}` or `{__entity: {type: User, id: alice}}`.
    mutating func readEntityUID(_ node: YAMLNode, _ what: String) -> EntityUID? {
        switch node {
        case .scalar(let text, _, _) where !node.isNull:
            do {
                return try ScopeParser.entityUID(text, map: sourceMap(for: node))
            } catch {
                diagnostics.append(error)
                return nil
            }
        case .mapping(let pairs, let at):
            if pairs.count == 1, pairs[0].key.scalarText == "__entity" {
                return readEntityUID(pairs[0].value, what)
            }
            checkKeys(pairs, allowed: ["type", "id"], in: "an entity reference")
            guard let typeNode = node["type"], let idNode = node["id"] else {
                error("\(what) needs both type and id", at: at, hint: #"write {type: User, id: alice} or 'User::"alice"'"#)
                return nil
            }
            guard let type = nonEmptyString(typeNode, "type"), let id = string(idNode, "id") else { return nil }
            do {
                _ = try ScopeParser.typeName(type, map: sourceMap(for: typeNode))
            } catch {
                diagnostics.append(error)
                return nil
            }
            return EntityUID(type: type, id: id)
        default:
            error(#"\#(what) must be an entity reference such as 'User::"alice"' or {type: User, id: alice}"#,
                at: node.location)
            return nil
        }
    }

    static let entityKeys = ["uid", "attrs", "parents"]

    /// A list of entities in Cedar's JSON entities format.
    mutating func readEntities(_ node: YAMLNode) -> [EntityRecord]? {
        guard let items = sequence(node, "entities", hint: "write one '- uid: …' entry per entity") else { return nil }
        var entities: [EntityRecord] = []
        var ok = true
        for item in items {
            guard let pairs = mapping(item, "an entity") else { ok = false; continue }
            let before = diagnostics.count
            checkKeys(pairs, allowed: Self.entityKeys, in: "an entity")
            guard let uidNode = item["uid"] else {
                error("entity has no uid", at: item.location, hint: #"add uid: 'User::"alice"'"#)
                ok = false
                continue
            }
            let uid = readEntityUID(uidNode, "uid")
            var attributes: [String: LiteralValue] = [:]
            if let attrsNode = item["attrs"], !attrsNode.isNull {
                if case .record(let record)? = readValue(attrsNode, "attrs") {
                    attributes = record
                } else if attrsNode.mappingPairs == nil {
                    error("attrs must be a mapping", at: attrsNode.location)
                }
            }
            var parents: [EntityUID] = []
            if let parentsNode = item["parents"], !parentsNode.isNull, let list = sequence(parentsNode, "parents") {
                for parent in list {
                    if let uid = readEntityUID(parent, "a parent") { parents.append(uid) }
                }
            }
            if let uid, diagnostics.count == before {
                entities.append(EntityRecord(uid: uid, attributes: attributes, parents: parents, location: item.location))
            } else {
                ok = false
            }
        }
        return ok ? entities : nil
    }
}
