import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import NIOCore
import Store
import Testing
@testable import Server

@Suite struct TenantRegistrationRouteTests {
    static let path = "/api/tenancy/tenant-registrations"
    static var valid: [String: Any] { [
        "tenantName": "Acme Corp", "tenantSlug": "acme", "userName": "acme-admin",
        "email": "admin@acme.example", "password": "ChangeThisPassword123!", "planCode": "developer",
    ] }

    func post(_ client: some TestClientProtocol, _ body: ByteBuffer, headers: HTTPFields = jsonHeaders) async throws -> TestResponse {
        try await client.execute(uri: Self.path, method: .post, headers: headers, body: body)
    }

    func with(_ changes: [String: Any?]) -> ByteBuffer {
        var object = Self.valid
        for (key, value) in changes { object[key] = value }
        return jsonBody(object)
    }

    @Test func registersOverARealSocketThenRefusesTheSameSlug() async throws {
        let app = try TestApp()
        try await app.test(.live) { client in
            let created = try await post(client, jsonBody(Self.valid))
            #expect(created.status == .created)
            #expect(created.headers[.contentType] == "application/json")
            let json = created.json
            for key in ["tenantId", "organizationId", "administratorUserId", "membershipId"] {
                #expect((json[key] as? String)?.isEmpty == false, "missing \(key)")
            }
            #expect(created.headers[HTTPField.Name("X-Request-Id")!] != nil)

            let again = try await post(client, jsonBody(Self.valid))
            #expect(again.status == .conflict)
            #expect(again.headers[.contentType] == "application/problem+json")
            #expect(again.json["type"] as? String == "urn:arbiter:problem:tenant-slug-taken")
            #expect(again.json["status"] as? Int == 409)
        }
        // The data is in LMDB, not only in the response.
        let tables = app.services.identityTables
        #expect(try app.environment.read { try $0.count(tables.tenants) } == 1)
    }

    @Test func eachInvalidFieldIsNamed() async throws {
        let app = try TestApp()
        try await app.test { client in
            let cases: [([String: Any?], String)] = [
                (["tenantSlug": "Bad Slug"], "tenantSlug"),
                (["email": "not-an-email"], "email"),
                (["password": "short"], "password"),
                (["planCode": "platinum"], "planCode"),
                (["tenantName": ""], "tenantName"),
                (["userName": ""], "userName"),
                (["tenantSlug": nil], "tenantSlug"),
                (["email": 42], "email"),
                (["password": ["x"]], "password"),
                (["planCode": true], "planCode"),
                (["isAdmin": true], "isAdmin"),
            ]
            for (change, field) in cases {
                let response = try await post(client, with(change))
                #expect(response.status == .badRequest, "\(change)")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.json["type"] as? String == "urn:arbiter:problem:validation-error")
                #expect(response.fieldErrors == [field], "\(change)")
            }
        }
        #expect(try app.environment.read { try $0.count(app.services.identityTables.tenants) } == 0)
    }

    @Test func malformedBodiesGetProblems() async throws {
        let app = try TestApp(maxBodyBytes: 4096)
        try await app.test { client in
            let notJSON = try await post(client, ByteBuffer(string: "{\"tenantName\": "))
            #expect(notJSON.status == .badRequest)
            #expect(notJSON.json["type"] as? String == "urn:arbiter:problem:malformed-body")

            let array = try await post(client, ByteBuffer(string: "[1,2]"))
            #expect(array.status == .badRequest)

            let empty = try await post(client, ByteBuffer())
            #expect(empty.status == .badRequest)

            let form = try await post(client, ByteBuffer(string: "a=b"), headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .unsupportedMediaType)
            #expect(form.headers[.contentType] == "application/problem+json")

            let huge = try await post(client, ByteBuffer(repeating: UInt8(ascii: "a"), count: 10_000))
            #expect(huge.status == .contentTooLarge)
            #expect(huge.json["type"] as? String == "urn:arbiter:problem:body-too-large")

            // Still serving after all of that.
            let ok = try await post(client, jsonBody(Self.valid))
            #expect(ok.status == .created)
        }
    }

    @Test func unknownAPIRouteIsAProblem() async throws {
        let app = try TestApp()
        try await app.test { client in
            let response = try await client.execute(uri: "/api/nothing-here", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.json["status"] as? Int == 404)
        }
    }

    @Test func callerRequestIdIsEchoedAndBadOnesReplaced() async throws {
        let app = try TestApp()
        try await app.test { client in
            let name = HTTPField.Name("X-Request-Id")!
            let kept = try await client.execute(uri: "/healthz", method: .get, headers: [name: "trace-123"])
            #expect(kept.headers[name] == "trace-123")
            let replaced = try await client.execute(uri: "/healthz", method: .get, headers: [name: String(repeating: "x", count: 500)])
            #expect(replaced.headers[name]?.hasPrefix("req_") == true)
        }
    }
}
