import Evaluator
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import PolicyLang
import Store
import Testing
@testable import Server

@Suite struct ManifestRouteTests {
    @Test func publishIsIdempotentAndVersioned() async throws {
        let m = try await ManagementApp()
        let (publisher, applicationId) = try await m.manifestPublisher()
        try await m.test { client in
            let first = try await client.call(.post, "/api/runtime/manifests", publisher, crmManifest)
            #expect(first.status == .created)
            #expect(first.json["productKey"] as? String == "acme.crm")
            #expect(first.json["applicationId"] as? String == applicationId)
            #expect(first.json["version"] as? Int == 1)
            #expect(first.json["label"] as? String == "1.0.0")
            #expect(first.json["changed"] as? Bool == true)
            // Features come back sorted by key.
            let features = try #require(first.json["features"] as? [[String: Any]])
            #expect(features.compactMap { $0["key"] as? String } == ["contacts", "reports"])
            let revision = try m.tenantRevision("acme")

            let again = try await client.call(.post, "/api/runtime/manifests", publisher, crmManifest)
            #expect(again.status == .ok)
            #expect(again.json["version"] as? Int == 1)
            #expect(again.json["changed"] as? Bool == false)
            #expect(try m.tenantRevision("acme") == revision)

            var changed = crmManifest
            changed["version"] = "1.1.0"
            changed["features"] = [["key": "reports", "name": "Reports", "actions": ["export"], "roles": ["analyst"], "seatRequired": true]]
            let second = try await client.call(.post, "/api/runtime/manifests", publisher, changed)
            #expect(second.status == .created)
            #expect(second.json["version"] as? Int == 2)
            #expect(try m.tenantRevision("acme") > revision)

            // An old version label with new content is refused.
            changed["version"] = "1.0.0"
            let reused = try await client.call(.post, "/api/runtime/manifests", publisher, changed)
            #expect(reused.status == .conflict)
            #expect(reused.problemType == "manifest-version-exists")

            let listed = try await client.call(.get, "/api/runtime/manifests", publisher)
            #expect(listed.status == .ok)
            #expect(listed.json["productKey"] as? String == "acme.crm")
            let items = try #require(listed.json["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["version"] as? Int } == [2, 1])
            #expect(items.compactMap { $0["label"] as? String } == ["1.1.0", "1.0.0"])
        }
        // The publisher's graph follows the newest version: contacts and its action are gone.
        let reports = try #require(try m.graphEntity("acme", "Feature", "acme.crm/reports"))
        #expect(reports.parents == [EntityUID(type: "Product", id: "acme.crm")])
        #expect(reports.attributes["roles"] == .set([.string("analyst")]))
        #expect(reports.attributes["seatRequired"] == .bool(true))
        #expect(reports.attributes["entitled"] == .bool(false))
        #expect(reports.attributes["actions"] == .set([.entity(EntityUID(type: "Action", id: "acme.crm/export"))]))
        #expect(try m.graphEntity("acme", "Feature", "acme.crm/contacts") == nil)
        #expect(try m.graphEntity("acme", "Action", "acme.crm/list") == nil)
        #expect(try m.graphEntity("acme", "Action", "acme.crm/view") == nil)
        let export = try #require(try m.graphEntity("acme", "Action", "acme.crm/export"))
        #expect(export.parents == [EntityUID(type: "Action", id: "use")])
        let product = try #require(try m.graphEntity("acme", "Product", "acme.crm"))
        #expect(product.parents == [EntityUID(type: "Tenant", id: m.tenantId("acme"))])
        let events = try m.services.environment.read { try $0.auditEvents(tenant: m.tenantId("acme"), limit: 100) }
        #expect(events.filter { $0.action == "manifest.publish" }.count == 2)
    }

    @Test func republishReachesEveryInstalledTenant() async throws {
        let m = try await ManagementApp()
        let (publisher, _) = try await m.manifestPublisher()
        let globexAdmin = try await m.adminToken("globex")
        let globexAdminId = m.tenants["globex"]!.administratorUserId
        try await m.test { client in
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, crmManifest).status == .created)
            #expect(try await client.call(.post, "/api/marketplace/installations", globexAdmin, ["productKey": "acme.crm"]).status == .created)
            #expect(try await client.call(
                .post, "/api/licensing/subscriptions", globexAdmin, ["productKey": "acme.crm", "seats": 3]).status == .created)
            let entVer = try m.entVersion("globex", globexAdminId)
            let revision = try m.tenantRevision("globex")
            var next = crmManifest
            next["version"] = "2.0.0"
            next["features"] = (crmManifest["features"] as! [[String: Any]])
                + [["key": "forecasts", "name": "Forecasts", "actions": ["run"], "seatRequired": false]]
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, next).status == .created)
            let forecasts = try #require(try m.graphEntity("globex", "Feature", "acme.crm/forecasts"))
            #expect(forecasts.attributes["entitled"] == .bool(true))
            #expect(forecasts.attributes["tenant"] == .entity(EntityUID(type: "Tenant", id: m.tenantId("globex"))))
            #expect(try m.graphEntity("acme", "Feature", "acme.crm/forecasts")?.attributes["entitled"] == .bool(false))
            #expect(try m.tenantRevision("globex") > revision)
            // New features change what the subscribed tenant is entitled to.
            #expect(try m.entVersion("globex", globexAdminId) == entVer + 1)
        }
    }

    @Test func onlyAManifestPublisherWithTheScopePublishes() async throws {
        let m = try await ManagementApp()
        let (automation, _) = try await m.manifestPublisher(key: "ops", purpose: .automation, scopes: ["arbiter.manifest.publish"])
        let (noScope, _) = try await m.manifestPublisher(key: "jobs", scopes: ["tenant_context"])
        let (internalApp, _) = try await m.manifestPublisher(key: "internal", external: false)
        let admin = try await m.adminToken()
        try await m.test { client in
            let none = try await client.call(.post, "/api/runtime/manifests", nil, crmManifest)
            #expect(none.status == .unauthorized)
            #expect(none.isProblem)
            #expect(try await client.call(.post, "/api/runtime/manifests", "garbage", crmManifest).status == .unauthorized)
            let scopeless = try await client.call(.post, "/api/runtime/manifests", noScope, crmManifest)
            #expect(scopeless.status == .forbidden)
            #expect(scopeless.problemType == "insufficient-scope")
            #expect(try await client.call(.post, "/api/runtime/manifests", admin, crmManifest).status == .forbidden)
            let wrongPurpose = try await client.call(.post, "/api/runtime/manifests", automation, crmManifest)
            #expect(wrongPurpose.status == .forbidden)
            #expect(wrongPurpose.problemType == "forbidden")
            let notExternal = try await client.call(.post, "/api/runtime/manifests", internalApp, crmManifest)
            #expect(notExternal.status == .conflict)
            #expect(notExternal.problemType == "application-not-external")
            #expect(try await client.call(.get, "/api/runtime/manifests", automation).status == .forbidden)
        }
        #expect(try m.services.licensing.products(after: nil, limit: 10).items.isEmpty)
    }

    @Test func badManifestsAre400WithEveryField() async throws {
        let m = try await ManagementApp()
        let (publisher, _) = try await m.manifestPublisher()
        try await m.test { client in
            let bad = try await client.call(.post, "/api/runtime/manifests", publisher, [
                "version": "has space", "extra": 1,
                "features": [
                    ["key": "Bad Key", "name": "", "actions": ["ok", "ok"], "roles": [""], "seatRequired": "yes"],
                    "not an object",
                ],
            ])
            #expect(bad.status == .badRequest)
            #expect(Set(bad.fieldErrors).isSuperset(of: ["extra", "features[0].seatRequired", "features[1]"]))
            let bad2 = try await client.call(.post, "/api/runtime/manifests", publisher, [
                "version": "has space",
                "features": [["key": "Bad Key", "name": "", "actions": ["ok", "ok"], "roles": [""]], ["key": "x", "name": "X"]],
            ])
            #expect(bad2.status == .badRequest)
            #expect(Set(bad2.fieldErrors).isSuperset(of: [
                "version", "features[0].key", "features[0].name", "features[0].actions", "features[0].roles",
            ]))
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, ["features": []]).status == .badRequest)
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, [:]).status == .badRequest)
            let tooMany = (0..<101).map { ["key": "f\($0)", "name": "F", "actions": [String]()] as [String: Any] }
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, ["features": tooMany]).status == .badRequest)
        }
        #expect(try m.services.licensing.products(after: nil, limit: 10).items.isEmpty)
    }
}
