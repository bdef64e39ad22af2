import Testing
@testable import Identity

@Suite struct SCIMPathTests {
    @Test func attributeAndSubAttribute() throws {
        #expect(try SCIMPath.parse("userName") == SCIMPath(attribute: "userName"))
        #expect(try SCIMPath.parse(" name.givenName ") == SCIMPath(attribute: "name", subAttribute: "givenName"))
        #expect(try SCIMPath.parse("members.$ref") == SCIMPath(attribute: "members", subAttribute: "$ref"))
    }

    @Test func valueFilters() throws {
        let path = try SCIMPath.parse(#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#)
        #expect(path.attribute == "members")
        #expect(path.valueFilter == .compare(SCIMAttributePath(attribute: "value"), .eq, "2819c223-7f76-453a-919d-413861904646"))
        #expect(path.subAttribute == nil)
        let sub = try SCIMPath.parse(#"emails[type eq "work" and primary eq true].value"#)
        #expect(sub.subAttribute == "value")
        #expect(sub.valueFilter == .and([
            .compare(SCIMAttributePath(attribute: "type"), .eq, "work"),
            .compare(SCIMAttributePath(attribute: "primary"), .eq, true),
        ]))
        // A bracket inside a quoted string does not end the filter.
        let quoted = try SCIMPath.parse(#"emails[value eq "a]b\"c"].display"#)
        #expect(quoted.valueFilter == .compare(SCIMAttributePath(attribute: "value"), .eq, "a]b\"c"))
        #expect(quoted.subAttribute == "display")
    }

    @Test func schemaPrefixes() throws {
        #expect(try SCIMPath.parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
                == SCIMPath(schema: SCIMSchemaURN.enterpriseUser, attribute: "manager", subAttribute: "value"))
        #expect(try SCIMPath.parse("urn:ietf:params:scim:schemas:core:2.0:User:name.familyName")
                == SCIMPath(schema: SCIMSchemaURN.user, attribute: "name", subAttribute: "familyName"))
        #expect(try SCIMPath.parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                == SCIMPath(schema: SCIMSchemaURN.enterpriseUser, attribute: nil))
        #expect(try SCIMPath.parse(#"urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value"#).schema == SCIMSchemaURN.user)
    }

    @Test(arguments: [
        "", "   ", "name.givenName.x", "emails[type eq \"work\"", "emails[]", "emails[type eq]",
        "emails[type eq \"work\"]value", "emails[type eq \"work\"].", "emails.value[type eq \"w\"]",
        "emails[type eq \"work\"].value.x", "1abc", "user name", "emails[type[value eq 1]]", "foo:bar",
    ])
    func invalidPaths(_ text: String) {
        do {
            _ = try SCIMPath.parse(text)
            Issue.record("parsed \(text)")
        } catch {
            #expect(error.scimType == .invalidPath)
        }
    }

    @Test func descriptionRoundTrips() throws {
        for text in [#"emails[type eq "work"].value"#, "name.givenName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"] {
            #expect(try SCIMPath.parse(SCIMPath.parse(text).description) == SCIMPath.parse(text))
        }
    }
}
