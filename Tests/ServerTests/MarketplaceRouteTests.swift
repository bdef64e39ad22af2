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

@Suite struct MarketplaceRouteTests {
    @Test func catalogInstallListUninstall() async throws {
        let m = try await ManagementApp()
        let (publisher, _) = try await m.manifestPublisher()
        let admin = try await m.adminToken("globex")
        let member = try await m.memberToken("globex")
        let globex = m.tenantId("globex")
        try await m.test { client in
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, crmManifest).status == .created)

            let catalog = try await client.call(.get, "/api/marketplace/catalog", member)
            #expect(catalog.status == .ok)
            let products = try #require(catalog.json["items"] as? [[String: Any]])
            #expect(products.count == 1)
            #expect(products[0]["productKey"] as? String == "acme.crm")
            #expect(products[0]["name"] as? String == "CRM")
            #expect(products[0]["installed"] as? Bool == false)
            #expect(products[0]["version"] as? Int == 1)
            #expect((products[0]["features"] as? [[String: Any]])?.count == 2)
            // Nothing of the publisher's tenant besides the product itself.
            #expect(Set(products[0].keys) == ["productKey", "name", "version", "label", "publishedAt", "installed", "features"])

            let denied = try await client.call(.post, "/api/marketplace/installations", member, ["productKey": "acme.crm"])
            #expect(denied.status == .forbidden)
            let revision = try m.tenantRevision("globex")
            let installed = try await client.call(.post, "/api/marketplace/installations", admin, ["productKey": "acme.crm"])
            #expect(installed.status == .created)
            let installationId = try #require(installed.json["id"] as? String)
            #expect(installationId.hasPrefix("ins_"))
            #expect(installed.headers[.location] == "/api/marketplace/installations/\(installationId)")
            #expect(try m.tenantRevision("globex") > revision)

            // The product's entities are now in globex's graph, not entitled yet.
            let product = try #require(try m.graphEntity("globex", "Product", "acme.crm"))
            #expect(product.parents == [EntityUID(type: "Tenant", id: globex)])
            let reports = try #require(try m.graphEntity("globex", "Feature", "acme.crm/reports"))
            #expect(reports.attributes["entitled"] == .bool(false))
            #expect(reports.attributes["seatPool"] == .entity(EntityUID(type: "SeatPool", id: "acme.crm")))
            #expect(try m.graphEntity("globex", "SeatPool", "acme.crm")?.attributes["seats"] == .long(0))
            #expect(try m.graphEntity("globex", "Action", "acme.crm/export")?.parents == [EntityUID(type: "Action", id: "use")])

            let twice = try await client.call(.post, "/api/marketplace/installations", admin, ["productKey": "acme.crm"])
            #expect(twice.status == .conflict)
            #expect(twice.problemType == "already-installed")
            #expect(try await client.call(.post, "/api/marketplace/installations", admin, ["productKey": "nope.nope"]).status == .notFound)
            #expect(try await client.call(.post, "/api/marketplace/installations", admin, [:]).status == .badRequest)

            let afterInstall = try await client.call(.get, "/api/marketplace/catalog", admin)
            #expect((afterInstall.json["items"] as? [[String: Any]])?.first?["installed"] as? Bool == true)
            let listed = try await client.call(.get, "/api/marketplace/installations", member)
            #expect(listed.status == .ok)
            #expect((listed.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [installationId])

            #expect(try await client.call(.delete, "/api/marketplace/installations/\(installationId)", member).status == .forbidden)
            #expect(try await client.call(.delete, "/api/marketplace/installations/\(installationId)", admin).status == .noContent)
            #expect(try m.graphEntity("globex", "Feature", "acme.crm/reports") == nil)
            #expect(try m.graphEntity("globex", "Product", "acme.crm") == nil)
            #expect(try m.graphEntity("globex", "SeatPool", "acme.crm") == nil)
            // The publisher keeps its own product's entities.
            #expect(try m.graphEntity("acme", "Feature", "acme.crm/reports") != nil)
            #expect(try await client.call(.delete, "/api/marketplace/installations/\(installationId)", admin).status == .notFound)
        }
        let events = try m.services.environment.read { try $0.auditEvents(tenant: globex, limit: 100) }.map(\.action)
        #expect(events.contains("installation.create") && events.contains("installation.delete"))
    }

    @Test func anotherTenantsInstallationIs404AndUnchanged() async throws {
        let m = try await ManagementApp()
        let (publisher, _) = try await m.manifestPublisher()
        let globexAdmin = try await m.adminToken("globex")
        let acmeAdmin = try await m.adminToken("acme")
        let client = try await m.clientToken("globex")
        try await m.test { http in
            #expect(try await http.call(.post, "/api/runtime/manifests", publisher, crmManifest).status == .created)
            let installed = try await http.call(.post, "/api/marketplace/installations", globexAdmin, ["productKey": "acme.crm"])
            let id = try #require(installed.json["id"] as? String)
            let revision = try m.tenantRevision("globex")
            let answer = try await http.call(.delete, "/api/marketplace/installations/\(id)", acmeAdmin)
            #expect(answer.status == .notFound)
            #expect(answer.isProblem)
            #expect(try m.tenantRevision("globex") == revision)
            #expect(try m.services.licensing.installation(tenantId: m.tenantId("globex"), id: id) != nil)
            #expect(try m.graphEntity("globex", "Feature", "acme.crm/reports") != nil)
            // acme lists only its own (none).
            let listed = try await http.call(.get, "/api/marketplace/installations", acmeAdmin)
            #expect((listed.json["items"] as? [Any])?.isEmpty == true)
            // Clients get no management rights; no token is 401.
            #expect(try await http.call(.get, "/api/marketplace/catalog", client).status == .forbidden)
            #expect(try await http.call(.get, "/api/marketplace/catalog", nil).status == .unauthorized)
        }
    }
}
