import Evaluator
import PolicyLang
import Testing

@Suite struct ValueTests {
    @Test func setsAreUnorderedAndDeduplicated() {
        let a = Value.set([.long(1), .long(2)])
        let b = Value.set([.long(2), .long(1), .long(1)])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Value.set([.set([.long(1)]), .set([.long(1)])]) == .set([.set([.long(1)])]))
    }

    @Test func stringsCompareByBytesLikeCedar() {
        // "é" precomposed vs "e" + combining acute: equal to Swift, different to Cedar.
        #expect(Value.string("\u{E9}") != Value.string("e\u{301}"))
        #expect(Value.set([.string("\u{E9}"), .string("e\u{301}")]) != Value.set([.string("\u{E9}")]))
    }

    /// Regression: entity uids and record keys matched by Swift's canonical equivalence,
    /// so `User::"café"` and `User::"cafe\u{301}"` were one entity (the entities file was
    /// rejected as holding a duplicate) and `{"café": 1} == {"cafe\u{301}": 1}` held.
    @Test func uidsAndRecordKeysCompareByBytesLikeCedar() throws {
        let pre = uid("User", "caf\u{E9}"), decomposed = uid("User", "cafe\u{301}")
        #expect(pre != decomposed)
        #expect(Set([pre, decomposed]).count == 2)
        #expect(pre < decomposed || decomposed < pre, "order agrees with ==")
        #expect(uid("Gr\u{E9}", "x") != uid("Gre\u{301}", "x"))
        #expect(Value.record(["caf\u{E9}": .long(1)]) != .record(["cafe\u{301}": .long(1)]))
        #expect(Value.record(["caf\u{E9}": .long(1)]) == .record(["caf\u{E9}": .long(1)]))

        // Two entities that Swift would merge; the principal is the decomposed one.
        let entities = try InMemoryEntities([
            Entity(uid: pre, attributes: ["n": .long(1)], parents: [uid("Group", "g\u{E9}")]),
            Entity(uid: decomposed, attributes: ["n": .long(2)]),
            Entity(uid: uid("Group", "g\u{E9}")),
        ])
        let rules = [
            rule("in", when: Expr.principal.isIn(.entity("Group", "ge\u{301}"))),
            rule("n2", when: Expr.principal["n"].eq(.long(2))),
            rule("eq", when: Expr.principal.eq(.entity("User", "caf\u{E9}"))),
            rule("key", when: Expr.context["cafe\u{301}"].eq(.long(1))),
            rule("has", when: Expr.context.has("cafe\u{301}")),
        ]
        let d = try Authorizer(bundle: PolicyCompiler.compile(rules: rules)).authorize(
            Request(principal: decomposed, action: uid("Action", "read"), resource: uid("Document", "doc1"),
                    context: ["caf\u{E9}": .long(1)]),
            entities: entities)
        // Cedar (cedarpy 4.12.2) on the same input: allow by n2 only; `key` errors.
        #expect(d.reasons == ["n2"])
        #expect(d.errors.map(\.ruleID) == ["key"])
    }

    @Test func differentTypesAreUnequal() {
        #expect(Value.long(1) != .bool(true))
        #expect(Value.string("User::\"a\"") != .entity(uid("User", "a")))
        #expect(Value.decimal(CedarDecimal(scaled: 10_000)) != .long(1))
    }
}
