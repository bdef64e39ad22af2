/// `kind: policy` documents and their rules (DESIGN §3.1).
extension DocumentReader {
    static let policyKeys = ["kind", "id", "rules"]
    static let ruleKeys = ["id", "effect", "principal", "actions", "resource", "when", "unless", "annotations"]

    mutating func readPolicy(_ node: YAMLNode, _ pairs: [YAMLPair]) -> Document? {
        checkKeys(pairs, allowed: Self.policyKeys, in: "a policy document")
        var id: String?
        if let idNode = node["id"] {
            id = nonEmptyString(idNode, "the policy id")
        } else {
            error("policy document has no 'id'", at: node.location, hint: "add id: <name> to name the document")
        }
        var rules: [Rule] = []
        var sources: [RuleSource] = []
        var seen: [(String, SourceLocation)] = []
        if let rulesNode = node["rules"] {
            if !rulesNode.isNull, let items = sequence(rulesNode, "rules", hint: "write one '- id: …' entry per rule") {
                for item in items {
                    let (rule, source, ruleID) = readRule(item)
                    if let ruleID { seen.append(ruleID) }
                    if let rule, let source {
                        rules.append(rule)
                        sources.append(source)
                    }
                }
            }
        } else {
            error("policy document has no 'rules'", at: node.location, hint: "add rules: followed by '- id: …' entries")
        }
        guard let id else { return nil }
        let document = PolicyDocument(id: id, ruleIDs: rules.map(\.id), location: node.location)
        return .policy(document, rules: rules, sources: sources, seenRuleIDs: seen)
    }

    /// The rule when it is entirely valid, and its id (for duplicate detection) as soon as
    /// the id itself is.
    mutating func readRule(_ node: YAMLNode) -> (Rule?, RuleSource?, (String, SourceLocation)?) {
        guard let pairs = mapping(node, "a rule") else { return (nil, nil, nil) }
        let before = diagnostics.count
        checkKeys(pairs, allowed: Self.ruleKeys, in: "a rule")
        var source = RuleSource()
        for pair in pairs {
            if let key = pair.key.scalarText { source.fields[key] = pair.value.location }
        }

        var id: String?
        if let idNode = node["id"] {
            id = nonEmptyString(idNode, "the rule id")
        } else {
            error("rule has no 'id'", at: node.location, hint: "every rule needs a unique id, e.g. id: owner-can-edit")
        }

        var effect: Rule.Effect?
        if let effectNode = node["effect"] {
            if let text = string(effectNode, "effect") {
                effect = Rule.Effect(rawValue: text)
                if effect == nil {
                    error("effect must be allow or deny, found '\(text)'", at: effectNode.location,
                        hint: "write effect: allow or effect: deny")
                }
            }
        } else {
            error("rule has no 'effect'", at: node.location, hint: "add effect: allow or effect: deny")
        }

        let principal = node["principal"].flatMap { readScope($0, "principal") } ?? .any
        let resource = node["resource"].flatMap { readScope($0, "resource") } ?? .any

        var actions: [String]?
        if let actionsNode = node["actions"], !actionsNode.isNull {
            if let list = stringList(actionsNode, "actions") {
                actions = []
                for (action, at) in list {
                    source.actions.append(at)
                    if action.contains("::") || action.contains("\"") {
                        error("action '\(action)' should be an action id", at: at,
                            hint: #"write the id alone: read means Action::"read""#)
                    }
                    actions?.append(action)
                }
            }
        }

        let when = node["when"].flatMap { readCondition($0, "when") }
        let unless = node["unless"].flatMap { readCondition($0, "unless") }

        var annotations: [String: String] = [:]
        if let annotationsNode = node["annotations"], let items = mapping(annotationsNode, "annotations") {
            for pair in items {
                if let key = pair.key.scalarText, let value = string(pair.value, "annotation '\(key)'") {
                    annotations[key] = value
                }
            }
        }

        let ruleID = id.map { ($0, node["id"]!.location) }
        guard diagnostics.count == before, let id, let effect else { return (nil, nil, ruleID) }
        let rule = Rule(
            id: id, effect: effect, principal: principal, actions: actions, resource: resource,
            when: when, unless: unless, annotations: annotations, location: node.location)
        return (rule, source, ruleID)
    }

    mutating func readScope(_ node: YAMLNode, _ field: String) -> Rule.Scope? {
        if node.isNull { return .any }
        guard let text = string(node, field) else { return nil }
        do {
            return try ScopeParser.scope(text, map: sourceMap(for: node))
        } catch {
            diagnostics.append(error)
            return nil
        }
    }

    mutating func readCondition(_ node: YAMLNode, _ field: String) -> Expr? {
        guard let text = string(node, field) else { return nil }
        do {
            return try ExpressionParser.parse(text, map: sourceMap(for: node), limits: limits)
        } catch {
            diagnostics.append(error)
            return nil
        }
    }
}
