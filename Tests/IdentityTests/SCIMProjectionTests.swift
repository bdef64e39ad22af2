import Testing
@testable import Identity

@Suite struct SCIMProjectionTests {
    static let enterprise = SCIMSchemaURN.enterpriseUser
    let user: SCIMValue = [
        "schemas": [.string(SCIMSchemaURN.user), .string(SCIMSchemaURN.enterpriseUser)],
        "id": "u1",
        "externalId": "e1",
        "userName": "bjensen",
        "name": ["givenName": "Barbara", "familyName": "Jensen"],
        "emails": [["value": "b@work.com", "type": "work"], ["value": "b@home.org", "type": "home"]],
        "active": true,
        "meta": ["resourceType": "User", "location": "https://x/Users/u1"],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": ["department": "R&D", "costCenter": "7"],
    ]

    private func project(_ attributes: String?, _ excluded: String?) throws -> SCIMValue {
        try SCIMProjection.apply(user, attributes: SCIMProjection.split(attributes), excludedAttributes: SCIMProjection.split(excluded), schema: .user)
    }

    @Test func attributesKeepOnlyWhatIsAskedPlusAlwaysReturned() throws {
        let result = try project("userName", nil)
        #expect(result.objectValue?.keys == ["schemas", "id", "userName", "meta"])
        let subs = try project("name.givenName, emails.value", nil)
        #expect(subs["name"] == ["givenName": "Barbara"])
        #expect(subs["emails"] == [["value": "b@work.com"], ["value": "b@home.org"]])
        #expect(subs["userName"] == nil)
        let upper = try project("USERNAME,Name", nil)
        #expect(upper["userName"] == "bjensen" && upper["name"] != nil)
    }

    @Test func urnPrefixedAndExtensionNames() throws {
        let core = try project("urn:ietf:params:scim:schemas:core:2.0:User:userName", nil)
        #expect(core["userName"] == "bjensen")
        #expect(core[Self.enterprise] == nil)
        let field = try project("\(Self.enterprise):department", nil)
        #expect(field[Self.enterprise] == ["department": "R&D"])
        let whole = try project(Self.enterprise, nil)
        #expect(whole[Self.enterprise] == ["department": "R&D", "costCenter": "7"])
        #expect(whole["userName"] == nil)
    }

    @Test func excludedAttributesDropButNeverTheAlwaysReturned() throws {
        let result = try project(nil, "emails, name.familyName, id, meta, \(Self.enterprise):costCenter")
        #expect(result["emails"] == nil)
        #expect(result["name"] == ["givenName": "Barbara"])
        #expect(result["id"] == "u1")
        #expect(result["meta"] != nil)
        #expect(result[Self.enterprise] == ["department": "R&D"])
        let group: SCIMValue = ["schemas": [.string(SCIMSchemaURN.group)], "id": "g1", "displayName": "A", "members": [["value": "u1"]]]
        let noMembers = try SCIMProjection.apply(group, attributes: nil, excludedAttributes: ["members"], schema: .group)
        #expect(noMembers.objectValue?.keys == ["schemas", "id", "displayName"])
    }

    @Test func unknownNamesAreIgnoredAndBothListsCompose() throws {
        let result = try project("nosuch, bad name!, userName", nil)
        #expect(result.objectValue?.keys == ["schemas", "id", "userName", "meta"])
        let both = try project("name", "name.givenName")
        #expect(both["name"] == ["familyName": "Jensen"])
        #expect(try project(nil, nil) == user)
        #expect(SCIMProjection.split(" , ") == nil)
        #expect(throws: SCIMLanguageError.self) {
            try SCIMProjection.apply(user, attributes: Array(repeating: "a", count: 101), excludedAttributes: nil, schema: .user)
        }
    }
}

@Suite struct SCIMDiscoveryTests {
    let discovery = SCIMDiscovery(baseURL: "https://arbiter.test/scim/v2/enterprise-connections/con_1/")

    @Test func serviceProviderConfigStatesWhatIsSupported() {
        let config = discovery.serviceProviderConfig
        #expect(config["patch"]?["supported"] == true)
        #expect(config["bulk"]?["supported"] == false)
        #expect(config["filter"] == ["supported": true, "maxResults": 200])
        #expect(config["changePassword"]?["supported"] == false)
        #expect(config["sort"]?["supported"] == false)
        #expect(config["etag"]?["supported"] == false)
        #expect(config["authenticationSchemes"]?.arrayValue?.first?["type"] == "oauthbearertoken")
        #expect(config["meta"]?["location"] == "https://arbiter.test/scim/v2/enterprise-connections/con_1/ServiceProviderConfig")
    }

    @Test func resourceTypes() {
        #expect(discovery.resourceTypes.count == 2)
        let user = discovery.resourceType(id: "user")
        #expect(user?["endpoint"] == "/Users")
        #expect(user?["schema"] == .string(SCIMSchemaURN.user))
        #expect(user?["schemaExtensions"] == [["schema": .string(SCIMSchemaURN.enterpriseUser), "required": false]])
        #expect(discovery.resourceType(id: "Group")?["schemaExtensions"] == nil)
        #expect(discovery.resourceType(id: "Device") == nil)
    }

    @Test func schemasDescribeTheAttributes() throws {
        #expect(discovery.schemas.compactMap { $0["id"]?.stringValue } == [SCIMSchemaURN.user, SCIMSchemaURN.enterpriseUser, SCIMSchemaURN.group])
        let user = try #require(discovery.schema(id: SCIMSchemaURN.user))
        let attributes = user["attributes"]?.arrayValue ?? []
        let userName = try #require(attributes.first { $0["name"] == "userName" })
        #expect(userName["required"] == true && userName["uniqueness"] == "server" && userName["caseExact"] == false)
        #expect(attributes.contains { $0["name"] == "password" } == false)
        let groups = try #require(attributes.first { $0["name"] == "groups" })
        #expect(groups["mutability"] == "readOnly" && groups["multiValued"] == true)
        #expect(groups["subAttributes"]?.arrayValue?.count == 4)
        #expect(user["meta"]?["location"] == .string("https://arbiter.test/scim/v2/enterprise-connections/con_1/Schemas/\(SCIMSchemaURN.user)"))
        let list = SCIMDiscovery.listResponse(discovery.schemas)
        #expect(list["totalResults"] == 3 && list["Resources"]?.arrayValue?.count == 3)
    }
}
