/// `kind: test` documents: entities (inline or from a Cedar entities JSON file) and cases.
extension DocumentReader {
    static let testKeys = ["kind", "id", "entities", "entitiesFile", "cases"]
    static let caseKeys = ["name", "principal", "action", "resource", "context", "expect", "reasons"]

    mutating func readTest(_ node: YAMLNode, _ pairs: [YAMLPair]) -> Document? {
        let before = diagnostics.count
        checkKeys(pairs, allowed: Self.testKeys, in: "a test document")
        var id: String?
        if let idNode = node["id"] {
            id = nonEmptyString(idNode, "the test id")
        } else {
            error("test document has no 'id'", at: node.location, hint: "add id: <name> to name the suite")
        }

        var entities: [EntityRecord] = []
        if let entitiesNode = node["entities"], !entitiesNode.isNull {
            entities = readEntities(entitiesNode) ?? []
        }
        var entitiesFile: String?
        if let fileNode = node["entitiesFile"], let path = nonEmptyString(fileNode, "entitiesFile") {
            switch resolve(path) {
            case .failure(let problem):
                error(problem.message, at: fileNode.location, hint: problem.hint)
            case .success(let (name, text)):
                entitiesFile = name
                entities += readEntitiesFile(name: name, text: text)
            }
        }
        var seenEntities: [EntityUID: SourceLocation] = [:]
        for entity in entities {
            if let first = seenEntities[entity.uid] {
                error("entity \(entity.uid) is defined twice", at: entity.location, hint: "first defined at \(first)")
            } else {
                seenEntities[entity.uid] = entity.location
            }
        }

        var cases: [TestCase] = []
        var reasonRefs: [(String, SourceLocation)] = []
        if let casesNode = node["cases"] {
            if let items = sequence(casesNode, "cases", hint: "write one '- name: …' entry per case") {
                var names: [String: SourceLocation] = [:]
                for item in items {
                    guard let testCase = readCase(item, &reasonRefs) else { continue }
                    if let first = names[testCase.name] {
                        error("two cases are named '\(testCase.name)'", at: testCase.location,
                            hint: "the first is at line \(first.line); names identify failures")
                    }
                    names[testCase.name] = testCase.location
                    cases.append(testCase)
                }
            }
        } else {
            error("test document has no 'cases'", at: node.location, hint: "add cases: with '- name: …' entries")
        }
        guard let id, diagnostics.count == before else { return .test(nil, reasonRefs: reasonRefs) }
        let suite = TestSuite(id: id, entities: entities, entitiesFile: entitiesFile, cases: cases, location: node.location)
        return .test(suite, reasonRefs: reasonRefs)
    }

    /// Entities JSON is valid YAML flow syntax, so reading it with the same loader gives
    /// its errors line and column for free.
    mutating func readEntitiesFile(name: String, text: String) -> [EntityRecord] {
        let documents: [YAMLNode]
        do {
            documents = try YAMLLoader.load(text, file: name, limits: limits.entitiesYAMLLimits)
        } catch let error as YAMLError {
            self.error("\(name) is not a valid entities file: \(error.message)", at: error.location, hint: error.hint)
            return []
        } catch {
            self.error("\(name) is not a valid entities file", at: SourceLocation(file: name, line: 1, column: 1))
            return []
        }
        guard documents.count == 1, let root = documents.first else {
            error("entities file holds \(documents.count) documents", at: SourceLocation(file: name, line: 1, column: 1),
                hint: "it must be one JSON array of entities")
            return []
        }
        var fileReader = DocumentReader(file: name, text: text, limits: limits, resolve: resolve)
        let entities = fileReader.readEntities(root) ?? []
        diagnostics += fileReader.diagnostics
        return entities
    }

    mutating func readCase(_ node: YAMLNode, _ reasonRefs: inout [(String, SourceLocation)]) -> TestCase? {
        guard let pairs = mapping(node, "a test case") else { return nil }
        let before = diagnostics.count
        checkKeys(pairs, allowed: Self.caseKeys, in: "a test case")
        func required(_ key: String, _ reader: inout DocumentReader) -> YAMLNode? {
            if let value = node[key] { return value }
            reader.error("test case has no '\(key)'", at: node.location)
            return nil
        }
        let name = required("name", &self).flatMap { nonEmptyString($0, "name") }
        let principal = required("principal", &self).flatMap { readEntityUID($0, "principal") }
        let resource = required("resource", &self).flatMap { readEntityUID($0, "resource") }
        var action: EntityUID?
        if let actionNode = required("action", &self) {
            if let text = actionNode.scalarText, !text.contains("::") {
                action = EntityUID(type: Schema.actionType, id: text)
            } else {
                action = readEntityUID(actionNode, "action")
            }
        }
        var context: [String: LiteralValue] = [:]
        if let contextNode = node["context"], !contextNode.isNull {
            if contextNode.mappingPairs == nil {
                error("context must be a mapping", at: contextNode.location)
            } else if case .record(let record)? = readValue(contextNode, "context") {
                context = record
            }
        }
        var expect: TestCase.Decision?
        if let expectNode = required("expect", &self), let text = string(expectNode, "expect") {
            expect = TestCase.Decision(rawValue: text)
            if expect == nil {
                error("expect must be allow or deny, found '\(text)'", at: expectNode.location)
            }
        }
        var reasons: [String]?
        if let reasonsNode = node["reasons"], let list = stringList(reasonsNode, "reasons") {
            reasons = list.map(\.0)
            reasonRefs += list
        }
        guard diagnostics.count == before, let name, let principal, let action, let resource, let expect else {
            return nil
        }
        return TestCase(
            name: name, principal: principal, action: action, resource: resource, context: context, expect: expect,
            reasons: reasons, location: node.location)
    }
}
