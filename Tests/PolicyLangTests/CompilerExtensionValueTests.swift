import PolicyLang
import Testing

/// Parsing of `ip("…")` and `decimal("…")` literals, by Cedar's rules.
@Suite struct CompilerExtensionValueTests {
    @Test(arguments: ["10.0.0.1", "0.0.0.0/0", "255.255.255.255/32", "::1", "::", "2001:db8::/32", "FE80::1:2",
                      "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8/128", "0001:02:3::"])
    func acceptsValidAddresses(_ text: String) {
        #expect((try? IPAddress.parse(text).get()) != nil, "\(text)")
    }

    @Test(arguments: ["", "10.0.0", "10.0.0.256", "010.0.0.1", "1.2.3.4/33", "1.2.3.4/08", "1.2.3.4/", "1.2.3.4/+8",
                      "::ffff:1.2.3.4", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", ":1", "::1/129", "::1 ",
                      "1:2:3:4:5:6:7:8::", "g::1", "1.2.3.4/1 ", String(repeating: "1", count: 44)])
    func refusesInvalidAddresses(_ text: String) {
        #expect((try? IPAddress.parse(text).get()) == nil, "\(text)")
    }

    @Test func addressSemantics() throws {
        func ip(_ s: String) throws -> IPAddress { try IPAddress.parse(s).get() }
        #expect(try ip("10.1.2.3").isInRange(ip("10.0.0.0/8")))
        #expect(try ip("10.0.0.0/8").isInRange(ip("10.0.0.0/8")))
        #expect(try !ip("10.0.0.0/7").isInRange(ip("10.0.0.0/8")))
        #expect(try ip("10.9.9.9/16").isInRange(ip("10.0.0.0/8")))
        #expect(try ip("192.168.1.1").isInRange(ip("0.0.0.0/0")))
        #expect(try !ip("::ffff:a01:203").isInRange(ip("10.0.0.0/8")), "IPv4 and IPv6 never mix")
        #expect(try ip("2001:db8::5").isInRange(ip("2001:db8::/32")))
        #expect(try ip("127.5.5.5").isLoopback && ip("127.0.0.0/8").isLoopback && !ip("127.0.0.0/7").isLoopback)
        #expect(try ip("::1").isLoopback && !ip("::1/127").isLoopback && !ip("::2").isLoopback)
        #expect(try ip("239.1.1.1").isMulticast && !ip("224.0.0.0/3").isMulticast && ip("ff00::/8").isMulticast)
        #expect(try ip("1:2:3:4:5:6:7::") == ip("1:2:3:4:5:6:7:0"))
        #expect(try ip("10.0.0.1/24") != ip("10.0.0.0/24"), "equality keeps the address as written")
        #expect(try ip("10.0.0.1").description == "10.0.0.1/32")
    }

    @Test func decimals() throws {
        func d(_ s: String) -> Int64? { try? CedarDecimal.parse(s).get().scaled }
        #expect(d("1.0") == 10_000)
        #expect(d("12.3456") == 123_456)
        #expect(d("-1.5") == -15_000)
        #expect(d("0.0001") == 1)
        #expect(d("922337203685477.5807") == .max)
        #expect(d("-922337203685477.5808") == .min)
        #expect(d("922337203685477.5808") == nil, "overflow")
        #expect(d("1") == nil && d(".5") == nil && d("1.") == nil && d("1.23456") == nil && d("+1.0") == nil && d("1e3") == nil)
        // Regression: the sign is the leading "-", also with a zero integer part (cedarpy
        // 4.12.2 agrees: decimal("-0.5").lessThan(decimal("0.0")) holds).
        #expect(d("-0.5") == -5_000)
        #expect(d("-0.0001") == -1)
        #expect(d("-0.0") == 0 && d("-00.5") == -5_000)
        #expect(CedarDecimal(scaled: -5_000).description == "-0.5000")
        #expect(CedarDecimal(scaled: -15_000).description == "-1.5000")
    }

    @Test func likePatterns() {
        func m(_ s: String, _ p: [PatternElement]) -> Bool { LikePattern.matches(s, LikePattern.compile(p)) }
        #expect(m("abc", [.literal("abc")]))
        #expect(m("abc", [.wildcard]))
        #expect(m("", [.wildcard, .wildcard]))
        #expect(m("a*c", [.literal("a*c")]), "a literal star matches only a star")
        #expect(!m("abc", [.literal("a*c")]))
        #expect(m("aXbXc", [.literal("a"), .wildcard, .literal("b"), .wildcard, .literal("c")]))
        #expect(!m("ab", [.literal("a"), .wildcard, .literal("b"), .wildcard, .literal("c")]))
        #expect(m("mississippi", [.wildcard, .literal("issip"), .wildcard]))
        // Scalars, not grapheme clusters: "e" + combining accent is two characters to Cedar.
        #expect(m("e\u{301}", [.literal("e"), .wildcard]))
        #expect(!m("\u{E9}", [.literal("e"), .wildcard]))
    }
}
