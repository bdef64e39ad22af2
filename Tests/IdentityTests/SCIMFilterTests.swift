import Testing
@testable import Identity

@Suite struct SCIMFilterParserTests {
    private func path(_ attribute: String, _ sub: String? = nil, schema: String? = nil) -> SCIMAttributePath {
        SCIMAttributePath(schema: schema, attribute: attribute, subAttribute: sub)
    }

    @Test(arguments: SCIMCompareOperator.allCases)
    func everyComparisonOperator(_ op: SCIMCompareOperator) throws {
        #expect(try SCIMFilter.parse("userName \(op.rawValue) \"bjensen\"") == .compare(path("userName"), op, "bjensen"))
        // Operators are case-insensitive (RFC 7644 §3.4.2.2).
        #expect(try SCIMFilter.parse("userName \(op.rawValue.uppercased()) \"x\"") == .compare(path("userName"), op, "x"))
    }

    @Test func presentAndLiterals() throws {
        #expect(try SCIMFilter.parse("title pr") == .present(path("title")))
        #expect(try SCIMFilter.parse("active eq true") == .compare(path("active"), .eq, true))
        #expect(try SCIMFilter.parse("active eq False") == .compare(path("active"), .eq, false))
        #expect(try SCIMFilter.parse("manager eq null") == .compare(path("manager"), .eq, .null))
        #expect(try SCIMFilter.parse("n gt 10") == .compare(path("n"), .gt, 10))
        #expect(try SCIMFilter.parse("n le -2.5") == .compare(path("n"), .le, -2.5))
        #expect(try SCIMFilter.parse(#"userName eq "a \"q\" \u00e9""#) == .compare(path("userName"), .eq, "a \"q\" é"))
    }

    @Test func subAttributesAndSchemaPrefixes() throws {
        #expect(try SCIMFilter.parse(#"emails.value co "@example.com""#) == .compare(path("emails", "value"), .co, "@example.com"))
        #expect(try SCIMFilter.parse(#"meta.lastModified gt "2011-05-13T04:42:34Z""#)
                == .compare(path("meta", "lastModified"), .gt, "2011-05-13T04:42:34Z"))
        #expect(try SCIMFilter.parse(#"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName co "O'Malley""#)
                == .compare(path("name", "familyName", schema: SCIMSchemaURN.user), .co, "O'Malley"))
        #expect(try SCIMFilter.parse(#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7""#)
                == .compare(path("employeeNumber", schema: SCIMSchemaURN.enterpriseUser), .eq, "7"))
        #expect(try SCIMFilter.parse(#"members.$ref pr"#) == .present(path("members", "$ref")))
    }

    @Test func precedenceNotOverAndOverOr() throws {
        let a = SCIMFilter.compare(path("a"), .eq, 1)
        let b = SCIMFilter.compare(path("b"), .eq, 2)
        let c = SCIMFilter.compare(path("c"), .eq, 3)
        #expect(try SCIMFilter.parse("a eq 1 or b eq 2 and c eq 3") == .or([a, .and([b, c])]))
        #expect(try SCIMFilter.parse("a eq 1 and b eq 2 or c eq 3") == .or([.and([a, b]), c]))
        #expect(try SCIMFilter.parse("(a eq 1 or b eq 2) and c eq 3") == .and([.or([a, b]), c]))
        #expect(try SCIMFilter.parse("not (a eq 1) and b eq 2") == .and([.not(a), b]))
        #expect(try SCIMFilter.parse("not (a eq 1 or b eq 2)") == .not(.or([a, b])))
        #expect(try SCIMFilter.parse("a eq 1 AND b eq 2 OR c eq 3") == .or([.and([a, b]), c]))
        #expect(try SCIMFilter.parse("a eq 1 and b eq 2 and c eq 3") == .and([a, b, c]))
        #expect(try SCIMFilter.parse("((a eq 1))") == a)
        #expect(try SCIMFilter.parse("not(a eq 1)") == .not(a))
    }

    @Test func valuePathFilters() throws {
        let filter = try SCIMFilter.parse(#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#)
        #expect(filter == .and([
            .compare(path("userType"), .eq, "Employee"),
            .valuePath(path("emails"), .and([.compare(path("type"), .eq, "work"), .compare(path("value"), .co, "@example.com")])),
        ]))
        #expect(try SCIMFilter.parse(#"members[value eq "u1"]"#) == .valuePath(path("members"), .compare(path("value"), .eq, "u1")))
    }

    @Test func descriptionRoundTrips() throws {
        for text in [
            #"a eq 1 or b eq "x" and not (c pr)"#, #"(a eq 1 or b eq 2) and c eq 3"#,
            #"emails[type eq "work" or primary eq true] and meta.lastModified ge "2020-01-01T00:00:00Z""#,
        ] {
            let filter = try SCIMFilter.parse(text)
            #expect(try SCIMFilter.parse(filter.description) == filter)
        }
    }

    @Test(arguments: [
        ("", "empty"),
        ("userName", "position 9"),
        ("userName eq", "position 12"),
        ("userName xx \"a\"", "position 10"),
        ("userName eq bjensen", "position 13"),
        ("userName eq \"a", "position 13"),
        ("(userName eq \"a\"", "position 17"),
        ("userName eq \"a\")", "position 16"),
        ("userName eq \"a\" and", "position 20"),
        ("userName eq \"a\" or or b pr", "position 20"),
        ("and b pr", "position 1"),
        ("not b pr", "position 1"),
        ("emails[type eq \"work\"", "position 22"),
        ("emails[type[value eq 1]]", "position 12"),
        ("emails.value[type eq 1]", "position 13"),
        ("a.b.c eq 1", "position 1"),
        ("1abc eq 1", "position 1"),
        ("user#Name eq 1", "position 5"),
        ("userName eq \"a\" userName eq \"b\"", "position 17"),
        ("a eq 1 ()", "position 8"),
        ("a eq 01x", "position 6"),
        ("foo:bar eq 1", "position 1"),
        ("userName eq \"bad \\q escape\"", "invalid string literal"),
    ])
    func malformedFiltersNameThePosition(_ text: String, _ expected: String) {
        do {
            _ = try SCIMFilter.parse(text)
            Issue.record("parsed: \(text)")
        } catch {
            #expect(error.scimType == .invalidFilter)
            #expect(error.detail.contains(expected), "\(text): \(error.detail)")
        }
    }

    @Test func boundsLengthAndDepth() throws {
        let long = "userName eq \"" + String(repeating: "x", count: 4100) + "\""
        #expect(throws: SCIMLanguageError.self) { try SCIMFilter.parse(long) }
        let deep = String(repeating: "(", count: 40) + "a pr" + String(repeating: ")", count: 40)
        #expect(throws: SCIMLanguageError.self) { try SCIMFilter.parse(deep) }
        let deepNot = String(repeating: "not (", count: 33) + "a pr" + String(repeating: ")", count: 33)
        #expect(throws: SCIMLanguageError.self) { try SCIMFilter.parse(deepNot) }
        let fine = String(repeating: "(", count: 20) + "a pr" + String(repeating: ")", count: 20)
        #expect(try SCIMFilter.parse(fine) == .present(path("a")))
        // Long flat chains are fine and stay flat.
        let chain = Array(repeating: "a pr", count: 300).joined(separator: " and ")
        guard case .and(let operands) = try SCIMFilter.parse(chain) else { Issue.record("not an and"); return }
        #expect(operands.count == 300)
    }
}

@Suite struct SCIMFilterEvaluatorTests {
    let user: SCIMValue = [
        "schemas": [.string(SCIMSchemaURN.user), .string(SCIMSchemaURN.enterpriseUser)],
        "id": "u_AbC",
        "externalId": "Ext-1",
        "userName": "BJensen@Example.com",
        "displayName": "Babs Jensen",
        "active": true,
        "name": ["givenName": "Barbara", "familyName": "Jensen"],
        "emails": [["value": "bjensen@example.com", "type": "work", "primary": true], ["value": "babs@home.org", "type": "home"]],
        "meta": ["resourceType": "User", "created": "2024-01-01T00:00:00Z", "lastModified": "2024-05-01T12:00:00.500+02:00"],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": ["employeeNumber": "701984", "manager": ["value": "u_boss"]],
        "x": 5,
    ]

    private func matches(_ text: String, _ resource: SCIMValue? = nil, schema: SCIMResourceSchema = .user) throws -> Bool {
        try SCIMFilter.parse(text).matches(resource ?? user, schema: schema)
    }

    @Test func equalityAndCaseRules() throws {
        #expect(try matches(#"userName eq "bjensen@example.com""#))          // caseExact false
        #expect(try matches(#"USERNAME EQ "BJENSEN@EXAMPLE.COM""#))
        #expect(try matches(#"displayName eq "babs jensen""#))
        #expect(try matches(#"emails.value eq "BJENSEN@example.com""#))
        #expect(try matches(#"id eq "u_AbC""#))
        #expect(try !matches(#"id eq "u_abc""#))                               // caseExact true
        #expect(try matches(#"externalId eq "Ext-1""#))
        #expect(try !matches(#"externalId eq "ext-1""#))
        #expect(try matches("active eq true"))
        #expect(try !matches("active eq false"))
        #expect(try !matches(#"active eq "true""#))
        #expect(try matches("x eq 5.0"))
    }

    @Test func neCoSwEw() throws {
        #expect(try matches(#"userName ne "someone""#))
        #expect(try !matches(#"userName ne "bjensen@example.com""#))
        #expect(try matches(#"title ne "boss""#))                              // absent is not equal
        #expect(try !matches(#"emails.value ne "babs@home.org""#))           // some value equals
        #expect(try matches(#"userName co "JENSEN@""#))
        #expect(try !matches(#"userName co "smith""#))
        #expect(try matches(#"userName sw "bj""#))
        #expect(try !matches(#"userName sw "jensen""#))
        #expect(try matches(#"userName ew ".COM""#))
        #expect(try !matches(#"userName ew "org""#))
        #expect(try matches(#"emails co "home.org""#))                       // complex → value sub-attribute
        #expect(try !matches("x co 5"))
    }

    @Test func orderingOnNumbersStringsAndDates() throws {
        #expect(try matches("x gt 4") && matches("x ge 5") && matches("x lt 6") && matches("x le 5"))
        #expect(try !matches("x gt 5") || matches("x lt 5"))
        #expect(try matches(#"userName gt "a""#) && matches(#"userName lt "c""#))
        // 12:00:00.5+02:00 is 10:00:00.5Z: instants, not text.
        #expect(try matches(#"meta.lastModified gt "2024-05-01T10:00:00Z""#))
        #expect(try !matches(#"meta.lastModified gt "2024-05-01T11:00:00Z""#))
        #expect(try matches(#"meta.lastModified lt "2024-05-01T10:00:01Z""#))
        #expect(try matches(#"meta.lastModified ge "2024-05-01T10:00:00.5Z""#))
        #expect(try matches(#"meta.lastModified le "2024-05-01T10:00:00.500Z""#))
        #expect(try matches(#"meta.lastModified eq "2024-05-01T10:00:00.5Z""#))
        #expect(try matches(#"meta.created lt "2024-01-01T00:00:01+00:00""#))
        #expect(try !matches("active gt false"))
    }

    @Test func presentAndNull() throws {
        #expect(try matches("name.givenName pr"))
        #expect(try !matches("title pr"))
        #expect(try matches("emails pr"))
        #expect(try matches("name pr"))
        #expect(try matches(#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr"#))
        #expect(try !matches("name pr", ["name": ["givenName": .null]]))
        #expect(try !matches(#"name eq "Barbara""#))   // single-valued complex: no implicit `value`
        #expect(try !matches("title pr", ["title": ""]))
        #expect(try !matches("emails pr", ["emails": []]))
        #expect(try matches("title eq null"))
        #expect(try !matches("userName eq null"))
        #expect(try matches("userName ne null"))
    }

    @Test func logicalOperators() throws {
        #expect(try matches(#"userName sw "b" and active eq true"#))
        #expect(try !matches(#"userName sw "b" and active eq false"#))
        #expect(try matches(#"userName sw "z" or active eq true"#))
        #expect(try !matches(#"userName sw "z" or active eq false"#))
        #expect(try matches(#"not (userName sw "z")"#))
        #expect(try !matches(#"not (userName sw "b")"#))
        // or binds looser than and: true or (false and false) = true; (true or false) and false = false.
        #expect(try matches(#"active eq true or title pr and nickName pr"#))
        #expect(try !matches(#"(active eq true or title pr) and nickName pr"#))
    }

    @Test func valuePathMatchesOneValue() throws {
        #expect(try matches(#"emails[type eq "work" and value co "example.com"]"#))
        // Both conditions must hold for the same value.
        #expect(try !matches(#"emails[type eq "home" and value co "example.com"]"#))
        #expect(try matches(#"emails[primary eq true]"#))
        #expect(try !matches(#"emails[not (type pr)]"#))
        let group: SCIMValue = ["displayName": "Admins", "members": [["value": "u1"], ["value": "u2", "display": "Two"]]]
        #expect(try matches(#"members[value eq "u2"]"#, group, schema: .group))
        #expect(try !matches(#"members[value eq "u3"]"#, group, schema: .group))
        #expect(try matches(#"members eq "u1""#, group, schema: .group))
        #expect(try matches(#"displayName eq "admins""#, group, schema: .group))
    }

    @Test func schemaPrefixedAndExtensionAttributes() throws {
        #expect(try matches(#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bjensen""#))
        #expect(try matches(#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#))
        #expect(try matches(#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "u_boss""#))
        #expect(try !matches(#"urn:ietf:params:scim:schemas:core:2.0:Group:displayName pr"#))
        #expect(try !matches(#"employeeNumber pr"#))   // not a core attribute
    }

    @Test func dateTimes() {
        #expect(SCIMDateTime.instant("1970-01-01T00:00:00Z")?.seconds == 0)
        #expect(SCIMDateTime.instant("2000-03-01T00:00:00Z")?.seconds == 951_868_800)
        #expect(SCIMDateTime.instant("2000-03-01T02:00:00+02:00")?.seconds == 951_868_800)
        #expect(SCIMDateTime.instant("2000-03-01") == nil)
        #expect(SCIMDateTime.instant("2000-13-01T00:00:00Z") == nil)
        #expect(SCIMDateTime.instant("2000-01-01T00:00:00") == nil)
        #expect(SCIMDateTime.instant("2000-01-01T00:00:00Zjunk") == nil)
    }
}

@Suite struct SCIMFilterPositionTests {
    @Test func positionsCountCharactersNotBytes() {
        do {
            _ = try SCIMFilter.parse(#"displayName eq "Zoë" xx"#)
            Issue.record("parsed")
        } catch {
            #expect(error.detail.hasPrefix("at position 22:"), "\(error.detail)")
        }
        do {
            _ = try SCIMFilter.parse(#"displayName eq "Zoë" and ?"#)
            Issue.record("parsed")
        } catch {
            #expect(error.detail.hasPrefix("at position 26:"), "\(error.detail)")
        }
    }

    @Test func aMaximalFilterParsesQuickly() throws {
        let chain = Array(repeating: #"userName eq "x""#, count: 200).joined(separator: " or ")
        #expect(chain.utf8.count <= SCIMFilterParser.maxLength)
        let started = ContinuousClock.now
        _ = try SCIMFilter.parse(chain)
        #expect(ContinuousClock.now - started < .seconds(1))
    }
}
