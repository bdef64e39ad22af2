import Evaluator
import PolicyLang
import Testing

/// Every way a condition can fail, and that the failure points at its expression.
@Suite struct ErrorTests {
    let ctx: [String: Value] = [
        "one": .long(1), "max": .long(.max), "min": .long(.min), "hello": .string("hello"),
        "yes": .bool(true), "nums": .set([.long(1)]), "rec": .record(["a": .long(1)]),
        "mixed": .set([.entity(uid("Group", "eng")), .long(1)]),
    ]

    func message(_ e: Expr) throws -> String? { try errorMessage(e, context: ctx) }

    @Test func missingAttributeAndEntity() throws {
        #expect(try message(Expr.principal["nope"].eq(.long(1)))?.contains("does not have the attribute `nope`") == true)
        #expect(try message(Expr.entity("User", "ghost")["name"].eq(.long(1)))?.contains("does not exist") == true)
        #expect(try message(Expr.ctx("rec")["z"].eq(.long(1)))?.contains("record does not have the attribute `z`") == true)
        #expect(try message(Expr.context["absent"].eq(.long(1))) != nil)
    }

    @Test func overflow() throws {
        #expect(try message(Expr.ctx("max").plus(.ctx("one")).eq(.long(0)))?.contains("overflow") == true)
        #expect(try message(Expr.ctx("min").minus(.ctx("one")).eq(.long(0)))?.contains("overflow") == true)
        #expect(try message(Expr.ctx("max").times(.long(2)).eq(.long(0)))?.contains("overflow") == true)
        #expect(try message(Expr.ctx("min").negated().eq(.long(0)))?.contains("overflow") == true)
        // A literal overflow is not folded away: it fails at evaluation, as in Cedar.
        #expect(try message(Expr.long(.max).plus(.long(1)).eq(.long(0)))?.contains("overflow") == true)
    }

    @Test(arguments: [
        Expr.ctx("hello").lt(.ctx("one")),
        Expr.ctx("one").plus(.ctx("hello")).eq(.long(1)),
        Expr.ctx("hello").negated().eq(.long(1)),
        Expr.ctx("one").not(),
        Expr.ctx("one").and(.bool(true)),
        Expr.ctx("yes").and(.ctx("one")),
        Expr.ctx("one").or(.bool(true)),
        Expr.bool(false).or(.ctx("hello")),
        Expr.ifThen(.ctx("one"), .bool(true), .bool(true)),
        Expr.ctx("one").like("*"),
        Expr.ctx("one").isType("User"),
        Expr.ctx("one").has("a"),
        Expr.ctx("one")["a"].eq(.long(1)),
        Expr.ctx("one").isIn(.entity("Group", "eng")),
        Expr.principal.isIn(.ctx("one")),
        Expr.principal.isIn(.ctx("mixed")),
        Expr.ctx("one").contains(.long(1)),
        Expr.ctx("nums").containsAll(.ctx("one")),
        Expr.ctx("one").containsAny(.ctx("nums")),
        Expr.call("ip", .ctx("one")).isIpv4(),
        Expr.ctx("hello").method("isIpv4"),
        Expr.ip("10.0.0.1").method("isInRange", .ctx("hello")),
        Expr.decimal("1.0").method("lessThan", .ctx("one")),
        Expr.ctx("one"),
        Expr.ctx("hello"),
    ])
    func typeErrors(_ condition: Expr) throws {
        let m = try message(condition)
        #expect(m?.contains("type error") == true, "\(condition) gave \(String(describing: m))")
    }

    @Test func unlessMustBeBool() throws {
        let bundle = try PolicyCompiler.compile(rules: [rule("r", unless: .ctx("one"))])
        let d = Authorizer(bundle: bundle).authorize(request(context: ctx), entities: sampleEntities)
        #expect(d.errors.map(\.ruleID) == ["r"])
        #expect(d.errors[0].message.contains("unless"))
    }

    @Test func extensionParseErrors() throws {
        #expect(try message(Expr.call("ip", .ctx("hello")).method("isIpv4"))?.contains("ip()") == true)
        #expect(try message(Expr.call("decimal", .ctx("hello")).method("lessThan", .decimal("1.0")))?.contains("decimal()") == true)
        // An invalid literal is not rejected at compile time; it fails when evaluated.
        #expect(try message(Expr.ip("300.1.1.1").method("isIpv4")) != nil)
        #expect(try message(Expr.decimal("1.23456").method("lessThan", .decimal("1.0"))) != nil)
    }

    @Test func errorCarriesTheFailingExpressionsLocation() throws {
        let failing = Expr(.getAttribute(.principal, "nope"), at: at(7, 12))
        let bundle = try PolicyCompiler.compile(rules: [rule("r", when: Expr.bool(true).and(failing.eq(.long(1)).located(at(7, 3))))])
        let d = Authorizer(bundle: bundle).authorize(request(), entities: sampleEntities)
        #expect(d.errors.first?.location == at(7, 12))
    }
}

extension Expr {
    func isIpv4() -> Expr { method("isIpv4") }
}
