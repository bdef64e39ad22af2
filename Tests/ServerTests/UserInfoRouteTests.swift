import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Identity
import NIOCore
import Testing
@testable import Server

@Suite struct UserInfoRouteTests {
    func token(_ flow: CodeFlowApp, _ client: any TestClientProtocol, scope: String) async throws -> String {
        var browser = Browser()
        let code = try await flow.signIn(&browser, client, ["scope": scope])
        return try #require(try await flow.redeem(client, code: code).json["access_token"] as? String)
    }

    func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer " + token] }

    @Test func claimsFollowTheTokensScopes() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            let full = try await token(flow, client, scope: "openid profile email")
            let response = try await client.execute(uri: "/t/acme/connect/userinfo", method: .get, headers: bearer(full))
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let sub = try #require(response.json["sub"] as? String)
            #expect(sub.hasPrefix("usr_") || !sub.isEmpty)
            #expect(response.json["name"] as? String == "admin")
            #expect(response.json["preferred_username"] as? String == "admin")
            #expect(response.json["email"] as? String == "admin@acme.example")
            #expect(response.json["email_verified"] as? Bool == false)
            let posted = try await client.execute(uri: "/connect/userinfo", method: .post, headers: bearer(full))
            #expect(posted.status == .ok && posted.json["sub"] as? String == sub)

            let narrow = try await token(flow, client, scope: "openid")
            let only = try await client.execute(uri: "/connect/userinfo", method: .get, headers: bearer(narrow))
            #expect(Set(only.json.keys) == ["sub"])
        }
    }

    @Test func refusalsAreBearerErrors() async throws {
        let flow = try await CodeFlowApp()
        let automation = try await flow.oauth.client()
        try await flow.app.test { client in
            let missing = try await client.execute(uri: "/t/acme/connect/userinfo", method: .get)
            #expect(missing.status == .unauthorized)
            #expect(missing.json["error"] as? String == "invalid_token")
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let garbage = try await client.execute(uri: "/t/acme/connect/userinfo", method: .get, headers: bearer("not.a.token"))
            #expect(garbage.status == .unauthorized && garbage.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)

            let machine = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: basic(automation.client.clientId, automation.secret),
                body: form(["grant_type": "client_credentials"]))
            let machineToken = try #require(machine.json["access_token"] as? String)
            let insufficient = try await client.execute(uri: "/connect/userinfo", method: .get, headers: bearer(machineToken))
            #expect(insufficient.status == .forbidden)
            #expect(insufficient.json["error"] as? String == "insufficient_scope")
            #expect(insufficient.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)

            let noOpenID = try await token(flow, client, scope: "profile")
            let forbidden = try await client.execute(uri: "/connect/userinfo", method: .get, headers: bearer(noOpenID))
            #expect(forbidden.status == .forbidden)

            let user = try await token(flow, client, scope: "openid")
            let otherIssuer = try await client.execute(uri: "/t/other/connect/userinfo", method: .get, headers: bearer(user))
            #expect(otherIssuer.status == .unauthorized)

            // Signing the session out stops the token here too.
            let verified = try await flow.services.tokenVerifier.verify(user)
            try await flow.services.sessions.revoke(
                tenantId: verified.tenantId, id: try #require(verified.claims.session_id), reason: "test", actor: "test")
            let revoked = try await client.execute(uri: "/connect/userinfo", method: .get, headers: bearer(user))
            #expect(revoked.status == .unauthorized)
        }
    }
}
