import Foundation

/// Reads a policy set (DESIGN §3.1) from a folder or from uploaded files. Never throws:
/// everything wrong, from unreadable files to duplicate rule ids, becomes a diagnostic, and
/// as many as possible are reported in one run. When the set has a schema, the rules are
/// type-checked against it too.
public enum PolicySetLoader {
    /// Every `*.yaml` / `*.yml` directly in `directory`, in name order. Diagnostics name
    /// files as `directory/name`.
    public static func load(
        directory: String, limits: PolicyLimits = PolicyLimits(), typeCheck: Bool = true
    ) -> (policySet: PolicySet, diagnostics: [Diagnostic]) {
        let folder = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            return (PolicySet(), [.error(
                "cannot read the policy folder", at: SourceLocation(file: folder, line: 1, column: 1),
                hint: "check that the path exists and is a readable directory")])
        }
        var inputs: [(String, Result<String, Diagnostic.Message>)] = []
        var diagnostics: [Diagnostic] = []
        var total = 0
        for name in names.sorted() where isYAML(name) {
            let path = folder + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            guard inputs.count < limits.maxFiles else {
                diagnostics.append(.error(
                    "more than \(limits.maxFiles) policy files", at: SourceLocation(file: path, line: 1, column: 1),
                    hint: "the remaining files were not read"))
                break
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if size > limits.maxFileBytes {
                inputs.append((path, .failure(.init(
                    "file is \(size) bytes; the limit is \(limits.maxFileBytes)", hint: "split it into several files"))))
                continue
            }
            total += size
            if total > limits.maxTotalBytes {
                diagnostics.append(.error(
                    "policy files exceed \(limits.maxTotalBytes) bytes in total",
                    at: SourceLocation(file: path, line: 1, column: 1), hint: "the remaining files were not read"))
                break
            }
            inputs.append((path, readText(path)))
        }
        let resolve: DocumentReader.FileResolver = { relative in
            let path = relative.hasPrefix("/") ? relative : folder + "/" + relative
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if size > limits.maxEntitiesFileBytes {
                return .failure(.init("\(relative) is \(size) bytes; the limit is \(limits.maxEntitiesFileBytes)"))
            }
            return readText(path).map { (path, $0) }
        }
        var (set, more) = load(inputs, limits: limits, typeCheck: typeCheck, resolve: resolve)
        set.files = inputs.map(\.0)
        return (set, diagnostics + more)
    }

    /// Uploaded files, name → content. YAML files are read in name order; other files are
    /// there only for `entitiesFile:` to refer to, by the same name.
    public static func load(
        files: [String: String], limits: PolicyLimits = PolicyLimits(), typeCheck: Bool = true
    ) -> (policySet: PolicySet, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var inputs: [(String, Result<String, Diagnostic.Message>)] = []
        var total = 0
        for (name, text) in files.sorted(by: { $0.key < $1.key }) where isYAML(name) {
            guard inputs.count < limits.maxFiles else {
                diagnostics.append(.error(
                    "more than \(limits.maxFiles) policy files", at: SourceLocation(file: name, line: 1, column: 1)))
                break
            }
            total += text.utf8.count
            guard total <= limits.maxTotalBytes else {
                diagnostics.append(.error(
                    "policy files exceed \(limits.maxTotalBytes) bytes in total",
                    at: SourceLocation(file: name, line: 1, column: 1)))
                break
            }
            inputs.append((name, .success(text)))
        }
        let resolve: DocumentReader.FileResolver = { relative in
            guard let text = files[relative] else {
                return .failure(.init("no uploaded file named '\(relative)'", hint: "upload the entities file too"))
            }
            guard text.utf8.count <= limits.maxEntitiesFileBytes else {
                return .failure(.init("\(relative) is larger than \(limits.maxEntitiesFileBytes) bytes"))
            }
            return .success((relative, text))
        }
        var (set, more) = load(inputs, limits: limits, typeCheck: typeCheck, resolve: resolve)
        set.files = inputs.map(\.0)
        return (set, diagnostics + more)
    }

    static func isYAML(_ name: String) -> Bool {
        (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !name.hasPrefix(".")
    }

    static func readText(_ path: String) -> Result<String, Diagnostic.Message> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(.init("cannot read \(path)", hint: "check that it exists and is readable"))
        }
        guard let text = String(validatingUTF8Data: data) else {
            return .failure(.init("file is not UTF-8 text", hint: "policy files are YAML, which is UTF-8 text"))
        }
        return .success(text)
    }

    static func load(
        _ inputs: [(String, Result<String, Diagnostic.Message>)], limits: PolicyLimits, typeCheck: Bool,
        resolve: @escaping DocumentReader.FileResolver
    ) -> (PolicySet, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var set = PolicySet()
        var schemas: [Schema] = []
        var ruleIDs: [String: SourceLocation] = [:]
        var policyIDs: [String: SourceLocation] = [:]
        var testIDs: [String: SourceLocation] = [:]
        var reasonRefs: [(String, SourceLocation)] = []
        for (file, content) in inputs {
            let text: String
            switch content {
            case .failure(let problem):
                diagnostics.append(.error(
                    problem.message, at: SourceLocation(file: file, line: 1, column: 1), hint: problem.hint))
                continue
            case .success(let t):
                text = t
            }
            let documents: [YAMLNode]
            do {
                documents = try YAMLLoader.load(text, file: file, limits: limits.yamlLimits)
            } catch let error as YAMLError {
                diagnostics.append(.error(error.message, at: error.location, hint: error.hint))
                continue
            } catch {
                diagnostics.append(.error("cannot read YAML", at: SourceLocation(file: file, line: 1, column: 1)))
                continue
            }
            var reader = DocumentReader(file: file, text: text, limits: limits, resolve: resolve)
            for node in documents {
                switch reader.read(node) {
                case .policy(let document, let rules, let sources, let seen)?:
                    if let first = policyIDs[document.id] {
                        reader.error("policy id '\(document.id)' is used twice", at: document.location,
                            hint: "the first is at \(first)")
                    }
                    policyIDs[document.id] = policyIDs[document.id] ?? document.location
                    for (id, at) in seen {
                        if let first = ruleIDs[id] {
                            reader.error("duplicate rule id '\(id)'", at: at,
                                hint: "rule ids are unique across the whole policy set; the first is at \(first)")
                        } else {
                            ruleIDs[id] = at
                        }
                    }
                    for (rule, source) in zip(rules, sources) where ruleIDs[rule.id] == source.fields["id"] {
                        set.rules.append(rule)
                        set.ruleSources[rule.id] = source
                    }
                    set.policies.append(document)
                case .schema(let schema)?:
                    schemas.append(schema)
                case .test(let suite, let refs)?:
                    reasonRefs += refs
                    guard let suite else { break }
                    if let first = testIDs[suite.id] {
                        reader.error("test id '\(suite.id)' is used twice", at: suite.location,
                            hint: "the first is at \(first)")
                    }
                    testIDs[suite.id] = testIDs[suite.id] ?? suite.location
                    set.tests.append(suite)
                case nil:
                    break
                }
            }
            diagnostics += reader.diagnostics
        }
        if set.rules.count > limits.maxRules, let first = set.rules.first {
            diagnostics.append(.error(
                "\(set.rules.count) rules; the limit is \(limits.maxRules)", at: first.location))
        }
        for (id, at) in reasonRefs where ruleIDs[id] == nil {
            diagnostics.append(.error("reason '\(id)' is not a rule id of this policy set", at: at,
                hint: "reasons list the ids of the rules expected to determine the decision"))
        }
        if !schemas.isEmpty {
            let (schema, problems) = SchemaValidator.merge(schemas)
            set.schema = schema
            diagnostics += problems
            if typeCheck, !problems.hasErrors {
                diagnostics += TypeChecker(schema: schema).check(set)
            }
        }
        return (set, diagnostics)
    }
}

extension String {
    init?(validatingUTF8Data data: Data) {
        guard let text = String(data: data, encoding: .utf8) else { return nil }
        self = text
    }
}
