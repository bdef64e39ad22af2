import Testing
@testable import PolicyLang

@Suite struct TypeCheckerTests {
    /// Type-checks one rule against `SchemaDocumentTests.schema`; `when` is the condition.
    func check(
        _ when: String, unless: String? = nil, principal: String = "User", resource: String = "Document",
        actions: String = "[read]"
    ) -> [String] {
        var rule = "  - id: r\n    effect: allow\n    principal: \(principal)\n    resource: \(resource)\n"
        rule += "    actions: \(actions)\n    when: '\(when)'\n"
        if let unless { rule += "    unless: '\(unless)'\n" }
        let (_, diagnostics) = load(["s.yaml": SchemaDocumentTests.schema, "p.yaml": "kind: policy\nid: p\nrules:\n" + rule])
        return diagnostics.map { "\($0.location.file == "p.yaml" ? "" : $0.location.file)\($0.location.line):\($0.location.column) \($0.message)" }
    }

    @Test(arguments: [
        "principal.name == \"a\" && principal.age >= 18 && principal.admin",
        "resource.owner == principal && resource.owner.manager.name like \"a*\"",
        "principal has nickname && principal.nickname == \"x\"",
        "principal has address && principal.address has zip && principal.address.zip > 1",
        "principal.address.city == \"Paris\"",
        "!(principal has nickname) || principal.nickname == \"x\"",
        "if principal has nickname then principal.nickname == \"a\" else false",
        "context.ip.isInRange(ip(\"10.0.0.0/8\")) && context.mfa",
        "principal.score.lessThan(decimal(\"1.5\"))",
        "principal.tags.contains(\"a\") && principal.tags.containsAny([\"b\"])",
        "principal in Group::\"eng\" && resource in Folder::\"root\"",
        "principal in principal.groups",
        "principal is User in Group::\"g\"",
        "action == Action::\"read\" && action in [Action::\"read\", Action::\"write\"]",
        "context has level && context.level + 1 > 2",
        "{a: 1}.a == 1 && [1, 2].contains(principal.age * 2 - 1)",
        "resource.owner in Group::\"g\"",
        "principal == resource",
    ])
    func wellTyped(_ condition: String) {
        #expect(check(condition) == [], "\(condition)")
    }

    @Test func unlessSeesWhenGuards() {
        #expect(check("principal has nickname", unless: "principal.nickname == \"x\"") == [])
        #expect(check("true", unless: "principal.nickname == \"x\"") == [
            "10:14 attribute 'nickname' of User is optional and may be missing",
        ])
    }

    @Test(arguments: [
        ("principal.nmae == \"a\"", "9:12 entity type User has no attribute 'nmae'"),
        ("principal.nickname == \"a\"", "9:12 attribute 'nickname' of User is optional and may be missing"),
        ("principal.address.zip == 1", "9:12 attribute 'zip' is optional and may be missing"),
        ("context.level > 1", "9:12 attribute 'level' is optional and may be missing"),
        ("context.nope", "9:12 context has no attribute 'nope'"),
        ("principal.name == 1", "9:12 comparing String with Long is always false"),
        ("principal.age != \"1\"", "9:12 comparing Long with String is always true"),
        ("principal.name < 3", "9:12 the left side of '<' must be Long, found String"),
        ("principal.score > 1", "9:12 the left side of '>' must be Long, found decimal"),
        ("principal.age + principal.name == 1", "9:28 the right side of '+' must be Long, found String"),
        ("-principal.admin == 1", "9:13 the operand of '-' must be Long, found Boolean"),
        ("principal.age", "9:12 a 'when' condition must be Boolean, found Long"),
        ("principal.age && true", "9:12 the left side of '&&' must be Boolean, found Long"),
        ("!principal.name", "9:13 the operand of '!' must be Boolean, found String"),
        ("principal.age like \"1*\"", "9:12 the left side of 'like' must be String, found Long"),
        ("principal in Document::\"d\"", "9:12 'in' can never hold: a User is never a member of a Document"),
        ("resource in Group::\"g\"", "9:12 'in' can never hold: a Document is never a member of a Group"),
        ("principal in [Folder::\"a\"]", "9:12 'in' can never hold: a User is never a member of a Folder"),
        ("principal is Folder in Group::\"g\"", "9:12 'in' can never hold: a Folder is never a member of a Group"),
        ("principal.age in Group::\"g\"", "9:12 the left side of 'in' must be entity, found Long"),
        ("principal in 1", "9:25 the right side of 'in' must be an entity or a set of entities, found Long"),
        ("principal == Usr::\"a\"", "9:25 unknown entity type 'Usr'"),
        ("principal is Gruop", "9:12 unknown entity type 'Gruop'"),
        ("action == Action::\"reed\"", "9:22 action 'reed' is not in the schema"),
        ("action.name == 1", "9:12 actions have no attributes"),
        ("principal.age.x == 1", "9:12 '.x' needs an entity or a record, found Long"),
        ("principal.age has x", "9:12 the left side of 'has' must be an entity or a record, found Long"),
        ("principal.name.contains(1)", "9:12 the receiver of .contains() must be Set, found String"),
        ("principal.tags.containsAll(1)", "9:39 the argument of .containsAll() must be Set, found Long"),
        ("ip(1).isIpv4()", "9:15 the argument of ip() must be String, found Long"),
        ("principal.age.isLoopback()", "9:12 the receiver of .isLoopback() must be ipaddr, found Long"),
        ("principal.score.lessThan(1)", "9:37 the argument of .lessThan() must be decimal, found Long"),
        ("if principal.age then true else false", "9:15 the condition of 'if' must be Boolean, found Long"),
    ])
    func errors(_ condition: String, _ expected: String) {
        #expect(check(condition) == [expected], "\(condition)")
    }

    @Test func hints() {
        let (_, diagnostics) = load([
            "s.yaml": SchemaDocumentTests.schema,
            "p.yaml": """
                kind: policy
                id: p
                rules:
                  - id: r
                    effect: allow
                    principal: User
                    actions: [read]
                    when: principal.nickname == "a" && principal.nmae == "b" && principal in Document::"d"
                """,
        ])
        #expect(diagnostics.map(\.hint) == [
            "guard it: `principal has nickname && principal.nickname …`",
            "did you mean 'name'?",
            "User can be a member of: Group (and their ancestors)",
        ])
    }

    @Test func scopesAndActions() {
        #expect(check("true", principal: "Usr") == ["6:16 unknown entity type 'Usr'"])
        #expect(check("true", principal: "'User in Document::\"d\"'") == ["6:16 a User can never be in a Document"])
        #expect(check("true", actions: "[read, wrte]") == ["8:21 action 'wrte' is not in the schema"])
        #expect(check("true", resource: "Folder", actions: "[write]") == [
            "4:5 rule 'r' can never apply: no action in the schema takes its principal and resource types",
        ])
        // Omitted actions: every action the scope admits; read covers Folder resources.
        #expect(check("resource in Folder::\"f\"", resource: "Folder", actions: "~") == [])
        // `in Group` admits every type that can be a member of Group: only User here.
        #expect(check("principal.age > 1", principal: "'in Group::\"g\"'") == [])
    }

    @Test func severalEnvironmentsReportOnce() {
        // read applies to Document and Folder: a Folder has no owner, a Document does.
        #expect(check("resource.owner == principal", resource: "~") == [
            "9:12 entity type Folder has no attribute 'owner'",
        ])
        #expect(check("resource has owner && resource.owner == principal", resource: "~") == [])
    }

    @Test func noSchemaNoTypeCheck() {
        let (_, diagnostics) = load([
            "p.yaml": "kind: policy\nid: p\nrules:\n  - {id: r, effect: allow, when: 'principal.x == 1'}\n",
        ])
        #expect(diagnostics.isEmpty)
        let (_, off) = load([
            "s.yaml": SchemaDocumentTests.schema,
            "p.yaml": "kind: policy\nid: p\nrules:\n  - {id: r, effect: allow, when: 'principal.x == 1'}\n",
        ], typeCheck: false)
        #expect(off.isEmpty)
    }
}
