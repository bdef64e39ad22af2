import Foundation
import Testing
@testable import PolicyLang

@Suite struct TestSuiteDocumentTests {
    static let policy = "kind: policy\nid: p\nrules:\n  - {id: allow-all, effect: allow}\n"

    @Test func inlineEntitiesAndCases() throws {
        let text = """
            kind: test
            id: basics
            entities:
              - uid: 'User::"alice"'
                attrs:
                  age: 42
                  name: alice
                  quoted: "true"
                  admin: true
                  tags: [a, b]
                  address: {city: Paris}
                  manager: {__entity: {type: User, id: bob}}
                  ip: {__extn: {fn: ip, arg: 10.0.0.1}}
                parents: ['Group::"eng"', {type: Group, id: all}]
              - uid: {type: Group, id: eng}
            cases:
              - name: alice reads
                principal: 'User::"alice"'
                action: read
                resource: 'Document::"d1"'
                context: {mfa: true, level: 3}
                expect: allow
                reasons: [allow-all]
              - name: qualified action
                principal: 'User::"bob"'
                action: 'Action::"write"'
                resource: 'Document::"d1"'
                expect: deny
            """
        let (set, diagnostics) = load(["p.yaml": Self.policy, "t.yaml": text])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let suite = try #require(set.tests.first)
        #expect(suite.id == "basics")
        #expect(suite.entities.count == 2)
        let alice = suite.entities[0]
        #expect(alice.uid == EntityUID(type: "User", id: "alice"))
        #expect(alice.attributes == [
            "age": .long(42), "name": .string("alice"), "quoted": .string("true"), "admin": .bool(true),
            "tags": .set([.string("a"), .string("b")]), "address": .record(["city": .string("Paris")]),
            "manager": .entity(EntityUID(type: "User", id: "bob")),
            "ip": .extension(function: "ip", argument: "10.0.0.1"),
        ])
        #expect(alice.parents == [EntityUID(type: "Group", id: "eng"), EntityUID(type: "Group", id: "all")])
        #expect(alice.location == Loc(file: "t.yaml", line: 4, column: 5))
        #expect(suite.cases.count == 2)
        let first = suite.cases[0]
        #expect(first.name == "alice reads")
        #expect(first.action == EntityUID(type: "Action", id: "read"))
        #expect(first.context == ["mfa": .bool(true), "level": .long(3)])
        #expect(first.expect == .allow)
        #expect(first.reasons == ["allow-all"])
        #expect(suite.cases[1].action == EntityUID(type: "Action", id: "write"))
        #expect(suite.cases[1].reasons == nil)
        #expect(suite.cases[1].expect == .deny)
    }

    @Test func everyErrorIsReported() {
        let text = """
            kind: test
            id: broken
            entities:
              - uid: 'User::"a"'
                attrs: {x: 1.5, y: ~, z: {__extn: {fn: frob, arg: x}}}
              - attrs: {}
              - uid: 'User::"a"'
              - uid: {type: User}
                color: red
            cases:
              - name: one
                principal: alice
                action: read
                resource: 'Doc::"d"'
                expect: maybe
                reasons: [nope]
              - name: one
                principal: 'User::"a"'
                action: read
                resource: 'Doc::"d"'
                expect: allow
              - name: two
            """
        let (set, diagnostics) = load(["t.yaml": text])
        #expect(positions(diagnostics) == [
            "5:16 attribute 'x' '1.5' is not a 64-bit integer",
            "5:24 attribute 'y' is null; Cedar has no null",
            "5:44 unknown extension function 'frob'",
            "6:5 entity has no uid",
            "9:5 unknown key 'color' in an entity",
            "8:10 uid needs both type and id",
            "12:16 expected an entity reference such as alice::\"id\"",
            "15:13 expect must be allow or deny, found 'maybe'",
            "22:5 test case has no 'principal'",
            "22:5 test case has no 'resource'",
            "22:5 test case has no 'action'",
            "22:5 test case has no 'expect'",
            "16:15 reason 'nope' is not a rule id of this policy set",
        ])
        #expect(set.tests.isEmpty)
    }

    @Test func duplicateEntities() {
        let text = """
            kind: test
            id: dup
            entities:
              - uid: 'User::"a"'
              - uid: {__entity: {type: User, id: a}}
            cases:
              - {name: c, principal: 'User::"a"', action: read, resource: 'User::"a"', expect: deny}
              - {name: c, principal: 'User::"a"', action: read, resource: 'User::"a"', expect: deny}
            """
        let (_, diagnostics) = load(["t.yaml": text])
        #expect(positions(diagnostics) == [#"5:5 entity User::"a" is defined twice"#, "8:5 two cases are named 'c'"])
    }

    @Test func entitiesFileFromUpload() throws {
        let json = """
            [
              {"uid": {"type": "User", "id": "alice"}, "attrs": {"age": 7, "ok": false,
                "boss": {"__entity": {"type": "User", "id": "bob"}}}, "parents": [{"type": "Group", "id": "g"}]},
              {"uid": {"__entity": {"type": "User", "id": "bob"}}, "attrs": {}, "parents": []}
            ]
            """
        let text = "kind: test\nid: t\nentitiesFile: entities.json\ncases: []\n"
        let (set, diagnostics) = load(["t.yaml": text, "entities.json": json])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let suite = try #require(set.tests.first)
        #expect(suite.entitiesFile == "entities.json")
        #expect(suite.entities.map(\.uid.id) == ["alice", "bob"])
        #expect(suite.entities[0].attributes["boss"] == .entity(EntityUID(type: "User", id: "bob")))
        #expect(suite.entities[0].location == Loc(file: "entities.json", line: 2, column: 3))
    }

    @Test func badEntitiesFiles() {
        let text = "kind: test\nid: t\nentitiesFile: missing.json\ncases: []\n"
        let (_, missing) = load(["t.yaml": text])
        #expect(positions(missing) == ["3:15 no uploaded file named 'missing.json'"])

        let broken = "kind: test\nid: t\nentitiesFile: e.json\ncases: []\n"
        let (_, diagnostics) = load(["t.yaml": broken, "e.json": "[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"n\": 1.5}}"])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.location.file == "e.json")
        #expect(diagnostics.first?.message.hasPrefix("e.json is not a valid entities file") == true)

        let (_, wrongValue) = load(["t.yaml": broken, "e.json": #"[{"uid": {"type": "User", "id": "a"}, "attrs": {"n": 1.5}}]"#])
        #expect(wrongValue.map { "\($0.location) \($0.message)" } == ["e.json:1:54 attribute 'n' '1.5' is not a 64-bit integer"])
    }

    @Test func entitiesFileFromDirectory() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"[{"uid": {"type": "User", "id": "a"}, "attrs": {}, "parents": []}]"#
            .write(toFile: dir + "/e.json", atomically: true, encoding: .utf8)
        try "kind: test\nid: t\nentitiesFile: e.json\ncases: []\n"
            .write(toFile: dir + "/t.yaml", atomically: true, encoding: .utf8)
        let (set, diagnostics) = PolicySetLoader.load(directory: dir)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(set.tests.first?.entities.map(\.uid) == [EntityUID(type: "User", id: "a")])
        #expect(set.tests.first?.entitiesFile == dir + "/e.json")
    }
}
