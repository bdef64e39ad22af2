import Testing
@testable import Store

@Suite struct KeyTests {
    @Test func componentsRoundTrip() throws {
        let key = Key(.string("ten_1"), .string("a\u{0}b"), .uint(42), .bytes([0, 255, 1]), .string(""))
        #expect(try key.components() == [.string("ten_1"), .string("a\u{0}b"), .uint(42), .bytes([0, 255, 1]), .string("")])
    }

    @Test func byteOrderEqualsTupleOrder() {
        let tuples: [[KeyComponent]] = [
            [.string("a")],
            [.string("a"), .string("")],
            [.string("a"), .string("b")],
            [.string("a"), .uint(1)],
            [.string("a"), .uint(256)],
            [.string("a\u{0}")],
            [.string("ab")],
            [.string("b")],
            [.uint(0)],
            [.uint(UInt64.max)],
        ]
        // Sorted by the natural tuple order: strings compare as bytes, a prefix tuple first,
        // and across kinds by tag (bytes < string < uint).
        let keys = tuples.map { Key($0) }
        let shuffled = keys.shuffled()
        #expect(shuffled.sorted() == keys)
    }

    @Test func prefixExcludesLongerStrings() {
        // "ten_1" must not be a byte prefix of "ten_10", or a scan of one tenant would leak another's rows.
        let one = Key(.string("ten_1"))
        let ten = Key(.string("ten_10"), .string("x"))
        #expect(!ten.hasPrefix(one))
        #expect(Key(.string("ten_1"), .string("x")).hasPrefix(one))
    }

    @Test func prefixUpperBound() throws {
        let prefix = Key(.string("t"))
        let upper = try #require(prefix.prefixUpperBound())
        #expect(Key(.string("t"), .uint(UInt64.max)) < upper)
        #expect(Key(.string("t\u{1}")) >= upper)
        #expect(Key(encoded: [0xFF, 0xFF]).prefixUpperBound() == nil)
    }

    @Test func malformedBytesAreRejected() {
        #expect(throws: KeyDecodingError.unknownTag(0x7)) { try Key(encoded: [0x07]).components() }
        #expect(throws: KeyDecodingError.truncated) { try Key(encoded: [0x02, 0x61]).components() }
        #expect(throws: KeyDecodingError.truncated) { try Key(encoded: [0x15, 1, 2]).components() }
    }
}
