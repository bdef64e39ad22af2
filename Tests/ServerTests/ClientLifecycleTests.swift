import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Testing
@testable import Server

/// What happens to a client's credentials and tokens when it or its application changes:
/// a disabled application's clients get no new tokens, a deleted or disabled client's
/// tokens stop at once, and a public client cannot use introspection.
@Suite struct ClientLifecycleTests {
    /// An automation client made through the API: (application id, client id, secret).
    private func automationClient(_ client: some TestClientProtocol, _ admin: String) async throws -> (String, String, String) {
        let app = try await client.call(.post, "/api/applications", admin, ["name": "Sync"])
        let applicationId = try #require(app.json["id"] as? String)
        let created = try await client.call(
            .post, "/api/applications/\(applicationId)/clients", admin,
            ["name": "Sync", "purpose": "automation", "scopes": ["arbiter.api", "tenant_context"]])
        return (applicationId, try #require(created.json["clientId"] as? String), try #require(created.json["clientSecret"] as? String))
    }

    private func token(_ client: some TestClientProtocol, _ id: String, _ secret: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/t/acme/connect/token", method: .post, headers: basic(id, secret), body: form(["grant_type": "client_credentials"]))
    }

    /// A bearer route that only asks whether the caller's token is good.
    private func introspectWith(_ client: some TestClientProtocol, bearerToken: String) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(bearerToken)", .contentType: "application/x-www-form-urlencoded"]
        headers[.accept] = "application/json"
        return try await client.execute(
            uri: "/t/acme/connect/introspect", method: .post, headers: headers, body: ByteBuffer(string: "token=x"))
    }

    @Test func aDisabledApplicationsClientsGetNoTokens() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let (applicationId, id, secret) = try await automationClient(client, admin)
            #expect(try await token(client, id, secret).status == .ok)
            let disabled = try await client.call(.patch, "/api/applications/\(applicationId)", admin, ["status": "disabled"])
            #expect(disabled.status == .ok)
            let refused = try await token(client, id, secret)
            #expect(refused.status == .badRequest)
            #expect(refused.json["error"] as? String == "unauthorized_client")
            _ = try await client.call(.patch, "/api/applications/\(applicationId)", admin, ["status": "active"])
            #expect(try await token(client, id, secret).status == .ok)
        }
    }

    @Test func aDeletedOrDisabledClientsTokensStopAtOnce() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let (applicationId, id, secret) = try await automationClient(client, admin)
            let first = try #require(try await token(client, id, secret).json["access_token"] as? String)
            #expect(try await introspectWith(client, bearerToken: first).status == .ok)
            let disabled = try await client.call(
                .patch, "/api/applications/\(applicationId)/clients/\(id)", admin, ["status": "disabled"])
            #expect(disabled.status == .ok)
            #expect(try await introspectWith(client, bearerToken: first).status == .unauthorized)
            _ = try await client.call(.patch, "/api/applications/\(applicationId)/clients/\(id)", admin, ["status": "active"])
            let second = try #require(try await token(client, id, secret).json["access_token"] as? String)
            #expect(try await introspectWith(client, bearerToken: second).status == .ok)
            let deleted = try await client.call(.delete, "/api/applications/\(applicationId)/clients/\(id)", admin)
            #expect(deleted.status == .noContent)
            #expect(try await introspectWith(client, bearerToken: second).status == .unauthorized)
        }
    }

    @Test func aPublicClientCannotIntrospect() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let refused = try await client.execute(
                uri: "/t/acme/connect/introspect", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "client_id=arbiter-cli&token=\(admin)"))
            #expect(refused.status == .unauthorized)
            #expect(refused.json["error"] as? String == "invalid_client")
        }
    }
}
