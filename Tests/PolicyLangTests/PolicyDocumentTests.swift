import Testing
@testable import PolicyLang

@Suite struct PolicyDocumentTests {
    static let documents = """
        kind: policy
        id: documents
        rules:
          - id: owner-can-edit
            effect: allow
            principal: User
            actions: [read, write]
            resource: Document
            when: resource.owner == principal
            unless: context.risk == "compromised"
            annotations: {reason: "owners edit their own documents"}
          - id: eng-reads
            effect: allow
            principal: in Group::"eng"
          - id: alice
            effect: deny
            principal: User::"alice"
            resource: Folder in Folder::"root"

        """

    @Test func readsEveryRuleField() throws {
        let (set, diagnostics) = load(["p.yaml": Self.documents])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(set.rules.map(\.id) == ["owner-can-edit", "eng-reads", "alice"])
        let rule = set.rules[0]
        #expect(rule.effect == .allow)
        #expect(rule.principal == .type("User"))
        #expect(rule.resource == .type("Document"))
        #expect(rule.actions == ["read", "write"])
        #expect(rule.when.map(sexp) == "(== (. resource owner) principal)")
        #expect(rule.unless.map(sexp) == #"(== (. context risk) "compromised")"#)
        #expect(rule.annotations == ["reason": "owners edit their own documents"])
        #expect(rule.location == Loc(file: "p.yaml", line: 4, column: 5))
        #expect(set.rules[1].principal == .in(EntityUID(type: "Group", id: "eng")))
        #expect(set.rules[1].actions == nil)
        #expect(set.rules[1].resource == .any)
        #expect(set.rules[2].effect == .deny)
        #expect(set.rules[2].principal == .equal(EntityUID(type: "User", id: "alice")))
        #expect(set.rules[2].resource == .typeIn("Folder", EntityUID(type: "Folder", id: "root")))
        #expect(set.policies == [PolicyDocument(
            id: "documents", ruleIDs: ["owner-can-edit", "eng-reads", "alice"],
            location: Loc(file: "p.yaml", line: 1, column: 1))])
        #expect(set.ruleSources["owner-can-edit"]?.fields["when"] == Loc(file: "p.yaml", line: 9, column: 11))
        #expect(set.ruleSources["owner-can-edit"]?.actions.map(\.column) == [15, 21])
        #expect(set.schema == nil)
    }

    @Test func conditionPositionsAreFilePositions() throws {
        let (set, _) = load(["p.yaml": Self.documents])
        guard let when = set.rules.first?.when, case .binary(.equal, let lhs, let rhs) = when.kind else {
            Issue.record("no condition"); return
        }
        #expect(lhs.location == Loc(file: "p.yaml", line: 9, column: 11))
        #expect(rhs.location == Loc(file: "p.yaml", line: 9, column: 29))
    }

    /// The issue's acceptance case: three distinct mistakes, all reported with line:column.
    @Test func reportsEveryMistakeInOneRun() {
        let text = """
            kind: policy
            id: p
            rules:
              - id: one
                effect: permit
                when: principal.age >= 18
              - id: two
                effect: allow
                whenn: true
              - id: three
                effect: deny
                when: principal.age >> 3

            """
        let (set, diagnostics) = load(["bad.yaml": text])
        #expect(positions(diagnostics) == [
            "5:13 effect must be allow or deny, found 'permit'",
            "9:5 unknown key 'whenn' in a rule",
            "12:26 expected an expression, found '>'",
        ])
        #expect(diagnostics[0].hint == "write effect: allow or effect: deny")
        #expect(diagnostics[1].hint?.hasPrefix("did you mean 'when'?") == true)
        #expect(diagnostics.map(\.description)[2] == "bad.yaml:12:26: error: expected an expression, found '>'")
        #expect(set.rules.isEmpty)
    }

    @Test func missingFieldsAndWrongShapes() {
        let text = """
            kind: policy
            id: p
            rules:
              - effect: allow
              - id: no-effect
              - id: [a]
                effect: allow
              - id: bad-actions
                effect: allow
                actions: read
              - id: qualified-action
                effect: allow
                actions: ['Action::"read"']
              - id: bad-scope
                effect: allow
                principal: User::alice::"x
              - id: bad-annotations
                effect: allow
                annotations: [x]
              - id: bad-when
                effect: allow
                when: {a: 1}
              - just text
            """
        let (set, diagnostics) = load(["p.yaml": text])
        #expect(positions(diagnostics) == [
            "4:5 rule has no 'id'",
            "5:5 rule has no 'effect'",
            "6:9 the rule id must be text, found a list",
            "10:14 actions must be a list, found a scalar",
            #"13:15 action 'Action::"read"' should be an action id"#,
            "16:29 unterminated string",
            "19:18 annotations must be a mapping, found a list",
            "22:11 when must be text, found a mapping",
            "23:5 a rule must be a mapping, found a scalar",
        ])
        #expect(set.rules.isEmpty)
    }

    @Test func scopeForms() {
        let text = """
            kind: policy
            id: p
            rules:
              - {id: a, effect: allow, principal: Acme::User, resource: 'Acme::Doc::"x"'}
              - {id: b, effect: allow, principal: 'in Acme::Group::"g"', resource: ~}
              - {id: c, effect: allow, principal: in User}
              - {id: d, effect: allow, principal: User in Group}
              - {id: e, effect: allow, principal: User Group}
              - {id: f, effect: allow, principal: ''}
            """
        let (set, diagnostics) = load(["p.yaml": text])
        #expect(set.rules.map(\.principal) == [.type("Acme::User"), .in(EntityUID(type: "Acme::Group", id: "g"))])
        #expect(set.rules.map(\.resource) == [.equal(EntityUID(type: "Acme::Doc", id: "x")), .any])
        #expect(positions(diagnostics) == [
            #"6:42 expected an entity reference such as User::"id""#,
            #"7:47 expected an entity reference such as Group::"id""#,
            "8:44 unexpected 'Group'",
            "9:40 empty value",
        ])
        #expect(diagnostics[0].hint == ScopeParser.scopeHint)
    }

    @Test func documentLevelErrors() {
        let text = """
            id: nokind
            ---
            kind: polcy
            ---
            kind: policy
            rules: []
            extra: 1
            ---
            - a list
            ---
            kind: policy
            id: empty
            ---
            """
        let (_, diagnostics) = load(["p.yaml": text])
        #expect(positions(diagnostics) == [
            "1:1 document has no 'kind'",
            "3:7 unknown kind 'polcy'",
            "7:1 unknown key 'extra' in a policy document",
            "5:1 policy document has no 'id'",
            "9:1 a document must be a mapping, found a list",
            "11:1 policy document has no 'rules'",
        ])
    }

    @Test func duplicateRuleIDsAcrossFiles() {
        let a = "kind: policy\nid: a\nrules:\n  - {id: r1, effect: allow}\n  - {id: r1, effect: deny}\n"
        let b = "kind: policy\nid: a\nrules:\n  - id: r1\n    effect: allow\n  - {id: r2, effect: allow}\n"
        let (set, diagnostics) = load(["a.yaml": a, "b.yml": b])
        #expect(diagnostics.map { "\($0.location) \($0.message)" } == [
            "a.yaml:5:10 duplicate rule id 'r1'",
            "b.yml:1:1 policy id 'a' is used twice",
            "b.yml:4:9 duplicate rule id 'r1'",
        ])
        #expect(diagnostics[0].hint == "rule ids are unique across the whole policy set; the first is at a.yaml:4:10")
        // The first definition is kept, so later passes still see one rule per id.
        #expect(set.rules.map(\.id) == ["r1", "r2"])
        #expect(set.rules[0].effect == .allow)
    }

    @Test func blockScalarPositions() throws {
        let text = """
            kind: policy
            id: p
            rules:
              - id: r
                effect: allow
                when: |
                  principal.age >= 18 &&
                    context.ok
              - id: s
                effect: allow
                when: >-
                  principal.a ==
                  1 && !!
            """
        let (set, diagnostics) = load(["p.yaml": text])
        guard let when = set.rules.first?.when, case .binary(.and, let lhs, let rhs) = when.kind else {
            Issue.record("\(diagnostics)"); return
        }
        #expect(lhs.location == Loc(file: "p.yaml", line: 7, column: 7))
        #expect(rhs.location == Loc(file: "p.yaml", line: 8, column: 9))
        #expect(positions(diagnostics) == ["13:14 unexpected end of the expression"])
    }

    @Test func quotedAndMultiLineScalarPositions() throws {
        let text = """
            kind: policy
            id: p
            rules:
              - id: a
                effect: allow
                when: "context.s == \\"x\\" && context.y"
              - id: b
                effect: allow
                when: 'context.s == "it''s" && context.y'
              - id: c
                effect: allow
                when: context.s == "x"
                  && context.y
            """
        let (set, diagnostics) = load(["p.yaml": text])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let rights = set.rules.compactMap { rule -> Loc? in
            guard case .binary(.and, _, let rhs)? = rule.when?.kind else { return nil }
            return rhs.location
        }
        #expect(rights.map { "\($0.line):\($0.column)" } == ["6:34", "9:36", "13:10"])
        #expect(set.rules[1].when.map(sexp) == #"(&& (== (. context s) "it's") (. context y))"#)
    }
}
