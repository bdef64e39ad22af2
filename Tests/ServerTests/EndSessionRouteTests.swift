import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import Identity
import NIOCore
import Store
import Testing
import TestSupport
@testable import Server

@Suite struct EndSessionRouteTests {
    /// Signs in, redeems the code, and returns the tokens.
    func signedIn(_ flow: CodeFlowApp, _ client: any TestClientProtocol, _ browser: inout Browser) async throws -> (access: String, id: String) {
        let code = try await flow.signIn(&browser, client)
        let body = try await flow.redeem(client, code: code).json
        let access = try #require(body["access_token"] as? String)
        let id = try #require(body["id_token"] as? String)
        return (access, id)
    }

    @Test func aHintAndARegisteredURIRedirectWithStateAndSignTheBrowserOut() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let tokens = try await signedIn(flow, client, &browser)
            let response = try await browser.get(client, "/t/acme/connect/endsession", [
                "id_token_hint": tokens.id, "post_logout_redirect_uri": CodeFlowApp.postLogout, "state": "bye",
            ])
            #expect(response.status == .found)
            #expect(response.headers[.location] == CodeFlowApp.postLogout + "?state=bye")
            let cleared = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("arbiter_session=") })
            #expect(cleared.contains("Max-Age=0"))
            #expect(browser.cookies["arbiter_session"] == nil)
            await #expect(throws: TokenVerificationError.revoked) { try await flow.services.tokenVerifier.verify(tokens.access) }
            let again = try await browser.get(client, "/t/acme/connect/authorize", flow.parameters())
            #expect(again.status == .ok)
        }
    }

    @Test func withoutARegisteredURIItShowsASignedOutPage() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            let cases: [(name: String, uri: String?, hint: Bool)] = [
                ("unregistered URI", "https://evil.example/", true),
                ("a redirect URI, not a post-logout one", CodeFlowApp.redirect, true),
                ("no client named", CodeFlowApp.postLogout, false),
                ("no URI", nil, true),
                ("nothing at all", nil, false),
            ]
            for (name, uri, hint) in cases {
                let parameters = name
                var browser = Browser()
                let tokens = try await signedIn(flow, client, &browser)
                var query: [String: String] = [:]
                if let uri { query["post_logout_redirect_uri"] = uri }
                if hint { query["id_token_hint"] = tokens.id }
                var response = try await browser.get(client, "/connect/endsession", query)
                if !hint {
                    // Nothing proves the client asked: the user confirms first.
                    #expect(Browser.html(response).contains("Sign out?"), "\(parameters)")
                    response = try await browser.post(client, "/connect/endsession", Browser.hiddenFields(response))
                }
                #expect(response.status == .ok, "\(parameters)")
                #expect(response.headers[.location] == nil, "\(parameters)")
                #expect(Browser.html(response).contains("signed out"), "\(parameters)")
                #expect(browser.cookies["arbiter_session"] == nil)
                // The browser's session is revoked either way.
                await #expect(throws: TokenVerificationError.revoked) { try await flow.services.tokenVerifier.verify(tokens.access) }
            }
        }
    }

    @Test func clientIdAloneMayNameTheClientAndMustAgreeWithTheHint() async throws {
        let flow = try await CodeFlowApp()
        let second = try await CodeFlowApp.makeClient(flow.services, tenantId: flow.oauth.tenantId)
        try await flow.app.test { client in
            var browser = Browser()
            _ = try await signedIn(flow, client, &browser)
            let confirm = try await browser.get(client, "/connect/endsession", [
                "client_id": flow.client.clientId, "post_logout_redirect_uri": CodeFlowApp.postLogout,
            ])
            let byId = try await browser.post(client, "/connect/endsession", Browser.hiddenFields(confirm))
            #expect(byId.status == .found && byId.headers[.location] == CodeFlowApp.postLogout)

            var other = Browser()
            let tokens = try await signedIn(flow, client, &other)
            let mismatch = try await other.get(client, "/connect/endsession", [
                "id_token_hint": tokens.id, "client_id": second.clientId, "post_logout_redirect_uri": CodeFlowApp.postLogout,
            ])
            #expect(mismatch.status == .ok && mismatch.headers[.location] == nil)
        }
    }

    @Test func withoutAHintALinkCannotSignAnyoneOut() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let tokens = try await signedIn(flow, client, &browser)
            let page = try await browser.get(client, "/connect/endsession", ["post_logout_redirect_uri": CodeFlowApp.postLogout])
            #expect(page.status == .ok && Browser.html(page).contains("Sign out?"))
            #expect(browser.cookies["arbiter_session"] != nil)
            _ = try await flow.services.tokenVerifier.verify(tokens.access)
            // A forged post (another site cannot read the CSRF cookie) asks again.
            var forged = Browser.hiddenFields(page)
            forged["csrf_token"] = String(repeating: "A", count: 43)
            let refused = try await browser.post(client, "/connect/endsession", forged)
            #expect(Browser.html(refused).contains("Sign out?"))
            _ = try await flow.services.tokenVerifier.verify(tokens.access)
            let done = try await browser.post(client, "/connect/endsession", Browser.hiddenFields(page))
            #expect(Browser.html(done).contains("signed out"))
            await #expect(throws: TokenVerificationError.revoked) { try await flow.services.tokenVerifier.verify(tokens.access) }
        }
    }

    @Test func theHintAloneSignsItsSessionOutAndExpiredHintsCount() async throws {
        let flow = try await CodeFlowApp()
        try await flow.app.test { client in
            var browser = Browser()
            let tokens = try await signedIn(flow, client, &browser)
            let verified = try await flow.services.tokenVerifier.verify(tokens.access)
            let sessionId = try #require(verified.claims.session_id)
            let session = try #require(try flow.services.sessions.session(tenantId: verified.tenantId, id: sessionId))
            let user = try #require(try flow.services.environment.read { txn throws in
                try txn.getJSON(User.self, flow.services.identityTables.users, Key(.string(session.tenantId), .string(session.userId)))
            })
            let expired = try await flow.services.tokenIssuer.issueIDToken(
                client: flow.client, tenantSlug: "acme", session: session, user: user, scopes: ["openid"], nonce: nil,
                accessToken: nil, now: Date().addingTimeInterval(-2 * IDTokens.lifetime))
            // Another browser (no cookie) presents the hint: its session is signed out.
            var elsewhere = Browser()
            let response = try await elsewhere.get(client, "/t/acme/connect/endsession", [
                "id_token_hint": expired, "post_logout_redirect_uri": CodeFlowApp.postLogout,
            ])
            #expect(response.status == .found && response.headers[.location] == CodeFlowApp.postLogout)
            #expect(try !flow.services.sessions.isActive(tenantId: session.tenantId, id: session.id))

            // A tampered hint counts for nothing: no redirect.
            let tampered = tamperedSignature(tokens.id)
            let refused = try await elsewhere.get(client, "/t/acme/connect/endsession", [
                "id_token_hint": tampered, "post_logout_redirect_uri": CodeFlowApp.postLogout,
            ])
            #expect(refused.status == .ok && refused.headers[.location] == nil)
            // Nor at another tenant's issuer.
            let otherIssuer = try await elsewhere.get(client, "/t/other/connect/endsession", [
                "id_token_hint": tokens.id, "post_logout_redirect_uri": CodeFlowApp.postLogout,
            ])
            #expect(otherIssuer.status == .ok && otherIssuer.headers[.location] == nil)
            let unknown = try await elsewhere.get(client, "/t/nobody/connect/endsession")
            #expect(unknown.status == .notFound)
        }
    }
}
