/// Turns the YAML documents of one file into policy, schema and test documents, collecting
/// every problem instead of stopping at the first, so one `arbiter policy check` run shows
/// them all.
struct DocumentReader {
    enum Document {
        case policy(PolicyDocument, rules: [Rule], sources: [RuleSource], seenRuleIDs: [(String, SourceLocation)])
        case schema(Schema)
        /// The suite is nil when it has errors; its `reasons:` are still checked against the set.
        case test(TestSuite?, reasonRefs: [(String, SourceLocation)])
    }

    /// Reads a file that a document refers to (`entitiesFile:`): the name to report
    /// positions in and its text, or why it cannot be read.
    typealias FileResolver = @Sendable (_ relativePath: String) -> Result<(name: String, text: String), Diagnostic.Message>

    let file: String
    let limits: PolicyLimits
    let resolve: FileResolver
    private let source: [Unicode.Scalar]
    private let lineStarts: [Int]
    var diagnostics: [Diagnostic] = []

    init(file: String, text: String, limits: PolicyLimits, resolve: @escaping FileResolver) {
        self.file = file
        self.limits = limits
        self.resolve = resolve
        source = Array(text.unicodeScalars)
        var starts = [0]
        for (i, c) in source.enumerated() where c == "\n" { starts.append(i + 1) }
        lineStarts = starts
    }

    mutating func read(_ node: YAMLNode) -> Document? {
        if node.isNull { return nil }
        guard let pairs = mapping(node, "a document") else { return nil }
        guard let kindNode = node["kind"] else {
            error(
                "document has no 'kind'", at: node.location,
                hint: "start the document with kind: policy, kind: schema or kind: test")
            return nil
        }
        switch kindNode.scalarText {
        case "policy": return readPolicy(node, pairs)
        case "schema": return readSchema(node, pairs)
        case "test": return readTest(node, pairs)
        default:
            error(
                "unknown kind '\(kindNode.scalarText ?? kindNode.kindDescription)'", at: kindNode.location,
                hint: "kind is one of policy, schema, test")
            return nil
        }
    }

    // MARK: Diagnostics

    mutating func error(_ message: String, at location: SourceLocation, hint: String? = nil) {
        diagnostics.append(.error(message, at: location, hint: hint))
    }

    mutating func warning(_ message: String, at location: SourceLocation, hint: String? = nil) {
        diagnostics.append(.warning(message, at: location, hint: hint))
    }

    // MARK: Shapes

    mutating func mapping(_ node: YAMLNode, _ what: String) -> [YAMLPair]? {
        if let pairs = node.mappingPairs { return pairs }
        error("\(what) must be a mapping, found \(node.kindDescription)", at: node.location, hint: "write key: value pairs")
        return nil
    }

    mutating func sequence(_ node: YAMLNode, _ what: String, hint: String? = nil) -> [YAMLNode]? {
        if let items = node.sequenceItems { return items }
        error(
            "\(what) must be a list, found \(node.kindDescription)", at: node.location,
            hint: hint ?? "write [a, b] or one '- item' per line")
        return nil
    }

    /// A scalar's text (quoted or not); null, lists and mappings are errors.
    mutating func string(_ node: YAMLNode, _ what: String) -> String? {
        if case .scalar(let text, _, _) = node, !node.isNull { return text }
        error("\(what) must be text, found \(node.isNull ? "nothing" : node.kindDescription)", at: node.location)
        return nil
    }

    /// A non-empty identifier-like text for ids and names.
    mutating func nonEmptyString(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        if text.trimmingSpaces.isEmpty {
            error("\(what) is empty", at: node.location)
            return nil
        }
        return text
    }

    mutating func stringList(_ node: YAMLNode, _ what: String) -> [(String, SourceLocation)]? {
        guard let items = sequence(node, what) else { return nil }
        var out: [(String, SourceLocation)] = []
        var ok = true
        for item in items {
            if let text = nonEmptyString(item, "an entry of \(what)") { out.append((text, item.location)) } else { ok = false }
        }
        return ok ? out : nil
    }

    /// Reports keys outside `allowed`, suggesting the closest allowed key.
    mutating func checkKeys(_ pairs: [YAMLPair], allowed: [String], in what: String) {
        for pair in pairs {
            guard let key = pair.key.scalarText else {
                error("keys of \(what) must be text", at: pair.key.location)
                continue
            }
            if allowed.contains(key) { continue }
            let suggestion = allowed.min { editDistance(key, $0) < editDistance(key, $1) }
            let hint: String
            if let suggestion, editDistance(key, suggestion) <= max(2, key.count / 3) {
                hint = "did you mean '\(suggestion)'? \(what) allows: \(allowed.joined(separator: ", "))"
            } else {
                hint = "\(what) allows: \(allowed.joined(separator: ", "))"
            }
            error("unknown key '\(key)' in \(what)", at: pair.key.location, hint: hint)
        }
    }

    // MARK: Positions

    /// The file positions of a scalar's characters, for conditions and scope strings.
    func sourceMap(for node: YAMLNode) -> ExpressionSourceMap {
        guard case .scalar(let text, let quoted, let at) = node else {
            return .verbatim("", start: node.location)
        }
        return .scalar(text, start: at, source: source, lineStarts: lineStarts, quoted: quoted)
    }
}

extension Diagnostic {
    /// A diagnostic before it knows where it is.
    struct Message: Error, Sendable, Equatable {
        var message: String
        var hint: String?

        init(_ message: String, hint: String? = nil) {
            self.message = message
            self.hint = hint
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}

/// Levenshtein distance, for "did you mean" hints on short keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var row = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        row[0] = i
        for j in 1...b.count {
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &row)
    }
    return previous[b.count]
}
