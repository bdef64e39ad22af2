import PolicyLang
import Testing

/// Constant folding: what folds, and — as important — what must not.
@Suite struct CompilerFoldingTests {
    func fold(_ e: Expr) -> ExprKind { ConstantFolding.fold(e).kind }

    @Test func foldsPureLiteralOperations() {
        #expect(fold(CAST.binary(.add, CAST.long(2), CAST.long(3))) == .long(5))
        #expect(fold(CAST.binary(.multiply, CAST.long(-4), CAST.long(3))) == .long(-12))
        #expect(fold(CAST.binary(.less, CAST.long(2), CAST.long(3))) == .bool(true))
        #expect(fold(CAST.eq(CAST.string("a"), CAST.string("a"))) == .bool(true))
        #expect(fold(CAST.eq(CAST.long(1), CAST.string("1"))) == .bool(false))
        #expect(fold(CAST.binary(.notEqual, CAST.entity("U", "a"), CAST.entity("U", "b"))) == .bool(true))
        #expect(fold(CAST.not(CAST.bool(true))) == .bool(false))
        #expect(fold(CAST.neg(CAST.long(5))) == .long(-5))
        #expect(fold(CAST.like(CAST.string("hello"), [.literal("he"), .wildcard])) == .bool(true))
        #expect(fold(CAST.isType(CAST.entity("User", "a"), "User")) == .bool(true))
        #expect(fold(CAST.binary(.contains, CAST.set(CAST.long(1), CAST.long(2)), CAST.long(2))) == .bool(true))
        #expect(fold(CAST.ifThen(CAST.bool(false), CAST.long(1), CAST.long(2))) == .long(2))
        // Nested: (1 + 2) * 3 == 9
        #expect(fold(CAST.eq(CAST.binary(.multiply, CAST.binary(.add, CAST.long(1), CAST.long(2)), CAST.long(3)), CAST.long(9))) == .bool(true))
    }

    @Test func shortCircuitsOnlyWhereCedarDoes() {
        let unknown = CAST.attr(CAST.principal, "x")
        #expect(fold(CAST.and(CAST.bool(false), unknown)) == .bool(false))
        #expect(fold(CAST.or(CAST.bool(true), unknown)) == .bool(true))
        // `true && x` must still check that x is a bool at run time.
        #expect(fold(CAST.and(CAST.bool(true), unknown)) == .binary(.and, CAST.bool(true), unknown))
        #expect(fold(CAST.or(CAST.bool(false), unknown)) == .binary(.or, CAST.bool(false), unknown))
        #expect(fold(CAST.and(CAST.bool(true), CAST.bool(false))) == .bool(false))
    }

    @Test func leavesErrorsForEvaluation() {
        let overflow = CAST.binary(.add, CAST.long(.max), CAST.long(1))
        #expect(fold(overflow) == overflow.kind)
        let negMin = CAST.neg(CAST.long(.min))
        #expect(fold(negMin) == negMin.kind)
        let typeError = CAST.binary(.less, CAST.string("a"), CAST.long(1))
        #expect(fold(typeError) == typeError.kind)
        let badIf = CAST.ifThen(CAST.long(1), CAST.bool(true), CAST.bool(false))
        #expect(fold(badIf) == badIf.kind)
        // `[].contains(e)` is false only once `e` has been evaluated without error.
        let contains = CAST.binary(.contains, CAST.set(), CAST.attr(CAST.principal, "x"))
        #expect(fold(contains) == contains.kind)
        let notBool = CAST.not(CAST.long(1))
        #expect(fold(notBool) == notBool.kind)
    }

    @Test func literalContainersAndExtensionCallsBecomeOneConstant() throws {
        let bundle = try PolicyCompiler.compile(rules: [CAST.rule("r", when: CAST.and(
            CAST.binary(.contains, CAST.set(CAST.long(1), CAST.record(("a", CAST.string("x")))), CAST.attr(CAST.context, "v")),
            CAST.method(CAST.attr(CAST.context, "ip"), "isInRange", CAST.call("ip", CAST.string("10.0.0.0/8")))))])
        let constants = bundle.rules[0].chunk.constants
        #expect(constants.contains { if case .set(let e) = $0 { e.count == 2 } else { false } })
        #expect(constants.contains(.ipaddr(try IPAddress.parse("10.0.0.0/8").get())))
        // A literal that does not parse stays a call, to fail at evaluation as in Cedar.
        let bad = try PolicyCompiler.compile(rules: [CAST.rule("r", when: CAST.method(CAST.call("ip", CAST.string("nope")), "isIpv4"))])
        #expect(bad.disassemble(ruleID: "r")!.contains("callFunction ip"))
    }
}
