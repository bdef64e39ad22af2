import Evaluator
import PolicyLang
import Testing

@Suite struct ExtensionTests {
    let ctx: [String: Value] = [
        "src": .string("10.1.2.3"), "v6": .string("2001:db8::1"), "price": .string("12.50"),
        "ipv": .ipaddr(try! IPAddress.parse("192.168.1.7").get()),
    ]

    func t(_ e: Expr) throws -> Bool? { try truth(e, context: ctx) }

    @Test func ipMethods() throws {
        let src = Expr.call("ip", .ctx("src"))
        #expect(try t(src.method("isInRange", .ip("10.0.0.0/8"))) == true)
        #expect(try t(src.method("isInRange", .ip("10.2.0.0/16"))) == false)
        #expect(try t(src.method("isIpv4")) == true)
        #expect(try t(src.method("isIpv6")) == false)
        #expect(try t(Expr.call("ip", .ctx("v6")).method("isIpv6")) == true)
        #expect(try t(Expr.call("ip", .ctx("v6")).method("isInRange", .ip("2001:db8::/32"))) == true)
        #expect(try t(Expr.call("ip", .ctx("v6")).method("isInRange", .ip("10.0.0.0/8"))) == false)
        #expect(try t(Expr.ip("127.0.0.1").method("isLoopback")) == true)
        #expect(try t(Expr.ip("::1").method("isLoopback")) == true)
        #expect(try t(Expr.ip("224.0.0.1").method("isMulticast")) == true)
        #expect(try t(Expr.ip("ff02::1").method("isMulticast")) == true)
        #expect(try t(Expr.ctx("ipv").method("isInRange", .ip("192.168.0.0/16"))) == true)
        #expect(try t(src.eq(.ip("10.1.2.3"))) == true)
        #expect(try t(src.eq(.ip("10.1.2.3/24"))) == false)
    }

    @Test func decimalMethods() throws {
        let price = Expr.call("decimal", .ctx("price"))
        #expect(try t(price.method("lessThan", .decimal("12.51"))) == true)
        #expect(try t(price.method("lessThanOrEqual", .decimal("12.5"))) == true)
        #expect(try t(price.method("greaterThan", .decimal("12.5000"))) == false)
        #expect(try t(price.method("greaterThanOrEqual", .decimal("-3.0"))) == true)
        #expect(try t(price.eq(.decimal("12.5"))) == true)
        // Regression: "-0.5" is negative (Cedar takes the sign from the text, not from the
        // integer part, which is 0).
        #expect(try t(Expr.decimal("-0.5").method("lessThan", .decimal("0.0"))) == true)
        #expect(try t(Expr.decimal("-0.0001").method("lessThan", .decimal("0.0"))) == true)
        #expect(try t(Expr.call("decimal", .string("-0.5")).eq(.decimal("0.5"))) == false)
        #expect(try t(Expr.decimal("-0.0").eq(.decimal("0.0"))) == true)
        // Decimals are not longs: `<` on them is a type error in Cedar.
        #expect(try errorMessage(price.lt(.decimal("13.0")), context: ctx)?.contains("type error") == true)
    }
}
