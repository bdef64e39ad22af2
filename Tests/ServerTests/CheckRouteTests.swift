import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import PolicyLang
import Store
import Testing
@testable import Server

/// Two tenants (acme, globex) with graph entities written straight into each tenant's
/// graph, and helpers to activate a tenant bundle — what the runtime route tests share.
struct RuntimeFixture {
    let m: ManagementApp
    var services: ArbiterApplication.Services { m.services }
    var acme: String { m.tenantId("acme") }
    var globex: String { m.tenantId("globex") }
    var acmeAdmin: String { m.tenants["acme"]!.administratorUserId }
    var globexAdmin: String { m.tenants["globex"]!.administratorUserId }

    static let documentRules = """
        kind: policy
        id: documents
        rules:
          - id: owners-read-documents
            effect: allow
            principal: User
            actions: [read]
            resource: Document
            when: resource.owner == principal
          - id: editors-read-documents
            effect: allow
            principal: User
            actions: [read]
            resource: Document
            when: principal.roles.contains("editor")
          - id: nobody-reads-secrets
            effect: deny
            actions: [read]
            resource: Document
            when: resource has classification && resource.classification == "secret"
          - id: lockdown-stops-tenant-reads
            effect: deny
            actions: [read]
            resource: Tenant
            when: context has lockdown && context.lockdown
          - id: office-network-only
            effect: allow
            principal: User
            actions: [print]
            when: context has ip && context.ip.isInRange(ip("127.0.0.0/8")) && context.now > 0
          - id: clients-with-scope-sync
            effect: allow
            principal: Client
            actions: [sync]
            when: context.token.scopes.contains("arbiter.runtime.check")
        """

    init() async throws {
        m = try await ManagementApp()
        let acme = m.tenantId("acme"), globex = m.tenantId("globex")
        let acmeOrg = m.tenants["acme"]!.organizationId, globexOrg = m.tenants["globex"]!.organizationId
        _ = try await services.graph.apply(tenant: acme, upserts: [
            Self.user(acmeAdmin, tenant: acme, organization: acmeOrg, roles: ["administrator"]),
            Self.user("usr_acme_bob", tenant: acme, organization: acmeOrg, roles: ["editor"]),
            Self.user("usr_acme_gone", tenant: acme, organization: acmeOrg, roles: ["editor"], active: false),
            Entity(uid: Self.uid("Document", "doc-1"), attributes: ["owner": .entity(Self.uid("User", acmeAdmin))], parents: [Self.uid("Organization", acmeOrg)]),
            Entity(uid: Self.uid("Document", "doc-secret"), attributes: ["owner": .entity(Self.uid("User", acmeAdmin)), "classification": .string("secret")]),
        ], actor: "test")
        _ = try await services.graph.apply(tenant: globex, upserts: [
            Self.user(globexAdmin, tenant: globex, organization: globexOrg, roles: ["administrator", "editor"]),
            Entity(uid: Self.uid("Document", "globex-only"), attributes: ["owner": .entity(Self.uid("User", globexAdmin))]),
        ], actor: "test")
    }

    static func uid(_ type: String, _ id: String) -> EntityUID { EntityUID(type: type, id: id) }

    static func user(_ id: String, tenant: String, organization: String, roles: [String], active: Bool = true) -> Entity {
        Entity(
            uid: uid("User", id),
            attributes: [
                "tenant": .entity(uid("Tenant", tenant)), "userName": .string(id), "email": .string("\(id)@example.com"),
                "active": .bool(active), "roles": .set(Set(roles.map(Value.string))),
            ],
            parents: [uid("Organization", organization)] + roles.map { uid("Role", $0) })
    }

    /// Compiles `yaml`, stores it as the tenant's new active bundle and swaps it in.
    func activate(_ slug: String, _ yaml: String = RuntimeFixture.documentRules) async throws {
        let output = PolicyBuild.build(files: ["rules.yaml": yaml])
        let bundle = try #require(output.bundle, "\(output.diagnostics)")
        let tenant = m.tenantId(slug)
        let info = try await services.tenantBundles.save(bundle, tenant: tenant, actor: "test", activate: true)
        services.policies.activate(ActiveBundle(version: info.version, program: Program(bundle: bundle)), tenant: tenant)
    }

    /// A client-credentials token of the tenant carrying the capability scope.
    func checkerToken(_ slug: String = "acme") async throws -> String {
        try await m.clientToken(slug, scopes: ["arbiter.runtime.check"])
    }
}

extension TestClientProtocol {
    func check(_ token: String?, _ body: [String: Any], path: String = "/api/runtime/authorization/check") async throws -> TestResponse {
        try await call(.post, path, token, body)
    }
}

extension TestResponse {
    var allowed: Bool? { json["allowed"] as? Bool }
    var reasons: [String] { json["reasons"] as? [String] ?? [] }
}

@Suite struct CheckRouteTests {
    @Test func allowAndDenyWithReasonsFromTheTenantBundle() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let admin = try await f.m.adminToken()
        try await f.m.test { client in
            let own = try await client.check(admin, ["action": "read", "resource": ["type": "Document", "id": "doc-1"]])
            #expect(own.status == .ok)
            #expect(own.headers[.contentType] == "application/json")
            #expect(own.json["decision"] as? String == "allow")
            #expect(own.allowed == true)
            #expect(own.reasons == ["owners-read-documents"])
            #expect((own.json["errors"] as? [Any])?.isEmpty == true)
            #expect(own.json["trace"] == nil)
            #expect(own.json["permVer"] as? Int == 2)  // 1 + the policy epoch of one activation
            #expect(own.json["entVer"] as? Int == 1)
            let revision = try #require(own.json["revision"] as? String)
            #expect(UInt64(revision) != nil)

            let secret = try await client.check(admin, ["action": "read", "resource": ["type": "Document", "id": "doc-secret"]])
            #expect(secret.json["decision"] as? String == "deny")
            #expect(secret.allowed == false)
            #expect(secret.reasons == ["nobody-reads-secrets"])

            let unknownAction = try await client.check(admin, ["action": "shred", "resource": ["type": "Document", "id": "doc-1"]])
            #expect(unknownAction.allowed == false)
            #expect(unknownAction.reasons.isEmpty)
        }
    }

    @Test func theBuiltInAndTenantProgramsMergeWithCedarSemantics() async throws {
        let f = try await RuntimeFixture()
        let admin = try await f.m.adminToken()
        let checker = try await f.checkerToken()
        try await f.m.test { client in
            // Built-in allow (administrators read their tenant), no tenant bundle yet; the
            // resource defaults to the caller's tenant.
            let builtIn = try await client.check(admin, ["action": "read"])
            #expect(builtIn.allowed == true)
            #expect(builtIn.reasons.contains("tenant-admins-manage-own-tenant"))
            try await f.activate("acme")
            // Tenant deny overrides the built-in allow.
            let locked = try await client.check(admin, ["action": "read", "context": ["lockdown": true]])
            #expect(locked.allowed == false)
            #expect(locked.reasons == ["lockdown-stops-tenant-reads"])
            let open = try await client.check(admin, ["action": "read", "context": ["lockdown": false]])
            #expect(open.allowed == true)
            // Built-in deny (deprovisioned users) overrides the tenant's allow.
            let gone = try await client.check(checker, [
                "action": "read", "principal": ["type": "User", "id": "usr_acme_gone"],
                "resource": ["type": "Document", "id": "doc-1"],
            ])
            #expect(gone.allowed == false)
            #expect(gone.reasons == ["inactive-users-are-denied"])
            // The same tenant allow for an active editor.
            let bob = try await client.check(checker, [
                "action": "read", "principal": ["type": "User", "id": "usr_acme_bob"],
                "resource": ["type": "Document", "id": "doc-1"],
            ])
            #expect(bob.allowed == true)
            #expect(bob.reasons == ["editors-read-documents"])
        }
    }

    @Test func serverFilledContext() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let checker = try await f.checkerToken()
        let plain = try await f.m.clientToken("acme", scopes: ["tenant_context"])
        try await f.m.test { client in
            // context.token.scopes comes from the token, not from the body.
            let sync = try await client.check(checker, ["action": "sync"])
            #expect(sync.allowed == true)
            #expect(sync.reasons == ["clients-with-scope-sync"])
            let noScope = try await client.check(plain, ["action": "sync"])
            #expect(noScope.allowed == false)
            for key in ["token", "now", "ip", "device"] {
                let forged = try await client.check(plain, ["action": "sync", "context": [key: ["scopes": ["arbiter.runtime.check"]]]])
                #expect(forged.status == .badRequest, "\(key)")
                #expect(forged.problemType == "validation-error")
                #expect(forged.fieldErrors == ["context.\(key)"])
            }
        }
    }

    @Test func theClientAddressIsAnIPValue() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let admin = try await f.m.adminToken()
        // A real socket, so the peer address (127.0.0.1) is known.
        try await f.m.app.test(.live) { client in
            let response = try await client.check(admin, ["action": "print", "resource": ["type": "Printer", "id": "p1"]])
            #expect(response.allowed == true)
            #expect(response.reasons == ["office-network-only"])
        }
    }

    @Test func namingAnotherPrincipalNeedsTheCapabilityScope() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let admin = try await f.m.adminToken()
        let plainClient = try await f.m.clientToken("acme", scopes: ["arbiter.api"])
        try await f.m.test { client in
            for token in [admin, plainClient] {
                let response = try await client.check(token, [
                    "action": "read", "principal": ["type": "User", "id": "usr_acme_bob"],
                    "resource": ["type": "Document", "id": "doc-1"],
                ])
                #expect(response.status == .forbidden)
                #expect(response.isProblem)
                #expect(response.problemType == "insufficient-scope")
                #expect(response.headers[.wwwAuthenticate]?.contains("arbiter.runtime.check") == true)
            }
            // Naming oneself is no other principal.
            let me = try await client.check(admin, [
                "action": "read", "principal": ["type": "User", "id": f.acmeAdmin], "resource": ["type": "Document", "id": "doc-1"],
            ])
            #expect(me.status == .ok)
            #expect(me.allowed == true)
        }
    }

    @Test func anotherTenantsEntitiesAreNeverSeen() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        try await f.activate("globex")
        let checker = try await f.checkerToken("acme")
        let globexAdmin = try await f.m.adminToken("globex")
        try await f.m.test { client in
            // globex's administrator is an editor who owns globex-only — in globex's graph.
            let inGlobex = try await client.check(globexAdmin, ["action": "read", "resource": ["type": "Document", "id": "globex-only"]])
            #expect(inGlobex.allowed == true)
            // acme's checker naming globex's principal and resource: looked up in acme's
            // graph only, where neither exists.
            for body: [String: Any] in [
                ["action": "read", "principal": ["type": "User", "id": f.globexAdmin], "resource": ["type": "Document", "id": "globex-only"]],
                ["action": "read", "principal": ["type": "User", "id": f.globexAdmin], "resource": ["type": "Document", "id": "doc-1"]],
                ["action": "read", "principal": ["type": "User", "id": "usr_acme_bob"], "resource": ["type": "Tenant", "id": f.globex]],
            ] {
                let response = try await client.check(checker, body)
                #expect(response.status == .ok)
                #expect(response.allowed == false)
                let text = String(buffer: response.body)
                #expect(!text.contains("globex-only@") && !text.contains("\(f.globexAdmin)@example.com"))
            }
            // globex's token never sees acme's documents either.
            let reverse = try await client.check(globexAdmin, ["action": "read", "resource": ["type": "Document", "id": "doc-secret"]])
            #expect(reverse.allowed == true)  // editors read documents; doc-secret is no secret in globex: it does not exist there
            #expect(reverse.reasons == ["editors-read-documents"])
        }
        // Nothing was written to globex's graph.
        try f.services.graph.read(tenant: f.globex) { entities throws in
            #expect(try entities.entity(EntityUID(type: "Document", id: "doc-secret")) == nil)
        }
    }

    @Test func atLeastRevisionReadsYourWrites() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let admin = try await f.m.adminToken()
        let revision = try await f.services.graph.apply(tenant: f.acme, upserts: [
            Entity(uid: EntityUID(type: "Document", id: "doc-new"), attributes: ["owner": .entity(EntityUID(type: "User", id: f.acmeAdmin))]),
        ], actor: "test")
        try await f.m.test { client in
            let token = RevisionToken.encode(revision)
            let seen = try await client.check(admin, [
                "action": "read", "resource": ["type": "Document", "id": "doc-new"], "atLeastRevision": token,
            ])
            #expect(seen.status == .ok)
            #expect(seen.allowed == true)
            #expect(UInt64(seen.json["revision"] as? String ?? "") ?? 0 >= revision)
            for future in [RevisionToken.encode(revision + 1000), "not-a-revision"] {
                let response = try await client.check(admin, ["action": "read", "atLeastRevision": future])
                #expect(response.status == .conflict)
                #expect(response.isProblem)
                #expect(response.problemType == "revision-not-reached")
            }
            let wrongType = try await client.check(admin, ["action": "read", "atLeastRevision": 5])
            #expect(wrongType.status == .badRequest)
        }
    }

    @Test func explainReturnsATrace() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme")
        let admin = try await f.m.adminToken()
        try await f.m.test { client in
            let response = try await client.check(admin, [
                "action": "read", "resource": ["type": "Document", "id": "doc-secret"], "explain": true,
            ])
            #expect(response.allowed == false)
            let trace = try #require(response.json["trace"] as? [[String: Any]])
            let secret = try #require(trace.first { $0["rule"] as? String == "nobody-reads-secrets" })
            #expect(secret["source"] as? String == "tenant")
            #expect(secret["effect"] as? String == "deny")
            #expect(secret["outcome"] as? String == "satisfied")
            let owner = try #require(trace.first { $0["rule"] as? String == "owners-read-documents" })
            #expect(owner["outcome"] as? String == "satisfied")
            #expect(trace.contains { $0["source"] as? String == "builtIn" })
        }
    }

    @Test func authenticationAndBadBodies() async throws {
        let f = try await RuntimeFixture()
        let admin = try await f.m.adminToken()
        try await f.m.test { client in
            let none = try await client.check(nil, ["action": "read"])
            #expect(none.status == .unauthorized)
            #expect(none.isProblem)
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let garbage = try await client.check("not.a.token", ["action": "read"])
            #expect(garbage.status == .unauthorized)
            #expect(garbage.problemType == "invalid-token")

            let missing = try await client.check(admin, [:])
            #expect(missing.status == .badRequest)
            #expect(missing.fieldErrors == ["action"])
            let wrong = try await client.check(admin, [
                "action": 3, "resource": ["type": "Bad Type", "id": "x"], "principal": "User::\"x\"", "explain": "yes", "extra": 1,
            ])
            #expect(wrong.status == .badRequest)
            #expect(Set(wrong.fieldErrors) == ["action", "resource.type", "principal", "explain", "extra"])
            let badValue = try await client.check(admin, ["action": "read", "context": ["n": 1.5]])
            #expect(badValue.fieldErrors == ["context.n"])
            let tooMany = try await client.check(admin, ["action": "read", "context": Dictionary(uniqueKeysWithValues: (0..<65).map { ("k\($0)", $0) })])
            #expect(tooMany.status == .badRequest)
            #expect(tooMany.fieldErrors == ["context"])

            var deep: Any = 1
            for _ in 0..<20 { deep = ["x": deep] }
            let nested = try await client.check(admin, ["action": "read", "context": ["deep": deep]])
            #expect(nested.status == .badRequest)
            #expect(nested.problemType == "malformed-body")

            let notJSON = try await client.execute(
                uri: "/api/runtime/authorization/check", method: .post, headers: bearer(admin), body: ByteBuffer(string: "{nope"))
            #expect(notJSON.status == .badRequest)
            let big = try await client.execute(
                uri: "/api/runtime/authorization/check", method: .post, headers: bearer(admin),
                body: ByteBuffer(string: #"{"action": "read", "context": {"s": ""# + String(repeating: "a", count: 70_000) + #""}}"#))
            #expect(big.status == .contentTooLarge)
            let form = try await client.execute(
                uri: "/api/runtime/authorization/check", method: .post,
                headers: [.authorization: "Bearer \(admin)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "action=read"))
            #expect(form.status == .unsupportedMediaType)
        }
    }

    @Test func contextValuesUseCedarJSONForms() async throws {
        let f = try await RuntimeFixture()
        try await f.activate("acme", """
            kind: policy
            id: forms
            rules:
              - id: from-the-office
                effect: allow
                actions: [enter]
                when: context.origin.isInRange(ip("10.0.0.0/8")) && context.owner == principal && context.tags.contains("a")
            """)
        let admin = try await f.m.adminToken()
        try await f.m.test { client in
            let response = try await client.check(admin, ["action": "enter", "context": [
                "origin": ["__extn": ["fn": "ip", "arg": "10.1.2.3"]],
                "owner": ["__entity": ["type": "User", "id": f.acmeAdmin]],
                "tags": ["a", "b"],
            ]])
            #expect(response.allowed == true)
            #expect(response.reasons == ["from-the-office"])
        }
    }
}
