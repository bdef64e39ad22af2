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

    @Test func differentTypesAreUnequal() {
        #expect(Value.long(1) != .bool(true))
        #expect(Value.string("User::\"a\"") != .entity(uid("User", "a")))
        #expect(Value.decimal(CedarDecimal(scaled: 10_000)) != .long(1))
    }
}
