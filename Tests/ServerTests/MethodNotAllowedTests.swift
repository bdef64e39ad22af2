import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// A known path with a method it does not answer is 405 with `Allow` (RFC 9110 §15.5.6), in
/// the error format of its route family; unknown paths and a route's own 404 stay 404.
@Suite struct MethodNotAllowedTests {
    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        let app = try TestApp()
        try await app.test { client in
            let api = try await client.execute(uri: "/api/tenancy/tenant-registrations", method: .get)
            #expect(api.status == .methodNotAllowed)
            #expect(api.headers[.allow] == "POST")
            #expect(api.headers[.contentType] == "application/problem+json")
            #expect(api.json["status"] as? Int == 405)
            #expect((api.json["detail"] as? String)?.contains("GET is not allowed") == true)

            // A path parameter matches any one segment; every method of the path is listed.
            let parameterized = try await client.execute(uri: "/api/applications/app_x", method: .post)
            #expect(parameterized.status == .methodNotAllowed)
            #expect(parameterized.headers[.allow] == "DELETE, GET, PATCH")

            let protocolRoute = try await client.execute(uri: "/connect/token", method: .get)
            #expect(protocolRoute.status == .methodNotAllowed)
            #expect(protocolRoute.headers[.allow] == "POST")
            #expect(protocolRoute.json["error"] as? String == "invalid_request")

            let document = try await client.execute(uri: "/openapi.json", method: .delete)
            #expect(document.status == .methodNotAllowed)
            #expect(document.headers[.allow] == "GET")
        }
    }

    @Test func unknownPathsAndARoutesOwn404Stay404() async throws {
        let app = try TestApp()
        try await app.test { client in
            let unknown = try await client.execute(uri: "/api/no-such-thing", method: .get)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.allow] == nil)
            // Matched route, unknown tenant: the handler's 404, not a 405.
            let tenant = try await client.execute(uri: "/t/no-such-tenant/.well-known/openid-configuration", method: .get)
            #expect(tenant.status == .notFound)
            #expect(tenant.headers[.allow] == nil)
            // A segment that is empty never fills a parameter.
            let empty = try await client.execute(uri: "/api/applications/", method: .delete)
            #expect(empty.status != .methodNotAllowed)
        }
    }
}
