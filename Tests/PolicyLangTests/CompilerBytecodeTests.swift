import PolicyLang
import Testing

/// Golden bytecode: the exact instructions for a few representative rules, so a change
/// in emission is a visible diff, not a silent behaviour change.
@Suite struct CompilerBytecodeTests {
    /// The action list is not in the chunk: the dispatch index enforces it exactly.
    @Test func scopeAndConditions() throws {
        let rule = CAST.rule(
            "owner-can-edit", principal: .type("User"), actions: ["read", "write"], resource: .type("Document"),
            when: CAST.eq(CAST.attr(CAST.resource, "owner"), CAST.principal),
            unless: CAST.eq(CAST.attr(CAST.context, "risk"), CAST.string("compromised")))
        let bundle = try PolicyCompiler.compile(rules: [rule])
        #expect(bundle.disassemble(ruleID: "owner-can-edit") == """
            0000  loadPrincipal
            0001  isType User
            0004  requireScope
            0005  loadResource
            0006  isType Document
            0009  requireScope
            0010  loadResource
            0011  getAttribute owner
            0014  loadPrincipal
            0015  equal
            0016  requireWhen
            0017  loadContext
            0018  getAttribute risk
            0021  constant "compromised"
            0024  equal
            0025  requireUnless
            0026  accept
            """)
        #expect(bundle.rules[0].chunk.maxStackDepth == 2)
    }

    @Test func shortCircuitJumps() throws {
        let when = CAST.and(
            CAST.binary(.greaterOrEqual, CAST.attr(CAST.principal, "age"), CAST.long(18)),
            CAST.or(CAST.attr(CAST.context, "a"), CAST.not(CAST.attr(CAST.context, "b"))))
        let bundle = try PolicyCompiler.compile(rules: [CAST.rule("r", principal: .in(EntityUID(type: "Group", id: "eng")), when: when)])
        #expect(bundle.disassemble(ruleID: "r") == """
            0000  loadPrincipal
            0001  constant Group::"eng"
            0004  in
            0005  requireScope
            0006  loadPrincipal
            0007  getAttribute age
            0010  constant 18
            0013  greaterOrEqual
            0014  jumpIfFalseOrPop -> 0031
            0017  loadContext
            0018  getAttribute a
            0021  jumpIfTrueOrPop -> 0030
            0024  loadContext
            0025  getAttribute b
            0028  not
            0029  checkBool
            0030  checkBool
            0031  requireWhen
            0032  accept
            """)
    }

    @Test func ifThenElseAndRuntimeContainers() throws {
        let when = CAST.ifThen(
            CAST.attr(CAST.context, "flag"),
            CAST.binary(.contains, CAST.set(CAST.attr(CAST.principal, "name"), CAST.string("b")), CAST.string("b")),
            CAST.eq(CAST.record(("k", CAST.attr(CAST.context, "n"))), CAST.record(("k", CAST.long(1)))))
        let bundle = try PolicyCompiler.compile(rules: [CAST.rule("r", when: when)])
        #expect(bundle.disassemble(ruleID: "r") == """
            0000  loadContext
            0001  getAttribute flag
            0004  popJumpIfFalse -> 0024
            0007  loadPrincipal
            0008  getAttribute name
            0011  constant "b"
            0014  makeSet 2
            0017  constant "b"
            0020  contains
            0021  jump -> 0035
            0024  loadContext
            0025  getAttribute n
            0028  makeRecord {k}
            0031  constant {k: 1}
            0034  equal
            0035  requireWhen
            0036  accept
            """)
        #expect(bundle.rules[0].chunk.maxStackDepth == 2, "the two branches never stack up")
    }

    @Test func isInAndExtensions() throws {
        let when = CAST.and(
            CAST.isType(CAST.principal, "User", in: CAST.entity("Group", "g")),
            CAST.method(CAST.call("decimal", CAST.attr(CAST.context, "d")), "lessThan", CAST.call("decimal", CAST.string("1.5"))))
        let bundle = try PolicyCompiler.compile(rules: [CAST.rule("r", when: when)])
        #expect(bundle.disassemble(ruleID: "r") == """
            0000  loadPrincipal
            0001  isType User
            0004  jumpIfFalseOrPop -> 0012
            0007  loadPrincipal
            0008  constant Group::"g"
            0011  in
            0012  jumpIfFalseOrPop -> 0027
            0015  loadContext
            0016  getAttribute d
            0019  callFunction decimal
            0021  constant decimal("1.5000")
            0024  callMethod lessThan
            0026  checkBool
            0027  requireWhen
            0028  accept
            """)
    }

    @Test func instructionsCarryTheirSourceLocation() throws {
        let owner = Expr(.getAttribute(CAST.resource, "owner"), at: CAST.at(9, 17))
        let when = Expr(.binary(.equal, owner, CAST.principal), at: CAST.at(9, 11))
        let bundle = try PolicyCompiler.compile(rules: [CAST.rule("r", when: when, line: 8)])
        let chunk = bundle.rules[0].chunk
        // 0000 loadResource (from the resource variable), 0001 getAttribute owner, …
        #expect(chunk.location(at: 1) == CAST.at(9, 17))
        #expect(chunk.location(at: 4) == CAST.loc, "loadPrincipal comes from the principal variable")
        #expect(chunk.location(at: 5) == CAST.at(9, 11), "equal comes from the == expression")
        #expect(chunk.location(at: chunk.code.count - 1) == SourceLocation(file: "compiler.yaml", line: 8, column: 3))
    }
}
