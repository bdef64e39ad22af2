import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Identity
import NIOCore
import Store
import Testing
@testable import Server

@Suite struct AuthorizationCodeGrantTests {
    @Test func aCodeBuysAUserTokenAnIDTokenAndARefreshToken() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let code = try await flow.signIn(&browser, client)
            let response = try await flow.redeem(client, code: code)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = response.json
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["scope"] as? String == "openid profile email offline_access tenant_context")
            let accessToken = try #require(body["access_token"] as? String)
            let verified = try await flow.services.tokenVerifier.verify(accessToken)
            let session = try flow.session(of: browser)
            #expect(verified.claims.sub == session.userId)
            #expect(verified.claims.client_id == flow.client.clientId)
            #expect(verified.claims.session_id == session.id)
            #expect(verified.claims.tenant_id == flow.oauth.tenantId)
            #expect(verified.claims.organization_id == session.organizationId)
            #expect(verified.claims.membership_id == session.membershipId)
            #expect(verified.claims.perm_ver == 1 && verified.claims.ent_ver == 1)
            #expect(verified.claims.auth_time == Int64(session.authTime.timeIntervalSince1970))
            #expect((body["refresh_token"] as? String)?.hasPrefix("rt_") == true)

            let idToken = try #require(body["id_token"] as? String)
            let hints = IDTokenHintVerifier(
                keys: flow.services.signingKeys, identity: flow.services.identityTables, naming: flow.services.tokenIssuer.naming)
            let claims = try #require(await hints.verify(idToken)).claims
            #expect(claims.iss == CodeFlowApp.issuer)
            #expect(claims.aud == flow.client.clientId && claims.azp == flow.client.clientId)
            #expect(claims.sub == session.userId && claims.sid == session.id)
            #expect(claims.nonce == "nonce-456")
            #expect(claims.at_hash == Base64URL.encode(Array(SHA256.hash(data: Array(accessToken.utf8))).prefix(16)))
            #expect(claims.preferred_username == "admin" && claims.email == "admin@acme.example" && claims.email_verified == false)

            // The refresh token works (A2's rotation).
            let refreshed = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: formHeaders,
                body: form(["grant_type": "refresh_token", "refresh_token": body["refresh_token"] as! String,
                            "client_id": flow.client.clientId]))
            #expect(refreshed.status == .ok)
        }
    }

    @Test func scopesDecideWhatComesBack() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let plain = try await flow.signIn(&browser, client, ["scope": "profile"])
            let noOpenID = try await flow.redeem(client, code: plain).json
            #expect(noOpenID["scope"] as? String == "profile")
            #expect(noOpenID["id_token"] == nil && noOpenID["refresh_token"] == nil)
            let token = try await flow.services.tokenVerifier.verify(try #require(noOpenID["access_token"] as? String))
            #expect(token.claims.tenant_id == nil && token.claims.organization_id == nil && token.claims.session_id != nil)

            // A new browser: the first one is signed in and would skip the form.
            var fresh = Browser()
            let openid = try await flow.signIn(&fresh, client, ["scope": "openid", "nonce": nil])
            let idOnly = try await flow.redeem(client, code: openid).json
            #expect(idOnly["refresh_token"] == nil)
            let hints = IDTokenHintVerifier(
                keys: flow.services.signingKeys, identity: flow.services.identityTables, naming: flow.services.tokenIssuer.naming)
            let idToken = try #require(idOnly["id_token"] as? String)
            let claims = try #require(await hints.verify(idToken)).claims
            #expect(claims.nonce == nil && claims.name == nil && claims.email == nil)
        }
    }

    @Test func aReplayedCodeIsRefusedAndRevokesWhatTheFirstRedemptionIssued() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let code = try await flow.signIn(&browser, client)
            let first = try await flow.redeem(client, code: code).json
            let accessToken = try #require(first["access_token"] as? String)
            let refreshToken = try #require(first["refresh_token"] as? String)
            _ = try await flow.services.tokenVerifier.verify(accessToken)

            let replay = try await flow.redeem(client, code: code)
            #expect(replay.status == .badRequest)
            #expect(replay.json["error"] as? String == "invalid_grant")
            await #expect(throws: TokenVerificationError.revoked) { try await flow.services.tokenVerifier.verify(accessToken) }
            let refresh = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: formHeaders,
                body: form(["grant_type": "refresh_token", "refresh_token": refreshToken, "client_id": flow.client.clientId]))
            #expect(refresh.json["error"] as? String == "invalid_grant")
            // The browser's session went with it: the next request shows the form again.
            let again = try await browser.get(client, "/t/acme/connect/authorize", flow.parameters())
            #expect(again.status == .ok)
        }
    }

    @Test func everyRefusalIsAnRFC6749Error() async throws {
        let flow = try await CodeFlowApp()
        let automation = try await flow.oauth.client()
        let second = try await CodeFlowApp.makeClient(flow.services, tenantId: flow.oauth.tenantId)
        try await flow.app.test { client in
            var browser = Browser()
            let code = try await flow.signIn(&browser, client)
            let cases: [(String, [String: String?], String, HTTPResponse.Status)] = [
                ("no code", ["code": nil], "invalid_request", .badRequest),
                ("no redirect_uri", ["redirect_uri": nil], "invalid_request", .badRequest),
                ("other redirect_uri", ["redirect_uri": CodeFlowApp.redirect + "?tab=1"], "invalid_grant", .badRequest),
                ("no verifier", ["code_verifier": nil], "invalid_grant", .badRequest),
                ("wrong verifier", ["code_verifier": String(repeating: "v", count: 43)], "invalid_grant", .badRequest),
                ("short verifier", ["code_verifier": "abc"], "invalid_grant", .badRequest),
                ("unknown code", ["code": "nope"], "invalid_grant", .badRequest),
                ("another client", ["client_id": second.clientId], "invalid_grant", .badRequest),
                ("unknown client", ["client_id": "cli_nobody"], "invalid_client", .unauthorized),
            ]
            for (name, changes, error, status) in cases {
                let response = try await flow.redeem(client, code: code, changes: changes)
                #expect(response.status == status, "\(name)")
                #expect(response.json["error"] as? String == error, "\(name)")
                #expect(response.headers[.cacheControl] == "no-store", "\(name)")
            }
            let wrongGrant = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: basic(automation.client.clientId, automation.secret),
                body: form(["grant_type": "authorization_code", "code": code, "redirect_uri": CodeFlowApp.redirect]))
            #expect(wrongGrant.json["error"] as? String == "unauthorized_client")
            let otherIssuer = try await client.execute(
                uri: "/t/other/connect/token", method: .post, headers: formHeaders,
                body: form(["grant_type": "authorization_code", "code": code, "redirect_uri": CodeFlowApp.redirect,
                            "client_id": flow.client.clientId, "code_verifier": CodeFlowApp.verifier]))
            #expect(otherIssuer.json["error"] as? String == "invalid_client")
            // None of that used the code up.
            #expect(try await flow.redeem(client, code: code).status == .ok)
        }
    }

    @Test func aConfidentialClientAuthenticatesAndMaySkipPKCE() async throws {
        let flow = try await CodeFlowApp()
        let confidential = try await CodeFlowApp.makeClient(flow.services, tenantId: flow.oauth.tenantId, secret: "s3cret")
        try await flow.app.test { client in
            var browser = Browser()
            let code = try await flow.signIn(
                &browser, client, ["code_challenge": nil, "code_challenge_method": nil], for: confidential)
            let fields = ["grant_type": "authorization_code", "code": code, "redirect_uri": CodeFlowApp.redirect]
            let unauthenticated = try await client.execute(
                uri: "/connect/token", method: .post, headers: formHeaders,
                body: form(fields.merging(["client_id": confidential.clientId]) { a, _ in a }))
            #expect(unauthenticated.json["error"] as? String == "invalid_client")
            let withVerifier = try await client.execute(
                uri: "/connect/token", method: .post, headers: basic(confidential.clientId, "s3cret"),
                body: form(fields.merging(["code_verifier": CodeFlowApp.verifier]) { a, _ in a }))
            #expect(withVerifier.json["error"] as? String == "invalid_grant")
            let ok = try await client.execute(
                uri: "/connect/token", method: .post, headers: basic(confidential.clientId, "s3cret"), body: form(fields))
            #expect(ok.status == .ok)
            #expect(ok.json["id_token"] != nil)
        }
    }

    @Test func aCodeOfAnEndedSessionIsRefused() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let code = try await flow.signIn(&browser, client)
            let session = try flow.session(of: browser)
            try await flow.services.sessions.revoke(tenantId: session.tenantId, id: session.id, reason: "test", actor: "test")
            let response = try await flow.redeem(client, code: code)
            #expect(response.json["error"] as? String == "invalid_grant")
        }
    }
}
