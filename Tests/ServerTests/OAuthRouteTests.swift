import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Testing
@testable import Server

/// A TestApp with one registered tenant and clients made through the registry, as the
/// operator CLI makes them.
struct OAuthApp {
    let app: TestApp
    let tenantId: String

    init(slug: String = "acme") async throws {
        app = try TestApp()
        tenantId = try await app.services.registrar.register(TenantRegistration(
            tenantName: "Acme", tenantSlug: slug, userName: "admin", email: "admin@acme.example",
            password: "ChangeThisPassword123!", planCode: "developer")).tenantId
    }

    func client(
        tenantId: String? = nil, scopes: [String] = ["arbiter.api", "tenant_context"], purpose: ClientPurpose = .automation
    ) async throws -> IssuedClientSecret {
        let tenant = tenantId ?? self.tenantId
        let clients = app.services.clients
        let application = try await clients.createApplication(tenantId: tenant, name: "Billing", actor: "test")
        return try await clients.createClient(
            tenantId: tenant, applicationId: application.id, name: "Billing sync", purpose: purpose, scopes: scopes,
            grantor: .operator, actor: "test")
    }
}

let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

func form(_ fields: [String: String]) -> ByteBuffer {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
    return ByteBuffer(string: fields.sorted { $0.key < $1.key }.map { key, value in
        key + "=" + value.addingPercentEncoding(withAllowedCharacters: allowed)!
    }.joined(separator: "&"))
}

func basic(_ id: String, _ secret: String) -> HTTPFields {
    var headers = formHeaders
    headers[.authorization] = "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    return headers
}

@Suite struct DiscoveryRouteTests {
    @Test func tenantIssuerDiscoveryListsWhatIsImplemented() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let response = try await client.execute(uri: "/t/acme/.well-known/openid-configuration", method: .get)
            #expect(response.status == .ok)
            let document = response.json
            let issuer = "http://127.0.0.1:0/t/acme"
            #expect(document["issuer"] as? String == issuer)
            #expect(document["token_endpoint"] as? String == issuer + "/connect/token")
            #expect(document["introspection_endpoint"] as? String == issuer + "/connect/introspect")
            #expect(document["jwks_uri"] as? String == issuer + "/.well-known/jwks.json")
            #expect(document["authorization_endpoint"] as? String == issuer + "/connect/authorize")
            #expect(document["userinfo_endpoint"] as? String == issuer + "/connect/userinfo")
            #expect(document["end_session_endpoint"] as? String == issuer + "/connect/endsession")
            // Exactly the grants the token endpoint serves.
            #expect(document["grant_types_supported"] as? [String] == TokenEndpoint.supportedGrantTypes)
            #expect((document["grant_types_supported"] as? [String])?.contains("authorization_code") == true)
            #expect(document["response_types_supported"] as? [String] == ["code"])
            #expect(document["response_modes_supported"] as? [String] == ["query"])
            #expect(document["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect(document["subject_types_supported"] as? [String] == ["public"])
            #expect(document["id_token_signing_alg_values_supported"] as? [String] == ["ES256"])
            #expect(document["authorization_response_iss_parameter_supported"] as? Bool == true)
            let authMethods = try #require(document["token_endpoint_auth_methods_supported"] as? [String])
            #expect(Set(["client_secret_basic", "client_secret_post", "none"]).isSubset(of: Set(authMethods)))
            let scopes = try #require(document["scopes_supported"] as? [String])
            #expect(Set(["openid", "profile", "email", "offline_access", "tenant_context", "arbiter.api"]) == Set(scopes))
            let claims = Set(try #require(document["claims_supported"] as? [String]))
            #expect(Set(["sub", "name", "preferred_username", "email", "email_verified", "auth_time", "nonce", "sid",
                         "organization_id", "membership_id", "session_id", "perm_ver", "ent_ver"]).isSubset(of: claims))

            let global = try await client.execute(uri: "/.well-known/openid-configuration?tenant=acme", method: .get)
            #expect(global.json["issuer"] as? String == issuer)
            let unnamed = try await client.execute(uri: "/.well-known/openid-configuration", method: .get)
            #expect(unnamed.status == .badRequest)
            #expect(unnamed.headers[.contentType] == "application/problem+json")
            let unknown = try await client.execute(uri: "/t/nobody/.well-known/openid-configuration", method: .get)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func jwksPublishesTheActiveKeyAndRetiredOnes() async throws {
        let oauth = try await OAuthApp()
        try await oauth.app.test { client in
            let first = try await client.execute(uri: "/t/acme/.well-known/jwks.json", method: .get)
            #expect(first.status == .ok)
            let keys = try #require(first.json["keys"] as? [[String: Any]])
            #expect(keys.count == 1)
            #expect(keys[0]["kty"] as? String == "EC" && keys[0]["alg"] as? String == "ES256")
            #expect(keys[0]["d"] == nil)
            try await oauth.app.services.signingKeys.rotate(tenantId: oauth.tenantId, actor: "test")
            let second = try await client.execute(uri: "/.well-known/jwks.json?tenant=acme", method: .get)
            #expect((second.json["keys"] as? [[String: Any]])?.count == 2)
        }
    }
}

@Suite struct TokenRouteTests {
    @Test func clientCredentialsWithBasicAndWithPost() async throws {
        let oauth = try await OAuthApp()
        let issued = try await oauth.client()
        let id = issued.client.clientId
        try await oauth.app.test { client in
            let viaBasic = try await client.execute(
                uri: "/t/acme/connect/token", method: .post, headers: basic(id, issued.secret),
                body: form(["grant_type": "client_credentials"]))
            #expect(viaBasic.status == .ok)
            #expect(viaBasic.headers[.cacheControl] == "no-store")
            #expect(viaBasic.headers[HTTPField.Name("Pragma")!] == "no-cache")
            #expect(viaBasic.json["token_type"] as? String == "Bearer")
            #expect(viaBasic.json["expires_in"] as? Int == 3600)
            #expect(viaBasic.json["scope"] as? String == "arbiter.api tenant_context")
            let token = try #require(viaBasic.json["access_token"] as? String)
            let verified = try await oauth.app.services.tokenVerifier.verify(token)
            #expect(verified.tenantId == oauth.tenantId && verified.clientId == id)

            let viaPost = try await client.execute(
                uri: "/connect/token", method: .post, headers: formHeaders,
                body: form(["grant_type": "client_credentials", "client_id": id, "client_secret": issued.secret, "scope": "arbiter.api"]))
            #expect(viaPost.status == .ok)
            #expect(viaPost.json["scope"] as? String == "arbiter.api")
            let narrow = try await oauth.app.services.tokenVerifier.verify(try #require(viaPost.json["access_token"] as? String))
            #expect(narrow.claims.iss == "http://127.0.0.1:0/t/acme")
            #expect(narrow.claims.tenant_id == nil)
        }
    }

    @Test func everyTokenErrorIsAnRFC6749ErrorObject() async throws {
        let oauth = try await OAuthApp()
        let issued = try await oauth.client()
        let publisher = try await oauth.client(scopes: ["arbiter.manifest.publish"], purpose: .manifestPublisher)
        let disabled = try await oauth.client()
        try await oauth.app.services.clients.setStatus(tenantId: oauth.tenantId, clientId: disabled.client.clientId, .disabled, actor: "test")
        let other = try await oauth.app.services.registrar.register(TenantRegistration(
            tenantName: "Other", tenantSlug: "other", userName: "admin", email: "admin@other.example",
            password: "ChangeThisPassword123!", planCode: "developer"))
        _ = other
        let id = issued.client.clientId
        let grant = ["grant_type": "client_credentials"]

        try await oauth.app.test { client in
            func expectError(
                _ expected: String, _ status: HTTPResponse.Status, uri: String = "/t/acme/connect/token",
                headers: HTTPFields = formHeaders, body: ByteBuffer, challenge: String? = nil, _ comment: Comment
            ) async throws {
                let response = try await client.execute(uri: uri, method: .post, headers: headers, body: body)
                #expect(response.status == status, comment)
                #expect(response.json["error"] as? String == expected, comment)
                #expect(response.headers[.contentType] == "application/json", comment)
                #expect(response.headers[.cacheControl] == "no-store", comment)
                if let challenge {
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix(challenge) == true, comment)
                } else {
                    #expect(response.headers[.wwwAuthenticate] == nil, comment)
                }
            }
            try await expectError("invalid_request", .badRequest, headers: basic(id, issued.secret), body: form([:]), "no grant_type")
            try await expectError("invalid_request", .badRequest, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"), "JSON body")
            try await expectError("invalid_request", .badRequest, headers: basic(id, issued.secret),
                                  body: ByteBuffer(string: "grant_type=client_credentials&grant_type=client_credentials"), "repeated parameter")
            try await expectError("invalid_request", .contentTooLarge, headers: basic(id, issued.secret),
                                  body: ByteBuffer(string: "grant_type=client_credentials&pad=" + String(repeating: "a", count: 20_000)), "huge body")
            var both = basic(id, issued.secret)
            both[.contentType] = "application/x-www-form-urlencoded"
            try await expectError("invalid_request", .badRequest, headers: both,
                                  body: form(grant.merging(["client_secret": issued.secret]) { a, _ in a }), "two auth methods")
            try await expectError("unsupported_grant_type", .badRequest, headers: basic(id, issued.secret),
                                  body: form(["grant_type": "password"]), "password grant")
            try await expectError("invalid_client", .unauthorized, headers: basic(id, "wrong"), body: form(grant),
                                  challenge: "Basic", "wrong secret via Basic")
            try await expectError("invalid_client", .unauthorized,
                                  body: form(grant.merging(["client_id": id, "client_secret": "wrong"]) { a, _ in a }),
                                  "wrong secret via post")
            try await expectError("invalid_client", .unauthorized, body: form(grant), "no credentials")
            try await expectError("invalid_client", .unauthorized, headers: basic("cli_nobody", issued.secret), body: form(grant),
                                  challenge: "Basic", "unknown client")
            try await expectError("invalid_client", .unauthorized, uri: "/t/other/connect/token", headers: basic(id, issued.secret),
                                  body: form(grant), challenge: "Basic", "another tenant's issuer")
            try await expectError("invalid_client", .unauthorized,
                                  body: form(grant.merging(["client_id": publisher.client.clientId, "client_secret": publisher.secret]) { a, _ in a }),
                                  "manifest publisher may only use Basic")
            try await expectError("unauthorized_client", .badRequest, headers: basic(disabled.client.clientId, disabled.secret),
                                  body: form(grant), "disabled client")
            try await expectError("invalid_scope", .badRequest, headers: basic(id, issued.secret),
                                  body: form(grant.merging(["scope": "arbiter.api arbiter.scim.admin"]) { a, _ in a }), "scope not granted")
            try await expectError("invalid_scope", .badRequest, headers: basic(id, issued.secret),
                                  body: form(grant.merging(["scope": "made.up"]) { a, _ in a }), "unknown scope")
            try await expectError("invalid_request", .notFound, uri: "/t/nobody/connect/token", headers: basic(id, issued.secret),
                                  body: form(grant), "unknown tenant")
            try await expectError("invalid_request", .notFound, uri: "/connect/nothing-here", body: form(grant), "unknown /connect path")

            // The publisher gets its token with Basic.
            let published = try await client.execute(
                uri: "/connect/token", method: .post, headers: basic(publisher.client.clientId, publisher.secret), body: form(grant))
            #expect(published.status == .ok)
            #expect(published.json["scope"] as? String == "arbiter.manifest.publish")
        }
    }
}

@Suite struct IntrospectionRouteTests {
    @Test func introspectionAnswersForTheCallersTenantOnly() async throws {
        let oauth = try await OAuthApp()
        let issued = try await oauth.client()
        let id = issued.client.clientId
        let otherTenant = try await oauth.app.services.registrar.register(TenantRegistration(
            tenantName: "Other", tenantSlug: "other", userName: "admin", email: "admin@other.example",
            password: "ChangeThisPassword123!", planCode: "developer")).tenantId
        let stranger = try await oauth.client(tenantId: otherTenant)

        try await oauth.app.test { client in
            func token(_ id: String, _ secret: String) async throws -> String {
                let response = try await client.execute(
                    uri: "/connect/token", method: .post, headers: basic(id, secret), body: form(["grant_type": "client_credentials"]))
                return try #require(response.json["access_token"] as? String)
            }
            let mine = try await token(id, issued.secret)
            let theirs = try await token(stranger.client.clientId, stranger.secret)

            let active = try await client.execute(
                uri: "/t/acme/connect/introspect", method: .post, headers: basic(id, issued.secret), body: form(["token": mine]))
            #expect(active.status == .ok)
            #expect(active.headers[.cacheControl] == "no-store")
            #expect(active.json["active"] as? Bool == true)
            #expect(active.json["client_id"] as? String == id)
            #expect(active.json["sub"] as? String == id)
            #expect(active.json["scope"] as? String == "arbiter.api tenant_context")
            #expect(active.json["tenant_id"] as? String == oauth.tenantId)
            #expect(active.json["iss"] as? String == "http://127.0.0.1:0/t/acme")
            #expect(active.json["token_type"] as? String == "Bearer")

            for (label, candidate) in [("other tenant", theirs), ("garbage", "abc.def.ghi"), ("tampered", mine + "x")] {
                let inactive = try await client.execute(
                    uri: "/connect/introspect", method: .post, headers: formHeaders,
                    body: form(["token": candidate, "client_id": id, "client_secret": issued.secret]))
                #expect(inactive.status == .ok, "\(label)")
                #expect(inactive.json as NSDictionary == ["active": false] as NSDictionary, "\(label)")
            }

            // RFC 7662 §2.1: a bearer access token may authorize the call instead of client credentials.
            var bearer = formHeaders
            bearer[.authorization] = "Bearer " + mine
            let viaBearer = try await client.execute(uri: "/connect/introspect", method: .post, headers: bearer, body: form(["token": mine]))
            #expect(viaBearer.json["active"] as? Bool == true)
            bearer[.authorization] = "Bearer " + mine + "x"
            let badBearer = try await client.execute(uri: "/connect/introspect", method: .post, headers: bearer, body: form(["token": mine]))
            #expect(badBearer.status == .unauthorized)
            #expect(badBearer.json["error"] as? String == "invalid_token")
            #expect(badBearer.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)

            let anonymous = try await client.execute(uri: "/connect/introspect", method: .post, headers: formHeaders, body: form(["token": mine]))
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.json["error"] as? String == "invalid_client")
            let noToken = try await client.execute(uri: "/connect/introspect", method: .post, headers: basic(id, issued.secret), body: form([:]))
            #expect(noToken.json["error"] as? String == "invalid_request")
            let wrongIssuer = try await client.execute(
                uri: "/t/other/connect/introspect", method: .post, headers: basic(id, issued.secret), body: form(["token": mine]))
            #expect(wrongIssuer.status == .unauthorized)
        }
    }
}
