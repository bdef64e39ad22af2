import Evaluator
import PolicyLang
import Testing

@Suite struct EntityJSONTests {
    @Test func readsCedarEntitiesFormat() throws {
        let text = """
        [
          {"uid": {"type": "User", "id": "alice"},
           "attrs": {"age": 30, "admin": false, "name": "Al\\u00efce \\"A\\"",
                     "manager": {"__entity": {"type": "User", "id": "bob"}},
                     "ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}},
                     "limit": {"__extn": {"fn": "decimal", "arg": "1.5"}},
                     "tags": ["x", "y", "x"], "address": {"city": "Oslo", "zip": 123}},
           "parents": [{"type": "Group", "id": "eng"}, {"__entity": {"type": "Group", "id": "ops"}}]},
          {"uid": {"__entity": {"type": "Group", "id": "eng"}}, "attrs": {}, "parents": [], "tags": {}},
          {"uid": {"type": "Acme::Doc", "id": "d"}}
        ]
        """
        let entities = try CedarJSON.entities(from: Array(text.utf8))
        #expect(entities.count == 3)
        let alice = try #require(entities[uid("User", "alice")])
        #expect(alice.attributes["age"] == .long(30))
        #expect(alice.attributes["admin"] == .bool(false))
        #expect(alice.attributes["name"] == .string("Alïce \"A\""))
        #expect(alice.attributes["manager"] == .entity(uid("User", "bob")))
        #expect(alice.attributes["ip"] == .ipaddr(try IPAddress.parse("10.0.0.1").get()))
        #expect(alice.attributes["limit"] == .decimal(CedarDecimal(scaled: 15_000)))
        #expect(alice.attributes["tags"] == .set([.string("x"), .string("y")]))
        #expect(alice.attributes["address"] == .record(["city": .string("Oslo"), "zip": .long(123)]))
        #expect(alice.parents == [uid("Group", "eng"), uid("Group", "ops")])
        #expect(entities[uid("Acme::Doc", "d")]?.attributes.isEmpty == true)
    }

    @Test(arguments: [
        "{}",
        "[{\"uid\": {\"type\": \"U\"}}]",
        "[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}, \"attrs\": {\"x\": 1.5}}]",
        "[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}, \"attrs\": {\"x\": null}}]",
        "[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}, \"attrs\": {\"x\": 99999999999999999999}}]",
        "[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}, \"attrs\": {\"x\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"nope\"}}}}]",
        "[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}, \"color\": 1}]",
        "[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}}, {\"uid\": {\"type\": \"U\", \"id\": \"a\"}}]",
        "[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}, \"parents\": {}}]",
        "[{\"uid\": {\"type\": \"U\", \"id\": \"a\"}",
        "[{\"uid\": {\"type\": \"U\", \"id\": \"a\", \"id\": \"b\"}}]",
        "[1] x",
        String(repeating: "[", count: 500) + String(repeating: "]", count: 500),
    ])
    func refusesBadInput(_ text: String) {
        #expect(throws: EntityJSONError.self) { try CedarJSON.entities(from: Array(text.utf8)) }
    }

    @Test func readsRequestLines() throws {
        let line = #"{"principal": "User::\"alice\"", "action": "Action::\"read\"", "resource": {"type": "Acme::Doc", "id": "d \"1\""}, "context": {"n": -5, "ok": true}}"#
        let r = try CedarJSON.request(from: Array(line.utf8))
        #expect(r.principal == uid("User", "alice"))
        #expect(r.action == uid("Action", "read"))
        #expect(r.resource == uid("Acme::Doc", "d \"1\""))
        #expect(r.context == ["n": .long(-5), "ok": .bool(true)])
        #expect(try CedarJSON.parseEntityUID(#"Acme::Doc::"x\"y""#) == uid("Acme::Doc", "x\"y"))
        #expect(throws: EntityJSONError.self) { try CedarJSON.parseEntityUID("User:alice") }
        #expect(throws: EntityJSONError.self) { try CedarJSON.request(from: Array(#"{"principal": "User::\"a\""}"#.utf8)) }
    }

    @Test func jsonNumbersAndStrings() throws {
        #expect(try JSON.parse("-9223372036854775808") == .integer(.min))
        #expect(try JSON.parse("9223372036854775808") == .number("9223372036854775808"))
        #expect(try JSON.parse("1e3") == .number("1e3"))
        #expect(try JSON.parse(#""\ud83d\ude00\n""#) == .string("😀\n"))
        #expect(throws: EntityJSONError.self) { try JSON.parse("01") }
        #expect(throws: EntityJSONError.self) { try JSON.parse(#""\ud83d""#) }
    }
}
