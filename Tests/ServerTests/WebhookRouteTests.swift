import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing
@testable import Server

@Suite struct WebhookRouteTests {
    func webhooksURI(_ m: ManagementApp, _ slug: String = "acme") -> String {
        "/api/organizations/\(m.firstOrganizationId(slug))/webhooks"
    }

    func webhookCount(_ m: ManagementApp) throws -> Int {
        try m.services.environment.read { try $0.count(m.services.webhookTables.webhooks) }
    }

    @Test func createShowsTheSecretOnceAndListGetDeleteNeverDo() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let created = try await client.call(.post, webhooksURI(m), admin, [
                "url": "https://hooks.example.com/arbiter?token=abc", "eventTypes": ["device.*", "client.create", "device.*"],
            ])
            #expect(created.status == .created)
            #expect(created.headers[.cacheControl] == "no-store")
            let secret = try #require(created.json["secret"] as? String)
            #expect(secret.hasPrefix("whsec_") && secret.count == 6 + 43)
            #expect(created.json["eventTypes"] as? [String] == ["device.*", "client.create"])
            let id = try #require(created.json["id"] as? String)
            #expect(created.headers[.location] == webhooksURI(m) + "/" + id)

            let one = try await client.call(.get, webhooksURI(m) + "/" + id, admin)
            #expect(one.status == .ok && one.json["secret"] == nil && one.json["url"] as? String == "https://hooks.example.com/arbiter?token=abc")
            let list = try await client.call(.get, webhooksURI(m), admin)
            let items = try #require(list.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["secret"] == nil)
            #expect(!String(buffer: list.body).contains(secret) && !String(buffer: one.body).contains(secret))

            // Audited, with the URL's query (a receiver's token) left out of the reason.
            let audit = try await client.call(.get, "/api/organizations/\(m.firstOrganizationId("acme"))/audit-events?action=webhook.*", admin)
            let events = try #require(audit.json["items"] as? [[String: Any]])
            #expect(events.first?["action"] as? String == "webhook.create" && events.first?["target"] as? String == id)
            let reason = try #require(events.first?["reason"] as? String)
            #expect(reason.hasPrefix("deliver device.*, client.create to https://hooks.example.com/arbiter"))
            #expect(!reason.contains("token=abc"))

            let deleted = try await client.call(.delete, webhooksURI(m) + "/" + id, admin)
            #expect(deleted.status == .noContent)
            #expect(try await client.call(.get, webhooksURI(m) + "/" + id, admin).status == .notFound)
            #expect(try await client.call(.delete, webhooksURI(m) + "/" + id, admin).status == .notFound)
        }
        #expect(try webhookCount(m) == 0)
    }

    @Test func badBodiesAre400sListingEveryFieldAndWriteNothing() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let cases: [([String: Any], [String])] = [
                (["url": "http://hooks.example.com/x", "eventTypes": ["*"]], ["url"]),
                (["url": "http://10.0.0.5/x", "eventTypes": ["*"]], ["url"]),
                (["url": "ftp://127.0.0.1/x", "eventTypes": ["*"]], ["url"]),
                (["url": "https://user:pw@hooks.example.com/", "eventTypes": ["*"]], ["url"]),
                (["url": "not a url", "eventTypes": ["devce.*", "Device.create", "device..x", "*.*", ""]],
                 ["url", "eventTypes[0]", "eventTypes[1]", "eventTypes[2]", "eventTypes[3]", "eventTypes[4]"]),
                (["url": "https://hooks.example.com/", "eventTypes": []], ["eventTypes"]),
                (["url": "https://hooks.example.com/"], ["eventTypes"]),
                (["eventTypes": ["*"], "secret": "mine"], ["secret", "url"]),
                (["url": "https://hooks.example.com/" + String(repeating: "a", count: 2100), "eventTypes": "device.*"], ["eventTypes", "url"]),
            ]
            for (body, fields) in cases {
                let response = try await client.call(.post, webhooksURI(m), admin, body)
                #expect(response.status == .badRequest && response.isProblem, "\(body)")
                #expect(Set(response.fieldErrors) == Set(fields), "\(body): \(response.fieldErrors)")
            }
            // Loopback http is accepted (development and tests).
            for url in ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]:8080/hook"] {
                let response = try await client.call(.post, webhooksURI(m), admin, ["url": url, "eventTypes": ["*"]])
                #expect(response.status == .created, "\(url)")
            }
        }
        #expect(try webhookCount(m) == 3)
    }

    /// A deployed server (public URL not on loopback) refuses targets in its own network.
    @Test func aDeployedServerRefusesLoopbackPrivateAndLinkLocalTargets() {
        for url in ["https://10.0.0.5/hook", "https://192.168.1.1/", "https://169.254.169.254/latest/meta-data",
                    "https://172.20.0.1/", "https://[fd00::1]/", "http://127.0.0.1:9/hook", "https://localhost/hook"] {
            #expect(WebhookRoutes.urlProblem(url, allowPrivate: false)?.contains("private") == true, "\(url)")
            if url.hasPrefix("https") { #expect(WebhookRoutes.urlProblem(url, allowPrivate: true) == nil, "\(url)") }
        }
        #expect(WebhookRoutes.urlProblem("https://hooks.example.com/arbiter", allowPrivate: false) == nil)
        #expect(WebhookRoutes.urlProblem("https://8.8.8.8/hook", allowPrivate: false) == nil)
        #expect(OutboundAddresses.allowsPrivate(publicBaseURL: "http://127.0.0.1:8080"))
        #expect(!OutboundAddresses.allowsPrivate(publicBaseURL: "https://auth.example.com"))
    }

    @Test func onlyAdministratorsOfTheTenantManageThem() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let member = try await m.memberToken()
        let automation = try await m.clientToken()
        let otherAdmin = try await m.adminToken("globex")
        try await m.test { client in
            let created = try await client.call(.post, webhooksURI(m), admin, ["url": "https://h.example.com/", "eventTypes": ["*"]])
            let id = try #require(created.json["id"] as? String)
            let uri = webhooksURI(m) + "/" + id
            for token in [member, automation] {
                #expect(try await client.call(.get, webhooksURI(m), token).status == .forbidden)
                #expect(try await client.call(.post, webhooksURI(m), token, ["url": "https://h.example.com/", "eventTypes": ["*"]]).status == .forbidden)
                #expect(try await client.call(.get, uri, token).status == .forbidden)
                #expect(try await client.call(.get, uri + "/deliveries", token).status == .forbidden)
                #expect(try await client.call(.delete, uri, token).status == .forbidden)
            }
            // Another tenant's administrator: the organization and webhook are not there.
            #expect(try await client.call(.get, uri, otherAdmin).status == .notFound)
            #expect(try await client.call(.delete, uri, otherAdmin).status == .notFound)
            #expect(try await client.call(.get, webhooksURI(m), otherAdmin).status == .notFound)
            // Its own organization does not reach this webhook either.
            #expect(try await client.call(.get, webhooksURI(m, "globex") + "/" + id, otherAdmin).status == .notFound)
            #expect(try await client.call(.get, uri, nil).status == .unauthorized)
        }
        #expect(try webhookCount(m) == 1)
    }

    @Test func deliveriesListNewestFirstWithStatusFilterAndCursor() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let tenantId = m.tenantId("acme"), organizationId = m.firstOrganizationId("acme")
        let id: String = try await m.test { client in
            let created = try await client.call(.post, webhooksURI(m), admin, ["url": "https://h.example.com/", "eventTypes": ["device.*"]])
            return try #require(created.json["id"] as? String)
        }
        for i in 0..<5 {
            try await m.services.environment.write { txn in
                try txn.appendAudit(AuditEvent(
                    tenantId: tenantId, actor: "usr_x", action: "device.risk.update", target: "dev_\(i)", organizationId: organizationId))
            }
        }
        try await m.test { client in
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, webhooksURI(m) + "/\(id)/deliveries?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), admin)
                #expect(page.status == .ok)
                let items = try #require(page.json["items"] as? [[String: Any]])
                #expect(items.allSatisfy { $0["status"] as? String == "pending" && $0["attempts"] as? Int == 0 && $0["nextAttemptAt"] != nil })
                seen += items.compactMap { $0["id"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(seen.count == 5 && Set(seen).count == 5)
            let delivered = try await client.call(.get, webhooksURI(m) + "/\(id)/deliveries?status=delivered", admin)
            #expect((delivered.json["items"] as? [Any])?.isEmpty == true)
            let bad = try await client.call(.get, webhooksURI(m) + "/\(id)/deliveries?status=done&limit=0&cursor=!!", admin)
            #expect(bad.status == .badRequest && Set(bad.fieldErrors) == ["status", "limit", "cursor"])
        }
    }
}
