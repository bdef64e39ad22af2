import Devices
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Store
import Testing
@testable import Server

@Suite struct DeviceFleetRouteTests {
    /// 40 devices of globex's organization in varied states, 5 of another organization.
    func populate(_ f: DeviceAdminFixture) async throws -> [Device] {
        var devices: [Device] = []
        let now = Date()
        for index in 0..<40 {
            let device = try await f.device({ device in
                device.riskState = [.unknown, .trusted, .suspicious, .blocked][index % 4]
                device.lastSeenAt = now.addingTimeInterval(-Double(index) * 86400)
                if index % 5 != 0 {
                    device.posture = PostureFacts(
                        os: index % 2 == 0 ? "macos" : "linux", osVersion: "1", patchAgeDays: Int64(index), diskEncrypted: index % 3 != 0,
                        firewallEnabled: true, screenLockEnabled: true, edrRunning: true, jailbroken: false)
                }
            }, activations: index % 2 == 0 ? [("acme.crm", .active)] : [("acme.crm", .revoked), ("acme.vpn", .pendingApproval)])
            devices.append(device)
        }
        for _ in 0..<5 { try await f.device(organizationId: "org_elsewhere", activations: [("acme.crm", .active)]) }
        return devices
    }

    func ids(_ response: TestResponse) -> [String] { response.ids }

    @Test func filtersPagesAndCounts() async throws {
        let f = try await DeviceAdminFixture()
        let devices = try await populate(f)
        try await f.m.test { client throws in
            // Every device exactly once across pages of 7.
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await client.call(.get, "/api/devices/fleet?limit=7" + (cursor.map { "&cursor=\($0)" } ?? ""), f.admin)
                #expect(page.status == .ok)
                seen += ids(page)
                cursor = page.json["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages < 20
            #expect(seen.count == 40 && Set(seen) == Set(devices.map(\.id)))
            #expect(pages == 6)

            let all = try await client.call(.get, "/api/devices/fleet", f.admin)
            let counts = try #require(all.json["counts"] as? [String: Any])
            #expect(counts["total"] as? Int == 40)
            #expect((counts["riskState"] as? [String: Int]) == ["unknown": 10, "trusted": 10, "suspicious": 10, "blocked": 10, "compromised": 0])
            #expect((counts["activationState"] as? [String: Int]) == [
                "active": 20, "revoked": 20, "pending_approval": 20, "denied": 0, "transferred": 0,
            ])

            func expect(_ query: String, _ predicate: (Int, Device) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let response = try await client.call(.get, "/api/devices/fleet?limit=500&" + query, f.admin)
                #expect(response.status == .ok, sourceLocation: sourceLocation)
                let expected = Set(devices.enumerated().filter { predicate($0.offset, $0.element) }.map(\.element.id))
                #expect(Set(ids(response)) == expected, "\(query)", sourceLocation: sourceLocation)
            }
            try await expect("riskState=blocked") { index, _ in index % 4 == 3 }
            try await expect("activationState=active") { index, _ in index % 2 == 0 }
            try await expect("product=acme.vpn") { index, _ in index % 2 == 1 }
            try await expect("product=acme.crm&activationState=revoked") { index, _ in index % 2 == 1 }
            try await expect("product=acme.vpn&activationState=active") { _, _ in false }
            try await expect("diskEncrypted=false&riskState=unknown") { index, _ in index % 5 != 0 && index % 3 == 0 && index % 4 == 0 }
            try await expect("os=linux&patchAgeDaysOver=30") { index, _ in index % 5 != 0 && index % 2 == 1 && index > 30 }
            let cutoff = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-10.5 * 86400))
            try await expect("lastSeenBefore=\(cutoff)") { index, _ in index >= 11 }
            try await expect("lastSeenAfter=\(cutoff)&riskState=trusted") { index, _ in index <= 10 && index % 4 == 1 }
        }
    }

    @Test func badParametersAre400() async throws {
        let f = try await DeviceAdminFixture()
        try await f.m.test { client throws in
            for (query, field) in [
                ("riskstate=blocked", "riskstate"), ("riskState=evil", "riskState"), ("activationState=on", "activationState"),
                ("diskEncrypted=yes", "diskEncrypted"), ("patchAgeDaysOver=-1", "patchAgeDaysOver"), ("limit=0", "limit"),
                ("limit=501", "limit"), ("lastSeenBefore=yesterday", "lastSeenBefore"), ("cursor=%21%21", "cursor"),
                ("cursor=Zm9v", "cursor"), ("os=plan9", "os"), ("riskState=blocked&riskState=trusted", "riskState"),
            ] {
                let response = try await client.call(.get, "/api/devices/fleet?\(query)", f.admin)
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.fieldErrors == [field], "\(query)")
            }
        }
    }

    @Test func eachCallerSeesItsOwnOrganizationOnly() async throws {
        let f = try await DeviceAdminFixture()
        let mine = try await f.device()
        let elsewhere = try await f.device(organizationId: "org_elsewhere")
        try await f.m.test { client throws in
            #expect(try await client.call(.get, "/api/devices/fleet", f.admin).ids == [mine.id])
            #expect(try await client.call(.get, "/api/devices/fleet", f.otherOrgAdmin).ids == [elsewhere.id])
            #expect(try await client.call(.get, "/api/devices/fleet", f.acmeAdmin).ids.isEmpty)
            // Naming another organization than the token's is 404, never a peek.
            #expect(try await client.call(.get, "/api/devices/fleet?organizationId=org_elsewhere", f.admin).status == .notFound)
            #expect(try await client.call(.get, "/api/devices/fleet?organizationId=\(f.organizationId)", f.acmeAdmin).status == .notFound)
            #expect(try await client.call(.get, "/api/devices/fleet?organizationId=\(f.organizationId)", f.admin).ids == [mine.id])
            // Administrators only.
            #expect(try await client.call(.get, "/api/devices/fleet", f.member).status == .forbidden)
            #expect(try await client.call(.get, "/api/devices/fleet", f.agent).status == .forbidden)
            #expect(try await client.call(.get, "/api/devices/fleet", nil).status == .unauthorized)
        }
    }
}

extension TestResponse {
    /// The ids of a page's items.
    var ids: [String] { (json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [] }
}
