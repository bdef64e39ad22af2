import Testing
@testable import PolicyLang

@Suite struct ExpressionParserTests {
    @Test(arguments: [
        ("true", "true"),
        ("false", "false"),
        ("42", "42"),
        ("-7", "-7"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("9223372036854775807", "9223372036854775807"),
        (#""hi""#, #""hi""#),
        ("principal", "principal"),
        ("action", "action"),
        ("resource", "resource"),
        ("context", "context"),
        (#"User::"alice""#, #"User::"alice""#),
        (#"Acme::Corp::User::"bob""#, #"Acme::Corp::User::"bob""#),
        ("[1, 2, 3]", "[1 2 3]"),
        ("[]", "[]"),
        (#"{a: 1, "b c": 2}"#, #"{a: 1 b c: 2}"#),
        ("{}", "{}"),
        ("principal.name", "(. principal name)"),
        (#"principal["the name"]"#, "(. principal the name)"),
        ("context.a.b", "(. (. context a) b)"),
        ("principal has name", "(has principal name)"),
        (#"principal has "full name""#, "(has principal full name)"),
        (#"resource.path like "/docs/*""#, "(like (. resource path) /docs/|*)"),
        (#"resource.path like "a\*b*""#, "(like (. resource path) a*b|*)"),
        (#"principal.x like "a**b""#, "(like (. principal x) a|*|b)"),
        ("principal is User", "(is principal User)"),
        ("principal is Acme::User", "(is principal Acme::User)"),
        (#"principal is User in Group::"eng""#, #"(is principal User in Group::"eng")"#),
        (#"principal in Group::"eng""#, #"(in principal Group::"eng")"#),
        (#"principal in [Group::"a", Group::"b"]"#, #"(in principal [Group::"a" Group::"b"])"#),
        ("1 == 2", "(== 1 2)"), ("1 != 2", "(!= 1 2)"), ("1 < 2", "(< 1 2)"),
        ("1 <= 2", "(<= 1 2)"), ("1 > 2", "(> 1 2)"), ("1 >= 2", "(>= 1 2)"),
        ("true && false", "(&& true false)"), ("true || false", "(|| true false)"),
        ("!true", "(! true)"), ("!!!!true", "(! (! (! (! true))))"),
        ("-principal.age", "(- (. principal age))"), ("--5", "(- -5)"),
        ("1 + 2 - 3", "(- (+ 1 2) 3)"), ("2 * 3", "(* 2 3)"),
        ("if true then 1 else 2", "(if true 1 2)"),
        ("if context.b then 1 else if context.c then 2 else 3", "(if (. context b) 1 (if (. context c) 2 3))"),
        ("[1].contains(1)", "(contains [1] 1)"),
        ("[1].containsAll([1])", "(containsAll [1] [1])"),
        ("[1].containsAny([2])", "(containsAny [1] [2])"),
        (#"ip("10.0.0.1")"#, #"(ip "10.0.0.1")"#),
        (#"decimal("1.25")"#, #"(decimal "1.25")"#),
        (#"ip("10.0.0.1").isInRange(ip("10.0.0.0/8"))"#, #"(.isInRange (ip "10.0.0.1") (ip "10.0.0.0/8"))"#),
        ("context.ip.isIpv4()", "(.isIpv4 (. context ip))"),
        ("context.ip.isIpv6()", "(.isIpv6 (. context ip))"),
        ("context.ip.isLoopback()", "(.isLoopback (. context ip))"),
        ("context.ip.isMulticast()", "(.isMulticast (. context ip))"),
        ("context.d.lessThan(context.e)", "(.lessThan (. context d) (. context e))"),
        ("context.d.lessThanOrEqual(context.e)", "(.lessThanOrEqual (. context d) (. context e))"),
        ("context.d.greaterThan(context.e)", "(.greaterThan (. context d) (. context e))"),
        ("context.d.greaterThanOrEqual(context.e)", "(.greaterThanOrEqual (. context d) (. context e))"),
        ("(((1)))", "1"),
        ("principal // a comment\n == resource", "(== principal resource)"),
        ("principal.if", "(. principal if)"),
        ("{if: 1}", "{if: 1}"),
    ])
    func constructs(_ text: String, _ expected: String) throws {
        #expect(try parsed(text) == expected)
    }

    // Cedar: Or > And > Relation > Add > Mult > Unary > Member > Primary. `$a` stands for
    // `context.a`, in the input and in the expected tree.
    @Test(arguments: [
        ("$a || $b && $c", "(|| $a (&& $b $c))"),
        ("$a && $b || $c", "(|| (&& $a $b) $c)"),
        ("1 + 2 * 3 == 7", "(== (+ 1 (* 2 3)) 7)"),
        ("1 * 2 + 3 < 4 && true", "(&& (< (+ (* 1 2) 3) 4) true)"),
        ("!$a.b", "(! (. $a b))"),
        ("-$a.b * 2", "(* (- (. $a b)) 2)"),
        ("!$a || $b", "(|| (! $a) $b)"),
        ("$a has b && $a.b == 1", "(&& (has $a b) (== (. $a b) 1))"),
        ("$a.b + 1 in $c", "(in (+ (. $a b) 1) $c)"),
        (#"$a like "*" || $b"#, "(|| (like $a *) $b)"),
        ("principal is User && true", "(&& (is principal User) true)"),
        (#"principal is User in Group::"g" || false"#, #"(|| (is principal User in Group::"g") false)"#),
        ("if $a then $b else $c || $d", "(if $a $b (|| $c $d))"),
        ("($a || $b) && $c", "(&& (|| $a $b) $c)"),
        ("$a.contains(1) && $b", "(&& (contains $a 1) $b)"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("-1 - -2", "(- -1 -2)"),
        ("-$a - 2", "(- (- $a) 2)"),
        ("!$a.contains($b)", "(! (contains $a $b))"),
        ("- 5", "-5"),
        ("-5.lessThan(1)", "(- (.lessThan 5 1))"),
    ])
    func precedence(_ text: String, _ expected: String) throws {
        var tree = try parsed(text.replacingOccurrences(of: "$", with: "context."))
        for name in ["a", "b", "c", "d"] { tree = tree.replacingOccurrences(of: "(. context \(name))", with: "$\(name)") }
        #expect(tree == expected)
    }

    @Test(arguments: [
        ("", "empty condition"),
        ("9223372036854775808", "integer literal 9223372036854775808 does not fit in 64 bits"),
        ("-9223372036854775809", "integer literal 9223372036854775809 does not fit in 64 bits"),
        ("99999999999999999999", "integer literal 99999999999999999999 does not fit in 64 bits"),
        (#""abc"#, "unterminated string"),
        (#""a\qb""#, #"unknown escape sequence '\q'"#),
        (#""a\*b""#, #"unknown escape sequence '\*'"#),
        (#""\u{110000}""#, #"invalid \u escape"#),
        (#""\u{}""#, #"invalid \u escape"#),
        (#""\u0041""#, #"invalid \u escape"#),
        (#""\x80""#, #"invalid \x escape"#),
        (#"{a: 1, a: 2}"#, "duplicate key 'a' in record"),
        (#"{a: 1, "a": 2}"#, "duplicate key 'a' in record"),
        ("1 < 2 < 3", "comparison operators cannot be chained: unexpected '<'"),
        ("1 == 2 == 3", "comparison operators cannot be chained: unexpected '=='"),
        ("principal has name has x", "comparison operators cannot be chained: unexpected 'has'"),
        ("principal in resource in context", "comparison operators cannot be chained: unexpected 'in'"),
        ("principal = resource", "unexpected character '='"),
        ("a & b", "unexpected character '&'"),
        ("\u{7}", "unexpected character '\\u{07}'"),
        ("1 & 2", "unexpected character '&'"),
        ("'x'", "unexpected character '''"),
        ("#", "unexpected character '#'"),
        ("foo", "unknown name 'foo'"),
        ("Foo::Bar", "unknown name 'Foo::Bar'"),
        ("principal::\"x\"", "'principal' is a variable, not an entity type"),
        ("User::", "expected a name or an id string after '::', found the end of the expression"),
        ("nope(1)", "unknown function 'nope'"),
        (#"ip("a", "b")"#, "ip() takes one argument, got 2"),
        ("decimal()", "decimal() takes one argument, got 0"),
        ("context.x.frobnicate()", "unknown method 'frobnicate'"),
        ("context.x.contains()", ".contains() takes one argument, got 0"),
        ("context.x.isIpv4(1)", ".isIpv4() takes no arguments, got 1"),
        ("context.x.lessThan()", ".lessThan() takes one argument, got 0"),
        ("context[1]", "expected a string attribute name inside [ ], found '1'"),
        ("context[\"a\"", "expected ']' after the attribute name, found the end of the expression"),
        ("context.", "expected an attribute or method name after '.', found the end of the expression"),
        ("context has 1", "expected an attribute name after 'has', found '1'"),
        ("context.a like 1", "expected a pattern string after 'like', found '1'"),
        ("principal is 1", "expected an entity type after 'is', found '1'"),
        ("principal is User::\"a\"", "expected an entity type after 'is', found an entity reference"),
        ("if true then 1", "expected 'else' after the 'then' branch; Cedar's 'if' always has an 'else', found the end of the expression"),
        ("if true 1 else 2", "expected 'then' after the condition of 'if', found '1'"),
        ("1 + if true then 1 else 2", "'if' cannot be an operand here"),
        ("(1", "expected ')' to close the '(' opened here, found the end of the expression"),
        ("[1, 2", "expected ']' to close the set, found the end of the expression"),
        ("[1,]", "expected an expression, found ']'"),
        ("{a 1}", "expected ':' after the record key, found '1'"),
        ("{1: 2}", "expected a record key, found '1'"),
        ("{a: 1", "expected '}' to close the record, found the end of the expression"),
        ("1 +", "unexpected end of the expression"),
        ("1 2", "unexpected '2' after a complete expression"),
        ("!-1", "'!' and '-' cannot follow each other without parentheses"),
        ("!!!!!true", "more than four '!' in a row"),
        ("then", "expected an expression, found 'then'"),
        (")", "expected an expression, found ')'"),
    ])
    func errors(_ text: String, _ message: String) {
        let diagnostic = parseError(text)
        #expect(diagnostic?.message == message, "\(text)")
        #expect(diagnostic?.severity == .error)
    }

    @Test func stringEscapes() throws {
        let e = try ExpressionParser.parse(#""a\n\t\r\\\"\'\0\u{41}\u{1F600}\x41é""#)
        #expect(e.kind == .string("a\n\t\r\\\"'\0A\u{1F600}Aé"))
        // \u{2a} is a literal star: only a bare * is a wildcard.
        #expect(try parsed(#"context.a like "\u{2a}\*\n*""#) == "(like (. context a) **\n|*)")
    }

    @Test func minimumIntegerLiteral() throws {
        #expect(try ExpressionParser.parse("-9223372036854775808").kind == .long(.min))
        #expect(try parsed("--9223372036854775808") == "(- -9223372036854775808)")
    }

    @Test func hintsOnCommonMistakes() {
        #expect(parseError("principal = resource")?.hint == "use == to compare")
        #expect(parseError("1 & 2")?.hint == "use && for 'and'")
        #expect(parseError("1 < 2 < 3")?.hint == "combine comparisons with && or add parentheses")
        #expect(parseError("9223372036854775808")?.hint?.contains("-9223372036854775808") == true)
        #expect(parseError(#"{a: 1, a: 2}"#)?.hint == "it was first given at line 1, column 2")
        #expect(parseError("context.x.frobnicate()")?.hint?.hasPrefix("methods: contains, containsAll") == true)
    }

    @Test func nestingLimitIsADiagnosticNotACrash() {
        let deep = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        var limits = PolicyLimits()
        limits.maxExpressionLength = 1_000_000
        #expect(parseError(deep, limits: limits)?.message == "expression nested more than 64 levels")
        let sets = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(parseError(sets)?.message == "expression nested more than 64 levels")
        let ok = String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)
        #expect(parseError(ok) == nil)
    }

    @Test func depthLimitBoundsLongChains() {
        let chain = Array(repeating: "1", count: 300).joined(separator: " + ")
        #expect(parseError(chain)?.message == "expression is more than 256 levels deep")
        let fine = Array(repeating: "true", count: 200).joined(separator: " || ")
        #expect(parseError(fine) == nil)
    }

    @Test func lengthLimit() {
        var limits = PolicyLimits()
        limits.maxExpressionLength = 10
        #expect(parseError("1 + 2 + 3 + 4", limits: limits)?.message == "condition is 13 characters long; the limit is 10")
    }

    @Test func locationsPointAtEachSubexpression() throws {
        let e = try ExpressionParser.parse("principal.age >= 18 && context.ok", file: "f.yaml", line: 3, column: 11)
        guard case .binary(.and, let lhs, let rhs) = e.kind, case .binary(.greaterOrEqual, let age, let limit) = lhs.kind
        else { Issue.record("shape: \(sexp(e))"); return }
        #expect(e.location == Loc(file: "f.yaml", line: 3, column: 11))
        #expect(age.location.column == 11)
        #expect(limit.location.column == 28)
        #expect(rhs.location.column == 34)
    }

    @Test func errorPositionsAreColumnsInTheExpression() {
        let d = parseError("principal.age >= \"x")
        #expect(d?.location == Loc(file: "t", line: 1, column: 18))
        #expect(d?.description == "t:1:18: error: unterminated string\n  hint: close the string with a double quote")
    }
}
