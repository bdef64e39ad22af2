import PolicyLang
import Testing

/// Name resolution and the compiler's error reporting.
@Suite struct CompilerStageTests {
    func errors(_ rules: [Rule]) -> [CompileError] {
        do {
            _ = try PolicyCompiler.compile(rules: rules)
            return []
        } catch {
            return error.errors
        }
    }

    @Test func unknownFunctionsAndMethodsWithHints() {
        let found = errors([
            CAST.rule("a", when: Expr(.call("ipaddr", [CAST.string("1.2.3.4")]), at: CAST.at(4, 9))),
            CAST.rule("b", when: Expr(.method(CAST.context, "startsWith", [CAST.string("x")]), at: CAST.at(7, 11))),
            CAST.rule("c", when: CAST.call("ip")),
            CAST.rule("d", when: CAST.method(CAST.context, "isInRange")),
            CAST.rule("e", when: CAST.method(CAST.context, "contains", CAST.long(1), CAST.long(2))),
        ])
        #expect(found.count == 5, "every error in one run: \(found)")
        #expect(found[0].message == "unknown function `ipaddr`" && found[0].location == CAST.at(4, 9))
        #expect(found[0].hint?.contains("`ip()`") == true && found[0].ruleID == "a")
        #expect(found[1].message == "unknown method `.startsWith()`" && found[1].location == CAST.at(7, 11))
        #expect(found[1].hint?.contains("`.isInRange()`") == true)
        #expect(found[2].message.contains("takes 1 argument, got 0"))
        #expect(found[3].message.contains("takes 1 argument, got 0"))
        #expect(found[4].message.contains("takes 1 argument, got 2"))
    }

    @Test func duplicateAndEmptyRuleIDs() {
        let found = errors([CAST.rule("x", line: 2), CAST.rule("x", line: 9), CAST.rule("", line: 12)])
        #expect(found.map(\.message) == ["duplicate rule id \"x\"", "rule id is empty"])
        #expect(found[0].location.line == 9)
        #expect(found[0].hint == "the first rule with this id is at compiler.yaml:2:3")
    }

    @Test func duplicateRecordFields() {
        let found = errors([CAST.rule("r", when: CAST.eq(CAST.record(("a", CAST.long(1)), ("a", CAST.long(2))), CAST.context))])
        #expect(found.map(\.message) == ["duplicate record field \"a\""])
    }

    @Test func nestingIsBounded() {
        var deep = CAST.bool(true)
        for _ in 0..<(NameResolution.maxDepth + 10) { deep = CAST.not(deep) }
        let found = errors([CAST.rule("r", when: deep)])
        #expect(found.count == 1 && found[0].message.contains("nested more than"))
    }

    @Test func containsSpelledAsMethodBecomesTheOperator() {
        var errors: [CompileError] = []
        let resolved = NameResolution.resolve(CAST.method(CAST.context, "containsAll", CAST.set()), rule: "r", errors: &errors)
        #expect(errors.isEmpty)
        #expect(resolved.kind == .binary(.containsAll, CAST.context, CAST.set()))
    }

    /// The VM reinterprets a verified opcode byte as `Opcode` directly; that is sound
    /// only while raw values are the declaration indices.
    @Test func opcodeRawValuesAreTheirIndices() {
        #expect(Opcode.allCases.enumerated().allSatisfy { Int($0.element.rawValue) == $0.offset })
        #expect(MemoryLayout<Opcode>.size == 1)
    }

    @Test func symbolsAreInternedOnceByBytes() throws {
        let bundle = try PolicyCompiler.compile(rules: [
            CAST.rule("a", when: CAST.eq(CAST.attr(CAST.principal, "name"), CAST.string("name"))),
            CAST.rule("b", when: CAST.eq(CAST.string("\u{E9}"), CAST.attr(CAST.context, "e\u{301}"))),
        ])
        #expect(bundle.symbols.strings.filter { $0 == "name" }.count == 1)
        // Canonically equivalent but byte-different strings stay distinct, as in Cedar.
        #expect(bundle.symbols.id(of: "\u{E9}") != bundle.symbols.id(of: "e\u{301}"))
    }
}
