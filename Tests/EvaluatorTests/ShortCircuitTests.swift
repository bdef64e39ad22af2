import Evaluator
import PolicyLang
import Testing

/// `&&`, `||` and `if` must not evaluate what Cedar does not evaluate: an error in the
/// skipped branch must not surface.
@Suite struct ShortCircuitTests {
    let ctx: [String: Value] = ["yes": .bool(true), "no": .bool(false), "one": .long(1)]
    /// Raises "does not have the attribute" whenever it is evaluated.
    let boom = Expr.principal["nope"].eq(.long(1))

    @Test func andSkipsRightWhenLeftFalse() throws {
        #expect(try truth(Expr.ctx("no").and(boom), context: ctx) == false)
        #expect(try errorMessage(Expr.ctx("yes").and(boom), context: ctx) != nil)
    }

    @Test func orSkipsRightWhenLeftTrue() throws {
        #expect(try truth(Expr.ctx("yes").or(boom), context: ctx) == true)
        #expect(try errorMessage(Expr.ctx("no").or(boom), context: ctx) != nil)
    }

    @Test func skippedNonBoolRightOperandIsNoError() throws {
        #expect(try truth(Expr.ctx("no").and(.ctx("one")), context: ctx) == false)
        #expect(try truth(Expr.ctx("yes").or(.ctx("one")), context: ctx) == true)
    }

    @Test func ifEvaluatesOnlyTheTakenBranch() throws {
        #expect(try truth(.ifThen(.ctx("yes"), .bool(true), boom), context: ctx) == true)
        #expect(try truth(.ifThen(.ctx("no"), boom, .bool(false)), context: ctx) == false)
        #expect(try errorMessage(.ifThen(.ctx("yes"), boom, .bool(false)), context: ctx) != nil)
    }

    @Test func nestedChains() throws {
        let chain = Expr.ctx("no").or(.ctx("no")).or(.ctx("yes").and(.ctx("yes"))).and(.ctx("no").or(.ctx("yes")))
        #expect(try truth(chain, context: ctx) == true)
        #expect(try truth(Expr.ctx("yes").and(.ctx("no")).and(boom), context: ctx) == false)
    }

    @Test func isInSkipsContainerWhenTypeDiffers() throws {
        // `e is T in c` is `(e is T) && (e in c)`: `c` is evaluated only for the right type.
        #expect(try truth(Expr.principal.isType("Group", in: Expr.principal["nope"]), context: ctx) == false)
        #expect(try errorMessage(Expr.principal.isType("User", in: Expr.principal["nope"]), context: ctx) != nil)
    }

    @Test func unlessIsNotEvaluatedWhenWhenIsFalse() throws {
        let bundle = try PolicyCompiler.compile(rules: [rule("r", when: .ctx("no"), unless: boom)])
        let d = Authorizer(bundle: bundle).authorize(request(context: ctx), entities: sampleEntities)
        #expect(d.errors.isEmpty)
    }

    @Test func conditionIsNotEvaluatedOutOfScope() throws {
        let bundle = try PolicyCompiler.compile(rules: [rule("r", principal: .type("Group"), when: boom)])
        let d = Authorizer(bundle: bundle).authorize(request(context: ctx), entities: sampleEntities, mode: .explain)
        #expect(d.errors.isEmpty)
        #expect(d.trace.map(\.outcome) == [.outOfScope])
    }
}
