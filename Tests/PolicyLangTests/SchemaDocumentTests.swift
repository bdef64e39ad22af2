import Testing
@testable import PolicyLang

@Suite struct SchemaDocumentTests {
    static let schema = """
        kind: schema
        entityTypes:
          User:
            memberOf: [Group]
            attributes:
              name: String
              age: Long
              admin: Boolean
              nickname: {type: String, required: false}
              manager: User
              boss: {type: Entity, name: User, required: false}
              tags: {type: Set, element: String}
              groups: {type: Set, element: Group}
              address: {type: Record, attributes: {city: String, zip: {type: Long, required: false}}}
              home: ipaddr
              score: decimal
          Group:
            memberOf: [Group]
          Document:
            memberOf: [Folder]
            attributes:
              owner: User
              public: Boolean
          Folder: {}
          Device:
        actions:
          read:
            principals: [User]
            resources: [Document, Folder]
            context:
              ip: ipaddr
              mfa: Boolean
              level: {type: Long, required: false}
          write:
            principals: [User]
            resources: [Document]
          delete:
        """

    @Test func readsTheModel() throws {
        let (set, diagnostics) = load(["s.yaml": Self.schema])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let schema = try #require(set.schema)
        #expect(schema.entityTypes.keys.sorted() == ["Device", "Document", "Folder", "Group", "User"])
        let user = try #require(schema.entityTypes["User"])
        #expect(user.memberOf == ["Group"])
        #expect(user.attributes["name"]?.type == .string)
        #expect(user.attributes["age"]?.type == .long)
        #expect(user.attributes["admin"]?.type == .boolean)
        #expect(user.attributes["nickname"]?.required == false)
        #expect(user.attributes["name"]?.required == true)
        #expect(user.attributes["manager"]?.type == .entity("User"))
        #expect(user.attributes["boss"]?.type == .entity("User"))
        #expect(user.attributes["tags"]?.type == .set(.string))
        #expect(user.attributes["groups"]?.type == .set(.entity("Group")))
        #expect(user.attributes["home"]?.type == .ipaddr)
        #expect(user.attributes["score"]?.type == .decimal)
        guard case .record(let address)? = user.attributes["address"]?.type else {
            Issue.record("address is not a record"); return
        }
        #expect(address["city"]?.type == .string)
        #expect(address["zip"]?.required == false)
        let read = try #require(schema.actions["read"])
        #expect(read.principals == ["User"])
        #expect(read.resources == ["Document", "Folder"])
        #expect(read.context["ip"]?.type == .ipaddr)
        #expect(read.context["level"]?.required == false)
        #expect(schema.actions["delete"]?.principals == [])
        #expect(schema.canBeMember("Document", of: "Folder"))
        #expect(schema.canBeMember("User", of: "Group"))
        #expect(!schema.canBeMember("Group", of: "User"))
        #expect(!schema.canBeMember("Document", of: "Group"))
    }

    @Test func errorsInSchemas() {
        let text = """
            kind: schema
            entityTypes:
              User:
                memberOf: [Team]
                attributes:
                  a: string
                  b: {type: Set}
                  c: {type: Entity}
                  d: {type: Record, attributes: {x: Strin}}
                  e: {type: String, required: maybe}
                  f: {typ: String}
                  g: Set
                  h: [String]
                  i: Widget
                parents: []
            actions:
              read:
                principals: [Usr]
                resource: [User]
            """
        let (set, diagnostics) = load(["s.yaml": text])
        #expect(positions(diagnostics) == [
            "15:5 unknown key 'parents' in an entity type",
            "6:10 unknown type 'string'",
            "7:10 a Set needs an 'element' type",
            "8:10 an Entity type needs a 'name'",
            "10:35 required must be true or false",
            "11:11 unknown key 'typ' in an attribute type",
            "11:10 attribute type has no 'type'",
            "12:10 Set needs more than its name",
            "13:10 an attribute type must be a mapping, found a list",
            "19:5 unknown key 'resource' in an action",
        ])
        #expect(diagnostics[1].hint == "did you mean 'String'?")
        #expect(set.schema == nil)
    }

    @Test func undeclaredTypesAcrossDocuments() {
        let a = """
            kind: schema
            entityTypes:
              User: {memberOf: [Team], attributes: {w: Widget, s: {type: Set, element: Gadget}}}
            actions:
              read: {principals: [Usr], resources: [User]}
            """
        let b = "kind: schema\nentityTypes:\n  User: {}\nactions:\n  read: {}\n"
        let (_, diagnostics) = load(["a.yaml": a, "b.yaml": b])
        #expect(diagnostics.map { "\($0.location) \($0.message)" } == [
            "b.yaml:3:3 entity type 'User' is declared twice",
            "b.yaml:5:3 action 'read' is declared twice",
            "a.yaml:3:3 memberOf type 'Team' is not a declared entity type",
            "a.yaml:3:55 attribute type 'Gadget' is not a declared entity type",
            "a.yaml:3:44 attribute type 'Widget' is not a declared entity type",
            "a.yaml:5:3 principal type 'Usr' is not a declared entity type",
        ])
        #expect(diagnostics[5].hint == "did you mean 'User'?")
    }
}
