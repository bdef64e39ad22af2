import Devices
import Foundation
import Store
import Testing
@testable import Server

/// Users' seat assignments and device activations draw on one subscription: together they
/// never exceed its seats, whichever side takes the last one.
@Suite struct SharedSeatPoolTests {
    @Test func aSeatHeldByADeviceIsNotAssignedToAUser() async throws {
        let m = try await ManagementApp()
        let (publisher, _) = try await m.manifestPublisher()
        let admin = try await m.adminToken("globex")
        _ = try await m.memberToken("globex", roles: ["analyst"])
        let analyst = try m.licensingUserId("globex", "member-analyst-true")
        try await m.test { client in
            #expect(try await client.call(.post, "/api/runtime/manifests", publisher, crmManifest).status == .created)
            #expect(try await client.call(.post, "/api/marketplace/installations", admin, ["productKey": "acme.crm"]).status == .created)
            let subscription = try await client.call(.post, "/api/licensing/subscriptions", admin, ["productKey": "acme.crm", "seats": 1])
            let subscriptionId = try #require(subscription.json["id"] as? String)
            let seats = m.services.deviceSeats
            #expect(try m.services.environment.read { try seats.deviceSeats(tenantId: m.tenantId("globex"), productKey: "acme.crm", in: $0) } == 1)

            // A device activation takes the only seat (its seat-holder row, as DeviceRecords writes it).
            let tables = m.services.deviceTables
            let tenantId = m.tenantId("globex")
            try await m.services.environment.write { txn in
                try txn.put(tables.seatHolders, Key(.string(tenantId), .string("acme.crm"), .string("act_test")), [])
            }
            let refused = try await client.call(
                .post, "/api/licensing/seat-assignments", admin, ["subscriptionId": subscriptionId, "userId": analyst])
            #expect(refused.status == .conflict)

            // Freed by the device, the seat goes to the user.
            try await m.services.environment.write { txn in
                _ = try txn.delete(tables.seatHolders, Key(.string(tenantId), .string("acme.crm"), .string("act_test")))
            }
            let assigned = try await client.call(
                .post, "/api/licensing/seat-assignments", admin, ["subscriptionId": subscriptionId, "userId": analyst])
            #expect(assigned.status == .created)
        }
    }
}
