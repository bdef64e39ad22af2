import Evaluator
import PolicyLang
import Testing

/// Each operator, evaluated by the VM: operands come from `context`, so the constant
/// folder cannot compute them at compile time.
@Suite struct OperatorTests {
    let ctx: [String: Value] = [
        "one": .long(1), "two": .long(2), "max": .long(.max), "min": .long(.min),
        "yes": .bool(true), "no": .bool(false), "hello": .string("hello"), "empty": .string(""),
        "alice": .entity(uid("User", "alice")), "bob": .entity(uid("User", "bob")),
        "nums": .set([.long(1), .long(2), .long(3)]), "twoNums": .set([.long(2), .long(1)]),
        "rec": .record(["a": .long(1), "b": .string("x")]),
    ]

    func t(_ e: Expr) throws -> Bool? { try truth(e, context: ctx) }

    @Test func equality() throws {
        #expect(try t(.ctx("one").eq(.ctx("one"))) == true)
        #expect(try t(.ctx("one").eq(.ctx("two"))) == false)
        #expect(try t(.ctx("one").ne(.ctx("two"))) == true)
        // Different types are unequal, not an error.
        #expect(try t(.ctx("one").eq(.ctx("hello"))) == false)
        #expect(try t(.ctx("one").ne(.ctx("yes"))) == true)
        #expect(try t(.ctx("alice").eq(.entity("User", "alice"))) == true)
        #expect(try t(.ctx("alice").eq(.ctx("bob"))) == false)
        // Structural, unordered set equality; record equality by fields.
        #expect(try t(.ctx("nums").eq(.set(.long(3), .long(2), .long(1), .long(1)))) == true)
        #expect(try t(.ctx("twoNums").eq(.ctx("nums"))) == false)
        #expect(try t(.ctx("rec").eq(.record(("b", .string("x")), ("a", .ctx("one"))))) == true)
        #expect(try t(.ctx("rec").eq(.record(("a", .long(1))))) == false)
    }

    @Test func comparisons() throws {
        #expect(try t(.ctx("one").lt(.ctx("two"))) == true)
        #expect(try t(.ctx("two").lt(.ctx("two"))) == false)
        #expect(try t(.ctx("two").le(.ctx("two"))) == true)
        #expect(try t(.ctx("two").gt(.ctx("one"))) == true)
        #expect(try t(.ctx("one").ge(.ctx("two"))) == false)
        #expect(try t(.ctx("min").lt(.ctx("max"))) == true)
    }

    @Test func arithmetic() throws {
        #expect(try t(.ctx("one").plus(.ctx("two")).eq(.long(3))) == true)
        #expect(try t(.ctx("one").minus(.ctx("two")).eq(.long(-1))) == true)
        #expect(try t(.ctx("two").times(.ctx("two")).eq(.long(4))) == true)
        #expect(try t(.ctx("two").negated().eq(.long(-2))) == true)
        #expect(try t(.ctx("max").minus(.ctx("max")).eq(.long(0))) == true)
    }

    @Test func logic() throws {
        #expect(try t(.ctx("yes").not()) == false)
        #expect(try t(.ctx("no").not()) == true)
        #expect(try t(.ctx("yes").and(.ctx("yes"))) == true)
        #expect(try t(.ctx("yes").and(.ctx("no"))) == false)
        #expect(try t(.ctx("no").or(.ctx("yes"))) == true)
        #expect(try t(.ctx("no").or(.ctx("no"))) == false)
        #expect(try t(.ifThen(.ctx("yes"), .ctx("one"), .ctx("two")).eq(.long(1))) == true)
        #expect(try t(.ifThen(.ctx("no"), .ctx("one"), .ctx("two")).eq(.long(2))) == true)
    }

    @Test func attributesAndHas() throws {
        #expect(try t(Expr.principal["name"].eq(.string("alice"))) == true)
        #expect(try t(Expr.principal["address"]["city"].eq(.string("Oslo"))) == true)
        #expect(try t(Expr.resource["owner"].eq(.principal)) == true)
        #expect(try t(Expr.principal["manager"]["name"].eq(.string("bob"))) == true)
        #expect(try t(Expr.principal.has("age")) == true)
        #expect(try t(Expr.principal.has("nope")) == false)
        #expect(try t(Expr.ctx("rec").has("a")) == true)
        #expect(try t(Expr.ctx("rec").has("z")) == false)
        // `has` on an entity that is not in the store is false, not an error.
        #expect(try t(Expr.entity("User", "ghost").has("name")) == false)
        #expect(try t(Expr.ctx("rec")["b"].eq(.string("x"))) == true)
    }

    @Test func like() throws {
        #expect(try t(Expr.ctx("hello").like("h*o")) == true)
        #expect(try t(Expr.ctx("hello").like("*ll*")) == true)
        #expect(try t(Expr.ctx("hello").like("hello")) == true)
        #expect(try t(Expr.ctx("hello").like("h*x")) == false)
        #expect(try t(Expr.ctx("hello").like("*")) == true)
        #expect(try t(Expr.ctx("empty").like("*")) == true)
        #expect(try t(Expr.ctx("empty").like("?")) == false)
        #expect(try t(Expr.ctx("hello").like("**l*o")) == true)
        #expect(try t(Expr.ctx("hello").like("hel")) == false)
    }

    @Test func isType() throws {
        #expect(try t(Expr.principal.isType("User")) == true)
        #expect(try t(Expr.principal.isType("Group")) == false)
        #expect(try t(Expr.principal.isType("User", in: .entity("Group", "staff"))) == true)
        #expect(try t(Expr.principal.isType("User", in: .entity("Group", "other"))) == false)
        #expect(try t(Expr.ctx("bob").isType("User", in: .set(.entity("Group", "eng"), .entity("User", "bob")))) == true)
    }

    @Test func setOperations() throws {
        #expect(try t(Expr.ctx("nums").contains(.ctx("two"))) == true)
        #expect(try t(Expr.ctx("nums").contains(.ctx("hello"))) == false)
        #expect(try t(Expr.ctx("nums").containsAll(.ctx("twoNums"))) == true)
        #expect(try t(Expr.ctx("twoNums").containsAll(.ctx("nums"))) == false)
        #expect(try t(Expr.ctx("twoNums").containsAny(.set(.long(9), .long(2)))) == true)
        #expect(try t(Expr.ctx("twoNums").containsAny(.set(.long(9)))) == false)
        #expect(try t(Expr.ctx("nums").containsAll(.set())) == true)
        #expect(try t(Expr.set(.ctx("one"), .ctx("hello")).contains(.string("hello"))) == true)
        #expect(try t(Expr.principal["tags"].contains(.string("a"))) == true)
    }

    @Test func methodSpellingsOfContains() throws {
        #expect(try t(Expr.ctx("nums").method("contains", .long(3))) == true)
        #expect(try t(Expr.ctx("nums").method("containsAny", .set(.long(7)))) == false)
    }

    @Test func records() throws {
        let built = Expr.record(("x", .ctx("one")), ("y", .ctx("hello")))
        #expect(try t(built["x"].eq(.long(1))) == true)
        #expect(try t(built.has("y")) == true)
        #expect(try t(built.eq(.record(("y", .string("hello")), ("x", .long(1))))) == true)
    }

    @Test func variables() throws {
        #expect(try t(Expr.action.eq(.entity("Action", "read"))) == true)
        #expect(try t(Expr.resource.eq(.entity("Document", "doc1"))) == true)
        #expect(try t(Expr.context.has("one")) == true)
    }
}
