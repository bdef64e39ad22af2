import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import HummingbirdTesting
import PolicyLang
import Store
import Testing
@testable import Server

@Suite struct MeRouteTests {
    static let path = "/api/runtime/authorization/me"

    /// A product with three features in acme's graph (the shapes of LicensingFacts):
    /// reports (open, entitled), export (administrators, entitled, needs a seat, which the
    /// administrator holds) and forecast (not entitled).
    static func writeLicensing(_ f: RuntimeFixture) async throws {
        let tenant = EntityUID(type: "Tenant", id: f.acme)
        let product = EntityUID(type: "Product", id: "crm")
        let pool = EntityUID(type: "SeatPool", id: "crm")
        func feature(_ key: String, roles: [String], entitled: Bool, seat: Bool) -> Entity {
            Entity(
                uid: EntityUID(type: "Feature", id: "crm/\(key)"),
                attributes: [
                    "tenant": .entity(tenant), "product": .entity(product), "name": .string(key),
                    "roles": .set(Set(roles.map(Value.string))), "seatRequired": .bool(seat), "entitled": .bool(entitled),
                    "seatPool": .entity(pool), "actions": .set([]),
                ],
                parents: [product])
        }
        var admin = RuntimeFixture.user(f.acmeAdmin, tenant: f.acme, organization: f.m.tenants["acme"]!.organizationId, roles: ["administrator"])
        admin.parents.append(pool)
        _ = try await f.services.graph.apply(tenant: f.acme, upserts: [
            Entity(uid: tenant, attributes: ["slug": .string("acme")]),
            Entity(uid: product, attributes: ["tenant": .entity(tenant), "name": .string("CRM")], parents: [tenant]),
            Entity(uid: pool, attributes: ["tenant": .entity(tenant), "product": .entity(product), "seats": .long(5)], parents: [product]),
            feature("reports", roles: [], entitled: true, seat: false),
            feature("export", roles: ["administrator"], entitled: true, seat: true),
            feature("forecast", roles: [], entitled: false, seat: false),
            admin,
        ], actor: "test")
    }

    @Test func describesAUserAndItsFeatures() async throws {
        let f = try await RuntimeFixture()
        try await Self.writeLicensing(f)
        let admin = try await f.m.adminToken()
        try await f.m.test { client in
            let response = try await client.call(.get, Self.path, admin)
            #expect(response.status == .ok)
            let json = response.json
            #expect((json["tenant"] as? [String: Any])?["id"] as? String == f.acme)
            #expect((json["tenant"] as? [String: Any])?["slug"] as? String == "acme")
            #expect((json["organization"] as? [String: Any])?["id"] as? String == f.m.tenants["acme"]!.organizationId)
            #expect((json["membership"] as? [String: Any])?["id"] as? String == f.m.tenants["acme"]!.membershipId)
            #expect((json["user"] as? [String: Any])?["id"] as? String == f.acmeAdmin)
            #expect((json["user"] as? [String: Any])?["userName"] as? String == "admin")
            #expect(json["client"] is NSNull)
            #expect((json["principal"] as? [String: Any])?["type"] as? String == "User")
            #expect(json["roles"] as? [String] == ["administrator"])
            #expect(json["device"] is NSNull)
            #expect(json["permVer"] as? Int == 1)
            #expect(json["entVer"] as? Int == 1)
            #expect(json["revision"] is String)
            let features = try #require(json["features"] as? [[String: Any]])
            #expect(features.map { $0["id"] as? String } == ["crm/export", "crm/forecast", "crm/reports"])
            let allowed = Dictionary(uniqueKeysWithValues: features.map { ($0["id"] as! String, $0["allowed"] as! Bool) })
            #expect(allowed == ["crm/export": true, "crm/forecast": false, "crm/reports": true])
            #expect(features.first { $0["id"] as? String == "crm/forecast" }?["reasons"] as? [String] == ["feature-requires-entitlement"])
            #expect(json["entitlements"] as? [String] == ["crm/export", "crm/reports"])
            #expect(json["seats"] as? [String] == ["crm"])
        }
    }

    @Test func aUserWithoutTheFeaturesRoleOrSeatIsDenied() async throws {
        let f = try await RuntimeFixture()
        try await Self.writeLicensing(f)
        let member = try await f.m.memberToken()
        try await f.m.test { client in
            let response = try await client.call(.get, Self.path, member)
            #expect(response.status == .ok)
            // The member is not in acme's graph (no projection in this test): every feature is denied.
            let features = try #require(response.json["features"] as? [[String: Any]])
            #expect(features.count == 3)
            #expect(features.allSatisfy { $0["allowed"] as? Bool == false })
            #expect(response.json["seats"] as? [String] == [])
        }
    }

    @Test func describesAClientAndAnEmptyCatalog() async throws {
        let f = try await RuntimeFixture()
        try await Self.writeLicensing(f)
        let client = try await f.m.clientToken("globex", scopes: ["tenant_context"])
        try await f.m.test { http in
            let response = try await http.call(.get, Self.path, client)
            #expect(response.status == .ok)
            let json = response.json
            #expect((json["tenant"] as? [String: Any])?["id"] as? String == f.globex)
            #expect(json["user"] is NSNull)
            #expect(json["membership"] is NSNull)
            #expect((json["client"] as? [String: Any])?["scopes"] as? [String] == ["tenant_context"])
            #expect((json["principal"] as? [String: Any])?["type"] as? String == "Client")
            // acme's features are not globex's.
            #expect(json["features"] as? [Any] != nil)
            #expect((json["features"] as? [Any])?.isEmpty == true)
            #expect(json["entitlements"] as? [String] == [])
            #expect(!String(buffer: response.body).contains("crm"))

            let none = try await http.call(.get, Self.path, nil)
            #expect(none.status == .unauthorized)
            #expect(none.isProblem)
        }
    }
}
