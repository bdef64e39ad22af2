import Testing
@testable import Identity

@Suite struct SCIMPatchTests {
    static let enterprise = SCIMSchemaURN.enterpriseUser

    let user: SCIMValue = [
        "schemas": [.string(SCIMSchemaURN.user)],
        "id": "u1",
        "userName": "bjensen",
        "active": true,
        "name": ["givenName": "Barbara", "familyName": "Jensen"],
        "emails": [["value": "b@work.com", "type": "work", "primary": true], ["value": "b@home.org", "type": "home"]],
        "meta": ["resourceType": "User"],
    ]

    let group: SCIMValue = [
        "schemas": [.string(SCIMSchemaURN.group)],
        "id": "g1",
        "displayName": "Admins",
        "members": [["value": "u1", "display": "One"], ["value": "u2"]],
    ]

    private func body(_ operations: SCIMValue...) -> SCIMValue {
        ["schemas": [.string(SCIMSchemaURN.patchOp)], "Operations": .array(operations)]
    }

    private func patch(_ resource: SCIMValue, _ schema: SCIMResourceSchema = .user, _ operations: SCIMValue...) throws -> SCIMValue {
        try SCIMPatch.apply(["schemas": [.string(SCIMSchemaURN.patchOp)], "Operations": .array(operations)], to: resource, schema: schema)
    }

    private func failure(_ resource: SCIMValue, _ schema: SCIMResourceSchema = .user, _ operations: SCIMValue...) -> SCIMErrorType? {
        do {
            _ = try SCIMPatch.apply(["schemas": [.string(SCIMSchemaURN.patchOp)], "Operations": .array(operations)], to: resource, schema: schema)
            return nil
        } catch {
            return error.scimType
        }
    }

    // MARK: add

    @Test func addWithPath() throws {
        let result = try patch(user, .user, ["op": "add", "path": "title", "value": "Boss"],
                               ["op": "add", "path": "name.middleName", "value": "J"],
                               ["op": "add", "path": "emails", "value": [["value": "x@y.z", "type": "other"]]])
        #expect(result["title"] == "Boss")
        #expect(result["name"] == ["givenName": "Barbara", "familyName": "Jensen", "middleName": "J"])
        #expect(result["emails"]?.arrayValue?.count == 3)
        #expect(result["emails"]?.arrayValue?.last == ["value": "x@y.z", "type": "other"])
    }

    @Test func addWithoutPathMergesAttributes() throws {
        let result = try patch(user, .user, ["op": "add", "value": [
            "nickName": "Babs", "name": ["honorificPrefix": "Ms."],
            "emails": [["value": "b@work.com", "display": "Work"]],
            Self.enterprise: ["department": "R&D"],
        ]])
        #expect(result["nickName"] == "Babs")
        #expect(result["name"]?["givenName"] == "Barbara")
        #expect(result["name"]?["honorificPrefix"] == "Ms.")
        // An existing value (same `value`) is merged, not duplicated.
        #expect(result["emails"]?.arrayValue?.count == 2)
        #expect(result["emails"]?.arrayValue?.first?["display"] == "Work")
        #expect(result[Self.enterprise]?["department"] == "R&D")
        #expect(result["schemas"]?.arrayValue?.contains(.string(Self.enterprise)) == true)
    }

    @Test func addGroupMembersDeduplicates() throws {
        let result = try patch(group, .group, ["op": "add", "path": "members", "value": [["value": "u2"], ["value": "u3", "display": "Three"]]])
        #expect(result["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } == ["u1", "u2", "u3"])
    }

    @Test func addNewPrimaryClearsTheOldOne() throws {
        let result = try patch(user, .user, ["op": "add", "path": "emails", "value": [["value": "n@new.com", "primary": true]]])
        let primaries = result["emails"]?.arrayValue?.filter { $0["primary"] == true }
        #expect(primaries == [["value": "n@new.com", "primary": true]])
    }

    @Test func addWithFilterCreatesTheValueTheFilterDescribes() throws {
        // Entra sends this for a user with no work phone.
        let result = try patch(user, .user, ["op": "add", "path": #"phoneNumbers[type eq "work"].value"#, "value": "555"])
        #expect(result["phoneNumbers"] == [["type": "work", "value": "555"]])
        let updated = try patch(user, .user, ["op": "add", "path": #"emails[type eq "work"].display"#, "value": "W"])
        #expect(updated["emails"]?.arrayValue?.first?["display"] == "W")
        #expect(updated["emails"]?.arrayValue?.count == 2)
    }

    // MARK: replace

    @Test func replaceWithPath() throws {
        let result = try patch(user, .user, ["op": "replace", "path": "userName", "value": "babs"],
                               ["op": "replace", "path": "name", "value": ["givenName": "Babs"]],
                               ["op": "replace", "path": "emails", "value": [["value": "only@x.com"]]])
        #expect(result["userName"] == "babs")
        // Sub-attributes not given are left unchanged (RFC 7644 §3.5.2.3).
        #expect(result["name"] == ["givenName": "Babs", "familyName": "Jensen"])
        #expect(result["emails"] == [["value": "only@x.com"]])
    }

    @Test func replaceWithFilterAndSubAttribute() throws {
        let result = try patch(user, .user, ["op": "replace", "path": #"emails[type eq "work"].value"#, "value": "new@work.com"])
        #expect(result["emails"]?.arrayValue?.first == ["value": "new@work.com", "type": "work", "primary": true])
        #expect(result["emails"]?.arrayValue?.last == ["value": "b@home.org", "type": "home"])
        let whole = try patch(user, .user, ["op": "replace", "path": #"emails[type eq "home"]"#, "value": ["display": "Home"]])
        #expect(whole["emails"]?.arrayValue?.last == ["value": "b@home.org", "type": "home", "display": "Home"])
    }

    @Test func replaceWithoutPathOktaDeprovisioning() throws {
        let result = try patch(user, .user, ["op": "replace", "value": ["active": false]])
        #expect(result["active"] == false)
        // Entra sends booleans as strings, with capitalised op names.
        let entra = try patch(user, .user, ["op": "Replace", "path": "active", "value": "False"])
        #expect(entra["active"] == false)
        let again = try patch(entra, .user, ["op": "replace", "value": ["active": "True"]])
        #expect(again["active"] == true)
        // Okta repeats the id in a path-less value: unchanged read-only values are ignored.
        let okta = try patch(group, .group, ["op": "replace", "value": ["id": "g1", "displayName": "Renamed"]])
        #expect(okta["displayName"] == "Renamed")
    }

    @Test func replaceWithoutPathExtensionAndURNKeys() throws {
        let result = try patch(user, .user, ["op": "replace", "value": [
            "\(Self.enterprise):employeeNumber": "42",
            "urn:ietf:params:scim:schemas:core:2.0:User:title": "Chief",
            "name.familyName": "J",
        ]])
        #expect(result[Self.enterprise]?["employeeNumber"] == "42")
        #expect(result["title"] == "Chief")
        #expect(result["name"]?["familyName"] == "J")
        #expect(result["name"]?["givenName"] == "Barbara")
    }

    @Test func bareExtensionURNPath() throws {
        // scim2-tester sends the whole extension object, with its own `schemas` member.
        let added = try patch(user, .user, ["op": "add", "path": .string(Self.enterprise), "value": [
            "schemas": [.string(Self.enterprise)], "department": "R&D", "manager": ["value": "u_boss"],
        ]])
        #expect(added[Self.enterprise] == ["department": "R&D", "manager": ["value": "u_boss"]])
        let replaced = try patch(added, .user, ["op": "replace", "path": .string(Self.enterprise), "value": ["department": "Ops"]])
        #expect(replaced[Self.enterprise]?["department"] == "Ops")
        let removed = try patch(replaced, .user, ["op": "remove", "path": .string(Self.enterprise)])
        #expect(removed[Self.enterprise] == nil)
        #expect(removed["schemas"] == [.string(SCIMSchemaURN.user)])
    }

    @Test func entraManagerAsString() throws {
        let result = try patch(user, .user, ["op": "add", "path": .string("\(Self.enterprise):manager"), "value": "u_boss"])
        #expect(result[Self.enterprise]?["manager"] == ["value": "u_boss"])
        let removed = try patch(result, .user, ["op": "remove", "path": .string("\(Self.enterprise):manager")])
        #expect(removed[Self.enterprise] == nil)
        #expect(removed["schemas"]?.arrayValue?.contains(.string(Self.enterprise)) == false)
    }

    @Test func replaceGroupMembers() throws {
        let result = try patch(group, .group, ["op": "replace", "path": "members", "value": [["value": "u9"]]])
        #expect(result["members"] == [["value": "u9"]])
        let emptied = try patch(group, .group, ["op": "replace", "path": "members", "value": []])
        #expect(emptied["members"] == nil)
    }

    @Test func replaceUnmatchedFilterIsNoTarget() {
        #expect(failure(group, .group, ["op": "replace", "path": #"members[value eq "nope"]"#, "value": ["display": "x"]]) == .noTarget)
        #expect(failure(user, .user, ["op": "replace", "path": #"emails[value co "zzz"].type"#, "value": "work"]) == .noTarget)
        // Only add creates the value an equality filter describes; replace must find one.
        #expect(failure(user, .user, ["op": "replace", "path": #"phoneNumbers[type eq "work"].value"#, "value": "555"]) == .noTarget)
        #expect(failure(user, .user, ["op": "replace", "path": #"emails[type eq "other"].value"#, "value": "x@y.z"]) == .noTarget)
    }

    // MARK: remove

    @Test func removeWithPaths() throws {
        let result = try patch(user, .user, ["op": "remove", "path": "name.givenName"],
                               ["op": "remove", "path": #"emails[type eq "home"]"#],
                               ["op": "remove", "path": "title"])
        #expect(result["name"] == ["familyName": "Jensen"])
        #expect(result["emails"] == [["value": "b@work.com", "type": "work", "primary": true]])
        let all = try patch(user, .user, ["op": "remove", "path": "emails"])
        #expect(all["emails"] == nil)
        let sub = try patch(user, .user, ["op": "remove", "path": #"emails[type eq "work"].primary"#])
        #expect(sub["emails"]?.arrayValue?.first == ["value": "b@work.com", "type": "work"])
    }

    @Test func removeGroupMemberByFilterOrValueList() throws {
        let okta = try patch(group, .group, ["op": "remove", "path": #"members[value eq "u1"]"#])
        #expect(okta["members"] == [["value": "u2"]])
        let entra = try patch(group, .group, ["op": "remove", "path": "members", "value": [["value": "u2"]]])
        #expect(entra["members"] == [["value": "u1", "display": "One"]])
        let last = try patch(okta, .group, ["op": "remove", "path": #"members[value eq "u2"]"#])
        #expect(last["members"] == nil)
        // Removing a member that is not there changes nothing.
        #expect(try patch(group, .group, ["op": "remove", "path": #"members[value eq "zz"]"#]) == group)
    }

    @Test func removeWithoutPathIsNoTarget() {
        #expect(failure(user, .user, ["op": "remove"]) == .noTarget)
        #expect(failure(user, .user, ["op": "remove", "value": ["title": "x"]]) == .noTarget)
    }

    // MARK: errors

    @Test func mutability() {
        #expect(failure(user, .user, ["op": "replace", "path": "id", "value": "other"]) == .mutability)
        #expect(failure(user, .user, ["op": "replace", "value": ["id": "other"]]) == .mutability)
        #expect(failure(user, .user, ["op": "add", "path": "meta.created", "value": "2020-01-01T00:00:00Z"]) == .mutability)
        #expect(failure(user, .user, ["op": "remove", "path": "meta"]) == .mutability)
        #expect(failure(user, .user, ["op": "add", "path": "groups", "value": [["value": "g1"]]]) == .mutability)
        #expect(failure(user, .user, ["op": "remove", "path": "userName"]) == .mutability)
        #expect(failure(group, .group, ["op": "replace", "path": #"members[value eq "u1"].value"#, "value": "u5"]) == .mutability)
        #expect(failure(group, .group, ["op": "replace", "path": #"members[value eq "u1"]"#, "value": ["value": "u5"]]) == .mutability)
    }

    @Test func invalidPathsAndValues() {
        #expect(failure(user, .user, ["op": "add", "path": "nosuch", "value": "x"]) == .invalidPath)
        #expect(failure(user, .user, ["op": "add", "path": "name.nosuch", "value": "x"]) == .invalidPath)
        #expect(failure(user, .user, ["op": "add", "path": #"userName[value eq "x"]"#, "value": "x"]) == .invalidPath)
        #expect(failure(user, .user, ["op": "add", "path": "emails[type eq", "value": "x"]) == .invalidPath)
        #expect(failure(user, .user, ["op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:Group:displayName", "value": "x"]) == .invalidPath)
        #expect(failure(user, .user, ["op": "add", "path": 5, "value": "x"]) == .invalidPath)
        #expect(failure(user, .user, ["op": "replace", "path": "active", "value": "yes"]) == .invalidValue)
        #expect(failure(user, .user, ["op": "replace", "path": "userName", "value": 5]) == .invalidValue)
        #expect(failure(user, .user, ["op": "replace", "path": "name", "value": ["nope": "x"]]) == .invalidValue)
        #expect(failure(user, .user, ["op": "replace", "value": "x"]) == .invalidValue)
        #expect(failure(user, .user, ["op": "add", "path": "title"]) == .invalidValue)
        #expect(failure(user, .user, ["op": "move", "path": "title", "value": "x"]) == .invalidSyntax)
        #expect(failure(user, .user, ["op": 1]) == .invalidSyntax)
    }

    @Test func requestShape() {
        func error(_ body: SCIMValue) -> SCIMErrorType? {
            do { _ = try SCIMPatch.apply(body, to: user, schema: .user); return nil } catch { return error.scimType }
        }
        #expect(error(["Operations": [["op": "add", "path": "title", "value": "x"]]]) == .invalidSyntax)
        #expect(error(["schemas": [.string(SCIMSchemaURN.patchOp)]]) == .invalidSyntax)
        #expect(error(["schemas": [.string(SCIMSchemaURN.patchOp)], "Operations": []]) == .invalidSyntax)
        #expect(error("x") == .invalidSyntax)
        let many = SCIMValue.array(Array(repeating: ["op": "add", "path": "title", "value": "x"], count: 101))
        #expect(error(["schemas": [.string(SCIMSchemaURN.patchOp)], "Operations": many]) == .tooMany)
        // "operations" in any case.
        #expect(error(["schemas": [.string(SCIMSchemaURN.patchOp)], "operations": [["op": "add", "path": "title", "value": "x"]]]) == nil)
    }

    @Test func failingRequestChangesNothing() throws {
        // The applier works on a copy: the caller's resource is a value, and an error means no result.
        #expect(failure(user, .user, ["op": "replace", "path": "title", "value": "ok"], ["op": "replace", "path": "id", "value": "x"]) == .mutability)
        #expect(user["title"] == nil)
    }

    // MARK: real provider bodies, as JSON text

    @Test func entraUserBody() throws {
        let body = try SCIMValue.parse(#"""
        {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
          {"op":"Replace","path":"displayName","value":"Ryan3"},
          {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updated@microsoft.com"},
          {"op":"Replace","path":"name.familyName","value":"Updated"},
          {"op":"Add","path":"externalId","value":"ext-9"},
          {"op":"Add","path":"roles","value":[{"primary":"True","value":"Admin"}]},
          {"op":"Add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7"}},
          {"op":"Replace","path":"active","value":"False"}]}
        """#)
        let result = try SCIMPatch.apply(body, to: user, schema: .user)
        #expect(result["displayName"] == "Ryan3")
        #expect(result["emails"]?.arrayValue?.first?["value"] == "updated@microsoft.com")
        #expect(result["name"]?["familyName"] == "Updated")
        #expect(result["externalId"] == "ext-9")
        #expect(result["roles"] == [["primary": true, "value": "Admin"]])
        #expect(result[Self.enterprise]?["employeeNumber"] == "7")
        #expect(result["active"] == false)
    }

    @Test func oktaAndEntraGroupBodies() throws {
        let okta = try SCIMValue.parse(#"""
        {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
          {"op":"replace","value":{"id":"g1","displayName":"Renamed"}},
          {"op":"remove","path":"members[value eq \"u1\"]"},
          {"op":"add","path":"members","value":[{"value":"u3","display":"three@example.com"}]}]}
        """#)
        let afterOkta = try SCIMPatch.apply(okta, to: group, schema: .group)
        #expect(afterOkta["displayName"] == "Renamed")
        #expect(afterOkta["members"]?.arrayValue?.compactMap { $0["value"]?.stringValue } == ["u2", "u3"])
        let entra = try SCIMValue.parse(#"""
        {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
          {"op":"Add","path":"members","value":[{"value":"u4"}]},
          {"op":"Remove","path":"members","value":[{"value":"u2"},{"value":"u3"}]}]}
        """#)
        let afterEntra = try SCIMPatch.apply(entra, to: afterOkta, schema: .group)
        #expect(afterEntra["members"] == [["value": "u4"]])
    }
}
