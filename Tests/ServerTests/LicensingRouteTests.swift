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

@Suite struct LicensingRouteTests {
    /// globex installs acme's CRM, subscribes, assigns seats; after each step the graph,
    /// ent_ver and the built-in gating rules agree.
    @Test func subscriptionsEntitlementsSeatsAndTheGate() async throws {
        let m = try await ManagementApp()
        let (publisher, _) = try await m.manifestPublisher()
        let admin = try await m.adminToken("globex")
        let member = try await m.memberToken("globex")
        let adminId = m.tenants["globex"]!.administratorUserId
        let memberId = try m.licensingUserId("globex", "member-member-true")
        // Two analysts as the identity projection would write them.
        _ = try await m.memberToken("globex", roles: ["analyst"])
        let analyst = try m.licensingUserId("globex", "member-analyst-true")
        try await m.projectTestUser("globex", analyst, roles: ["analyst"])
        try await m.projectTestUser("globex", memberId, roles: ["member"])

        try await m.test { client in
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, crmManifest).status == .created)
            #expect(try await client.call(.post, "/api/marketplace/installations", admin, ["productKey": "acme.crm"]).status == .created)

            // Installed but not subscribed: no entitlement, the gate says no.
            #expect(try m.licensingDecision("globex", user: analyst, action: "use", feature: "acme.crm/contacts").decision == .deny)
            #expect(try m.licensingDecision("globex", user: analyst, action: "use", feature: "acme.crm/contacts").reasons
                == ["feature-requires-entitlement"])

            // Subscribing: members cannot, administrators can.
            #expect(try await client.call(.post, "/api/licensing/subscriptions", member, ["productKey": "acme.crm", "seats": 1]).status == .forbidden)
            let bad = try await client.call(.post, "/api/licensing/subscriptions", admin, ["productKey": "acme.crm", "seats": -1])
            #expect(bad.status == .badRequest)
            #expect(bad.fieldErrors == ["seats"])
            let entBefore = (try m.entVersion("globex", adminId), try m.entVersion("globex", analyst))
            let created = try await client.call(.post, "/api/licensing/subscriptions", admin, ["productKey": "acme.crm", "seats": 1])
            #expect(created.status == .created)
            let subscriptionId = try #require(created.json["id"] as? String)
            #expect(created.json["seats"] as? Int == 1)
            #expect(created.json["status"] as? String == "active")
            #expect(try m.entVersion("globex", adminId) == entBefore.0 + 1)
            #expect(try m.entVersion("globex", analyst) == entBefore.1 + 1)
            #expect(try m.graphEntity("globex", "Feature", "acme.crm/reports")?.attributes["entitled"] == .bool(true))
            #expect(try m.graphEntity("globex", "SeatPool", "acme.crm")?.attributes["seats"] == .long(1))
            let duplicate = try await client.call(.post, "/api/licensing/subscriptions", admin, ["productKey": "acme.crm", "seats": 1])
            #expect(duplicate.problemType == "subscription-exists")

            let entitlements = try await client.call(.get, "/api/licensing/entitlements", member)
            #expect(entitlements.status == .ok)
            let items = try #require(entitlements.json["items"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["featureId"] as? String }) == ["acme.crm/reports", "acme.crm/contacts"])
            let seats = try #require(entitlements.json["seats"] as? [[String: Any]])
            #expect(seats.first?["seats"] as? Int == 1 && seats.first?["assigned"] as? Int == 0)

            // Entitled: the open feature is allowed; reports still needs a seat.
            #expect(try m.licensingDecision("globex", user: memberId, action: "use", feature: "acme.crm/contacts").decision == .allow)
            #expect(try m.licensingDecision("globex", user: analyst, action: "use", feature: "acme.crm/reports").reasons == ["feature-requires-seat"])

            // Seats.
            let entAnalyst = try m.entVersion("globex", analyst)
            let entAdmin = try m.entVersion("globex", adminId)
            let seat = try await client.call(
                .post, "/api/licensing/seat-assignments", admin, ["subscriptionId": subscriptionId, "userId": analyst])
            #expect(seat.status == .created)
            let seatId = try #require(seat.json["id"] as? String)
            #expect(try m.entVersion("globex", analyst) == entAnalyst + 1)
            #expect(try m.entVersion("globex", adminId) == entAdmin)
            let analystEntity = try #require(try m.graphEntity("globex", "User", analyst))
            #expect(analystEntity.parents.contains(EntityUID(type: "SeatPool", id: "acme.crm")))
            #expect(analystEntity.parents.contains(EntityUID(type: "Role", id: "analyst")))
            #expect(analystEntity.attributes["active"] == .bool(true))

            // Role + entitlement + seat: allowed, for the feature and its declared action.
            let allowed = try m.licensingDecision("globex", user: analyst, action: "use", feature: "acme.crm/reports")
            #expect(allowed.decision == .allow)
            #expect(allowed.reasons == ["feature-roles-allow-use"])
            #expect(try m.licensingDecision("globex", user: analyst, action: "acme.crm/export", feature: "acme.crm/reports").decision == .allow)
            // An action the feature does not declare.
            #expect(try m.licensingDecision("globex", user: analyst, action: "acme.crm/list", feature: "acme.crm/reports").reasons
                == ["action-declared-by-feature"])

            let again = try await client.call(
                .post, "/api/licensing/seat-assignments", admin, ["subscriptionId": subscriptionId, "userId": analyst])
            #expect(again.status == .conflict)
            #expect(again.problemType == "seat-already-assigned")
            let over = try await client.call(
                .post, "/api/licensing/seat-assignments", admin, ["subscriptionId": subscriptionId, "userId": memberId])
            #expect(over.status == .conflict)
            #expect(over.isProblem)
            #expect(over.problemType == "no-seats-left")
            #expect(try m.graphEntity("globex", "User", memberId)?.parents.contains(EntityUID(type: "SeatPool", id: "acme.crm")) == false)

            // The member has a seat now but lacks the role: denied by RBAC alone.
            #expect(try await client.call(.patch, "/api/licensing/subscriptions/\(subscriptionId)", admin, ["seats": 2]).status == .ok)
            #expect(try m.graphEntity("globex", "SeatPool", "acme.crm")?.attributes["seats"] == .long(2))
            #expect(try await client.call(
                .post, "/api/licensing/seat-assignments", admin, ["subscriptionId": subscriptionId, "userId": memberId]).status == .created)
            let noRole = try m.licensingDecision("globex", user: memberId, action: "use", feature: "acme.crm/reports")
            #expect(noRole.decision == .deny && noRole.reasons.isEmpty)

            let shrink = try await client.call(.patch, "/api/licensing/subscriptions/\(subscriptionId)", admin, ["seats": 1])
            #expect(shrink.status == .conflict)
            #expect(shrink.problemType == "seats-in-use")
            #expect(try await client.call(.patch, "/api/licensing/subscriptions/\(subscriptionId)", admin, [:]).status == .badRequest)
            #expect(try await client.call(.patch, "/api/licensing/subscriptions/\(subscriptionId)", member, ["seats": 5]).status == .forbidden)

            let listed = try await client.call(.get, "/api/licensing/seat-assignments", member)
            #expect((listed.json["items"] as? [[String: Any]])?.count == 2)
            let fetched = try await client.call(.get, "/api/licensing/subscriptions/\(subscriptionId)", member)
            #expect(fetched.json["assignedSeats"] as? Int == 2)

            // Releasing the seat takes the SeatPool parent away again.
            #expect(try await client.call(.delete, "/api/licensing/seat-assignments/\(seatId)", member).status == .forbidden)
            #expect(try await client.call(.delete, "/api/licensing/seat-assignments/\(seatId)", admin).status == .noContent)
            #expect(try m.graphEntity("globex", "User", analyst)?.parents.contains(EntityUID(type: "SeatPool", id: "acme.crm")) == false)
            #expect(try m.licensingDecision("globex", user: analyst, action: "use", feature: "acme.crm/reports").reasons == ["feature-requires-seat"])

            // Cancelling needs every seat released; afterwards nothing is entitled.
            #expect(try await client.call(.patch, "/api/licensing/subscriptions/\(subscriptionId)", admin, ["status": "cancelled"]).status == .conflict)
            let remaining = try #require((try await client.call(.get, "/api/licensing/seat-assignments", admin).json["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await client.call(.delete, "/api/licensing/seat-assignments/\(remaining)", admin).status == .noContent)
            let cancelled = try await client.call(.patch, "/api/licensing/subscriptions/\(subscriptionId)", admin, ["status": "cancelled"])
            #expect(cancelled.status == .ok)
            #expect(cancelled.json["status"] as? String == "cancelled")
            #expect(try m.graphEntity("globex", "Feature", "acme.crm/contacts")?.attributes["entitled"] == .bool(false))
            #expect(try m.graphEntity("globex", "SeatPool", "acme.crm")?.attributes["seats"] == .long(0))
            #expect(try m.licensingDecision("globex", user: memberId, action: "use", feature: "acme.crm/contacts").reasons
                == ["feature-requires-entitlement"])
            let none = try await client.call(.get, "/api/licensing/entitlements", admin)
            #expect((none.json["items"] as? [Any])?.isEmpty == true)
        }
        let actions = try m.services.environment.read { try $0.auditEvents(tenant: m.tenantId("globex"), limit: 200) }.map(\.action)
        #expect(Set(actions).isSuperset(of: ["subscription.create", "subscription.update", "seat.assign", "seat.release"]))
    }

    @Test func anotherTenantsIdsAre404AndItsDataUnchanged() async throws {
        let m = try await ManagementApp()
        let (publisher, _) = try await m.manifestPublisher()
        let globexAdmin = try await m.adminToken("globex")
        let acmeAdmin = try await m.adminToken("acme")
        let globexAdminId = m.tenants["globex"]!.administratorUserId
        try await m.test { client in
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, crmManifest).status == .created)
            #expect(try await client.call(.post, "/api/marketplace/installations", globexAdmin, ["productKey": "acme.crm"]).status == .created)
            #expect(try await client.call(.post, "/api/marketplace/installations", acmeAdmin, ["productKey": "acme.crm"]).status == .created)
            let subscription = try await client.call(.post, "/api/licensing/subscriptions", globexAdmin, ["productKey": "acme.crm", "seats": 2])
            let subscriptionId = try #require(subscription.json["id"] as? String)
            let seat = try await client.call(
                .post, "/api/licensing/seat-assignments", globexAdmin, ["subscriptionId": subscriptionId, "userId": globexAdminId])
            let seatId = try #require(seat.json["id"] as? String)
            let revision = try m.tenantRevision("globex")
            let entVer = try m.entVersion("globex", globexAdminId)

            for (method, uri, body) in [
                (HTTPRequest.Method.get, "/api/licensing/subscriptions/\(subscriptionId)", nil),
                (.patch, "/api/licensing/subscriptions/\(subscriptionId)", ["seats": 0] as [String: Any]?),
                (.delete, "/api/licensing/seat-assignments/\(seatId)", nil),
                (.post, "/api/licensing/seat-assignments", ["subscriptionId": subscriptionId, "userId": globexAdminId]),
            ] {
                let answer = try await client.call(method, uri, acmeAdmin, body)
                #expect(answer.status == .notFound, "\(method) \(uri)")
                #expect(answer.isProblem)
            }
            // acme's own subscription cannot take a globex user either.
            let own = try await client.call(.post, "/api/licensing/subscriptions", acmeAdmin, ["productKey": "acme.crm", "seats": 1])
            let ownId = try #require(own.json["id"] as? String)
            let foreignUser = try await client.call(
                .post, "/api/licensing/seat-assignments", acmeAdmin, ["subscriptionId": ownId, "userId": globexAdminId])
            #expect(foreignUser.status == .notFound)

            #expect(try m.tenantRevision("globex") == revision)
            #expect(try m.entVersion("globex", globexAdminId) == entVer)
            let after = try #require(try m.services.licensing.subscription(tenantId: m.tenantId("globex"), id: subscriptionId))
            #expect(after.seats == 2 && after.status == .active)
            #expect(try m.services.licensing.seatAssignment(tenantId: m.tenantId("globex"), id: seatId) != nil)
            let listed = try await client.call(.get, "/api/licensing/subscriptions", acmeAdmin)
            #expect((listed.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ownId])
            #expect(try await client.call(.get, "/api/licensing/subscriptions", nil).status == .unauthorized)
        }
    }
}
