import PolicyLang

/// The outcome of one `kind: test` case.
public struct PolicyTestResult: Sendable, Equatable {
    public var suite: String
    public var name: String
    public var location: SourceLocation
    public var expected: TestCase.Decision
    public var expectedReasons: [String]?
    public var actual: Decision
    /// Set when the suite's entities could not be loaded; the case then fails.
    public var setupError: String?

    public var passed: Bool {
        guard setupError == nil else { return false }
        guard actual.decision.rawValue == expected.rawValue else { return false }
        if let expectedReasons { return expectedReasons.sorted() == actual.reasons.sorted() }
        return true
    }

    /// What differs, one `- expected / + actual` pair per line, for the failure report.
    public var diff: [String] {
        if let setupError { return ["suite setup failed: \(setupError)"] }
        var lines: [String] = []
        if actual.decision.rawValue != expected.rawValue {
            lines.append("- decision: \(expected.rawValue)")
            lines.append("+ decision: \(actual.decision.rawValue)")
        }
        if let expectedReasons, expectedReasons.sorted() != actual.reasons.sorted() {
            lines.append("- reasons: [\(expectedReasons.sorted().joined(separator: ", "))]")
            lines.append("+ reasons: [\(actual.reasons.sorted().joined(separator: ", "))]")
        }
        for error in actual.errors {
            lines.append("  error in rule \(error.ruleID): \(error.message)")
        }
        return lines
    }
}

/// Runs the `kind: test` documents of a policy set against its compiled bundle, in
/// complete mode so that expected reasons can be compared with every determining rule.
public enum PolicyTestRunner {
    public static func run(_ suites: [TestSuite], bundle: PolicyBundle) -> [PolicyTestResult] {
        let authorizer = Authorizer(bundle: bundle)
        var results: [PolicyTestResult] = []
        for suite in suites {
            let entities: InMemoryEntities
            var setupError: String?
            do throws(EntityJSONError) {
                var list: [Entity] = []
                for record in suite.entities { list.append(try Entity(record: record)) }
                entities = try InMemoryEntities(list)
            } catch {
                entities = InMemoryEntities()
                setupError = error.message
            }
            for testCase in suite.cases {
                var context: [String: Value] = [:]
                var caseError = setupError
                for (key, literal) in testCase.context {
                    do throws(EntityJSONError) {
                        context[key] = try Value(literal: literal)
                    } catch {
                        caseError = "context.\(key): \(error.message)"
                    }
                }
                let request = Request(
                    principal: testCase.principal, action: testCase.action, resource: testCase.resource, context: context)
                let decision = authorizer.authorize(request, entities: entities, mode: .complete)
                results.append(PolicyTestResult(
                    suite: suite.id, name: testCase.name, location: testCase.location, expected: testCase.expect,
                    expectedReasons: testCase.reasons, actual: decision, setupError: caseError))
            }
        }
        return results
    }
}
