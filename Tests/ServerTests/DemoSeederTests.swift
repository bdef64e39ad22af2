import Devices
import Evaluator
import Foundation
import HummingbirdTesting
import Identity
import PolicyLang
import Store
import Testing
@testable import Server

/// `arbiter serve --demo`: the demo tenant is loaded through the real services, answers
/// the printed checks as promised, and a second start reuses it (only the client secret
/// changes).
@Suite struct DemoSeederTests {
    /// A client-credentials token of the demo client, through the token endpoint.
    func token(_ client: any TestClientProtocol, _ demo: DemoTenant, secret: String? = nil) async throws -> TestResponse {
        try await client.execute(
            uri: "/t/demo/connect/token", method: .post, headers: basic(demo.clientId, secret ?? demo.clientSecret),
            body: form(["grant_type": "client_credentials"]))
    }

    func ask(
        _ client: any TestClientProtocol, _ token: String, _ principal: (type: String, id: String), _ action: String,
        _ resource: (type: String, id: String)
    ) async throws -> TestResponse {
        try await client.check(token, [
            "principal": ["type": principal.type, "id": principal.id], "action": action,
            "resource": ["type": resource.type, "id": resource.id],
        ])
    }

    @Test func demoAnswersThePrintedChecksAndTheRulesItDescribes() async throws {
        let app = try TestApp()
        let demo = try await DemoSeeder(services: app.services).seed()
        let password = try #require(demo.administratorPassword)
        #expect(password.count >= 12)
        // The printed administrator password signs in.
        let signIn = PasswordSignIn(environment: app.environment, tables: app.services.identityTables, hasher: PasswordHasher(cost: 4))
        #expect(try await signIn.authenticate(tenantSlug: "demo", userName: "demo-admin", password: password) != nil)
        #expect(try app.services.tenantBundles.activeVersion(tenant: demo.tenantId) == demo.bundleVersion)

        try await app.test { client in
            let issued = try await token(client, demo)
            #expect(issued.status == .ok)
            let bearer = try #require(issued.json["access_token"] as? String)
            func user(_ name: String) -> (String, String) { ("User", demo.userIds[name]!) }
            let cases: [(principal: (String, String), action: String, resource: (String, String), allowed: Bool, reason: String?)] = [
                // The two printed examples.
                (user(DemoInstructions.allowed.user), DemoInstructions.allowed.action, ("Document", DemoInstructions.allowed.document), true, "folder-readers-read"),
                (user(DemoInstructions.denied.user), DemoInstructions.denied.action, ("Document", DemoInstructions.denied.document), false, nil),
                (user("alice"), "edit", ("Document", "roadmap"), true, "owners-work-on-their-documents"),
                (user("bob"), "edit", ("Document", "roadmap"), false, nil),
                (user("carol"), "read", ("Document", "budget-2025"), true, nil),
                // Owner, but archived: the deny rule wins.
                (user("carol"), "edit", ("Document", "budget-2025"), false, "archived-documents-are-read-only"),
                (("Device", demo.deviceId), "sync", ("Folder", "engineering"), true, "trusted-devices-sync-folders"),
            ]
            for c in cases {
                let answer = try await ask(client, bearer, c.principal, c.action, c.resource)
                #expect(answer.status == .ok, "\(c)")
                #expect(answer.allowed == c.allowed, "\(c): \(answer.json)")
                if let reason = c.reason { #expect(answer.reasons.contains(reason), "\(c): \(answer.reasons)") }
                #expect((answer.json["errors"] as? [Any])?.isEmpty == true, "\(c): \(answer.json)")
            }
        }

        // The device and the client are what the registries hold.
        let device = try #require(try app.environment.read {
            try DeviceStore.device(tenantId: demo.tenantId, id: demo.deviceId, tables: app.services.deviceTables, in: $0)
        })
        #expect(device.riskState == .trusted)
        let client = try #require(try app.services.clients.client(tenantId: demo.tenantId, id: demo.clientId))
        #expect(client.purpose == .automation)
        #expect(client.scopes.contains("arbiter.runtime.check"))
    }

    @Test func aSecondStartReusesTheDemoAndRotatesOnlyTheSecret() async throws {
        let app = try TestApp()
        let first = try await DemoSeeder(services: app.services).seed()
        let revision = try app.environment.read { try $0.revision(tenant: first.tenantId) }
        let second = try await DemoSeeder(services: app.services).seed()

        #expect(second.administratorPassword == nil)
        #expect(second.tenantId == first.tenantId)
        #expect(second.organizationId == first.organizationId)
        #expect(second.userIds == first.userIds)
        #expect(second.groupIds == first.groupIds)
        #expect(second.deviceId == first.deviceId)
        #expect(second.clientId == first.clientId)
        #expect(second.bundleVersion == first.bundleVersion)
        #expect(second.clientSecret != first.clientSecret)
        // Only the rotation wrote anything the graph's readers could see.
        #expect(try app.environment.read { try $0.revision(tenant: first.tenantId) } == revision + 1)
        #expect(try app.services.tenantBundles.versions(tenant: first.tenantId).count == 1)
        let groups = try app.environment.read {
            try $0.groups(tenantId: first.tenantId, organizationId: first.organizationId, after: nil, limit: 100, tables: app.services.membershipTables)
        }
        #expect(groups.items.count == DemoData.groups.count)

        try await app.test { client in
            #expect(try await token(client, second, secret: first.clientSecret).status == .unauthorized)
            let issued = try await token(client, second)
            let bearer = try #require(issued.json["access_token"] as? String)
            let allowed = try await ask(client, bearer, ("User", second.userIds["bob"]!), "read", ("Document", "roadmap"))
            #expect(allowed.allowed == true)
        }
    }

    @Test func aTenantNamedDemoThatTheDemoDidNotMakeIsLeftAlone() async throws {
        let app = try TestApp()
        let registered = try await app.services.registrar.register(TenantRegistration(
            tenantName: "Someone", tenantSlug: "demo", userName: "someone", email: "someone@example.com",
            password: "ChangeThisPassword123!", planCode: "developer"))
        let revision = try app.environment.read { try $0.revision(tenant: registered.tenantId) }
        await #expect(throws: DemoSeeder.Failure.self) { try await DemoSeeder(services: app.services).seed() }
        #expect(try app.environment.read { try $0.revision(tenant: registered.tenantId) } == revision)
    }

    @Test func printedCommandsNameTheListenerAndTheRealIds() throws {
        #expect(DemoInstructions.baseURL(host: "0.0.0.0", port: 8080, tls: false) == "http://127.0.0.1:8080")
        #expect(DemoInstructions.baseURL(host: "::", port: 8443, tls: true) == "https://[::1]:8443")
        #expect(DemoInstructions.baseURL(host: "127.0.0.1", port: 9000, tls: false) == "http://127.0.0.1:9000")
        let demo = DemoTenant(
            tenantId: "ten_1", organizationId: "org_1", administratorPassword: "pw-pw-pw-pw-pw", userIds: ["bob": "usr_b", "carol": "usr_c"],
            groupIds: [:], deviceId: "dev_1", clientId: "cli_1", clientSecret: "s3cret", bundleVersion: "v1")
        let lines = DemoInstructions.text(demo, baseURL: "http://127.0.0.1:9000").split(separator: "\n").map(String.init)
        let token = try #require(lines.first { $0.hasPrefix("TOKEN=$(curl ") })
        #expect(token.contains("-u 'cli_1:s3cret'"))
        #expect(token.contains("http://127.0.0.1:9000/t/demo/connect/token"))
        let checks = lines.filter { $0.hasPrefix("curl ") }
        #expect(checks.count == 2)
        #expect(checks[0].contains(#""id": "usr_b""#) && checks[1].contains(#""id": "usr_c""#))
        #expect(checks.allSatisfy { $0.contains("http://127.0.0.1:9000/api/runtime/authorization/check") })
        #expect(lines.contains { $0.contains("pw-pw-pw-pw-pw") })
    }
}
