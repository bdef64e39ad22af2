import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing
@testable import Server

@Suite struct AuditEventRouteTests {
    func auditURI(_ m: ManagementApp, _ slug: String = "acme") -> String {
        "/api/organizations/\(m.firstOrganizationId(slug))/audit-events"
    }

    /// Writes `count` events one microsecond-distinct second apart, starting at `start`.
    func seed(_ m: ManagementApp, count: Int, start: Date, organizationId: String? = nil) async throws {
        let tenantId = m.tenantId("acme")
        try await m.services.environment.write { txn in
            for i in 0..<count {
                try txn.appendAudit(AuditEvent(
                    time: start.addingTimeInterval(Double(i)), tenantId: tenantId, actor: i % 2 == 0 ? "user:even" : "user:odd",
                    action: i % 3 == 0 ? "device.revoke" : "client.create", target: "t\(i)",
                    outcome: i % 5 == 0 ? .denied : .success, reason: "r\(i)", organizationId: organizationId))
            }
        }
    }

    @Test func newestFirstWithFiltersAndACursorThatVisitsEveryEventOnce() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        let start = Date(timeIntervalSince1970: 1_900_000_000)
        try await seed(m, count: 120, start: start)
        try await m.test { client in
            var seen: [String] = []
            var cursor: String?
            repeat {
                let uri = auditURI(m) + "?actor=user:even&limit=7&since=2030-03-17T17:46:40Z" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.call(.get, uri, admin)
                #expect(page.status == .ok)
                let items = try #require(page.json["items"] as? [[String: Any]])
                seen += items.compactMap { $0["target"] as? String }
                #expect(items.allSatisfy { $0["actor"] as? String == "user:even" })
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            // Exactly the 60 even events, newest first (registration's own events are older
            // than `since`).
            #expect(seen == stride(from: 118, through: 0, by: -2).map { "t\($0)" })

            let prefixed = try await client.call(.get, auditURI(m) + "?action=device.*&outcome=denied&limit=200", admin)
            let targets = (prefixed.json["items"] as? [[String: Any]])?.compactMap { $0["target"] as? String }
            #expect(targets == (0..<120).reversed().filter { $0 % 15 == 0 }.map { "t\($0)" })

            let window = try await client.call(
                .get, auditURI(m) + "?since=2030-03-17T17:46:50Z&until=2030-03-17T17:46:52Z", admin)
            #expect((window.json["items"] as? [[String: Any]])?.compactMap { $0["target"] as? String } == ["t12", "t11", "t10"])
            #expect((window.json["items"] as? [[String: Any]])?.first?["reason"] as? String == "r12")
        }
    }

    @Test func eventsOfAnotherOrganizationAreLeftOut() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await seed(m, count: 3, start: Date(timeIntervalSince1970: 1_900_000_000), organizationId: "org_elsewhere")
        try await seed(m, count: 2, start: Date(timeIntervalSince1970: 1_900_000_100), organizationId: m.firstOrganizationId("acme"))
        try await m.test { client in
            let page = try await client.call(.get, auditURI(m) + "?since=2030-01-01T00:00:00Z", admin)
            let items = try #require(page.json["items"] as? [[String: Any]])
            #expect(items.count == 2)
            #expect(items.allSatisfy { $0["organizationId"] as? String == m.firstOrganizationId("acme") })
        }
    }

    @Test func onlyAdministratorsOfTheTenantReadIt() async throws {
        let m = try await ManagementApp()
        let member = try await m.memberToken()
        let otherAdmin = try await m.adminToken("globex")
        try await m.test { client in
            let forbidden = try await client.call(.get, auditURI(m), member)
            #expect(forbidden.status == .forbidden && forbidden.isProblem)
            let foreign = try await client.call(.get, auditURI(m), otherAdmin)
            #expect(foreign.status == .notFound && foreign.isProblem)
            #expect(try await client.call(.get, auditURI(m), nil).status == .unauthorized)
        }
    }

    @Test func badParametersAreFieldErrors() async throws {
        let m = try await ManagementApp()
        let admin = try await m.adminToken()
        try await m.test { client in
            let bad = try await client.call(
                .get, auditURI(m) + "?limit=0&since=yesterday&outcome=maybe&cursor=%25%25", admin)
            #expect(bad.status == .badRequest && bad.isProblem)
            let fields = Set(((bad.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["limit", "since", "outcome", "cursor"])
            let reversed = try await client.call(
                .get, auditURI(m) + "?since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z", admin)
            #expect(reversed.status == .badRequest)
            // A cursor of another tenant's key is ignored, never followed.
            let foreign = AuditEventRoutes.base64url(Data(Key(.string(m.tenantId("globex")), .uint(UInt64.max)).bytes))
            let page = try await client.call(.get, auditURI(m) + "?cursor=\(foreign)", admin)
            #expect(page.status == .ok)
            let actors = ((page.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["target"] as? String }
            #expect(!actors.isEmpty)
        }
    }
}
