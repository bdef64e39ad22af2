import Devices
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Store
import Testing
@testable import Server

@Suite struct DevicePostureRouteTests {
    static var report: [String: Any] { [
        "os": "windows", "osVersion": "10.0.26100", "patchAgeDays": 40, "diskEncrypted": false, "firewallEnabled": true,
        "screenLockEnabled": true, "edrRunning": true, "jailbroken": false,
    ] }

    @Test func administratorsAndTheDevicesAgentReportPosture() async throws {
        let f = try await DeviceAdminFixture()
        let device = try await f.device()
        let uri = "/api/devices/\(device.id)/posture-snapshots"
        try await f.m.test { client throws in
            let revision = try f.m.services.environment.read { try $0.revision(tenant: f.globex) }
            let created = try await client.call(.post, uri, f.admin, Self.report)
            #expect(created.status == .created)
            #expect(created.json["source"] as? String == "api")
            #expect((created.json["facts"] as? [String: Any])?["patchAgeDays"] as? Int == 40)
            #expect(try f.m.services.environment.read { try $0.revision(tenant: f.globex) } > revision)
            let read = try await client.call(.get, "/api/devices/\(device.id)", f.admin)
            let posture = try #require((read.json["device"] as? [String: Any])?["posture"] as? [String: Any])
            #expect(posture["diskEncrypted"] as? Bool == false && posture["os"] as? String == "windows")

            // The device's agent (same organization) reports too; the newest wins.
            var fixed = Self.report
            fixed["diskEncrypted"] = true
            let byAgent = try await client.call(.post, uri, f.agent, fixed)
            #expect(byAgent.status == .created)
            let stored = try f.m.services.environment.read {
                try DeviceStore.device(tenantId: f.globex, id: device.id, tables: f.m.services.deviceTables, in: $0)
            }
            #expect(stored?.posture?.diskEncrypted == true)

            // The fleet's posture facets follow the newest snapshot.
            let unencrypted = try await client.call(.get, "/api/devices/fleet?diskEncrypted=false", f.admin)
            #expect((unencrypted.json["items"] as? [[String: Any]])?.isEmpty == true)
            let encrypted = try await client.call(.get, "/api/devices/fleet?diskEncrypted=true&os=windows", f.admin)
            #expect((encrypted.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [device.id])
        }
        let events = try f.audit("device.posture.report")
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0.target == device.id && $0.actor == f.m.tenants["globex"]!.administratorUserId })
    }

    @Test func theFixedSchemaIsEnforced() async throws {
        let f = try await DeviceAdminFixture()
        let device = try await f.device()
        let uri = "/api/devices/\(device.id)/posture-snapshots"
        try await f.m.test { client throws in
            var bad = Self.report
            bad["installedApps"] = ["chrome"]   // unknown
            bad["firewallEnabled"] = 1           // not a boolean
            bad["patchAgeDays"] = 4000           // out of range
            bad["os"] = "plan9"                  // not a known OS
            bad.removeValue(forKey: "edrRunning")
            let refused = try await client.call(.post, uri, f.admin, bad)
            #expect(refused.status == .badRequest)
            #expect(refused.problemType == "validation-error")
            #expect(Set(refused.fieldErrors) == ["installedApps", "firewallEnabled", "patchAgeDays", "os", "edrRunning"])
            var fractional = Self.report
            fractional["patchAgeDays"] = 1.5
            #expect(try await client.call(.post, uri, f.admin, fractional).fieldErrors == ["patchAgeDays"])
            var stringly = Self.report
            stringly["jailbroken"] = "false"
            #expect(try await client.call(.post, uri, f.admin, stringly).fieldErrors == ["jailbroken"])
            let notJSON = try await client.execute(
                uri: uri, method: .post, headers: [.authorization: "Bearer \(f.admin)", .contentType: "application/json"],
                body: ByteBuffer(string: "[1,2]"))
            #expect(notJSON.status == .badRequest)
        }
        let stored = try f.m.services.environment.read {
            try DeviceStore.device(tenantId: f.globex, id: device.id, tables: f.m.services.deviceTables, in: $0)
        }
        #expect(stored?.posture == nil)
        #expect(try f.audit("device.posture.report").isEmpty)
    }

    @Test func otherTenantsAndOrganizationsGet404() async throws {
        let f = try await DeviceAdminFixture()
        let device = try await f.device()
        let uri = "/api/devices/\(device.id)/posture-snapshots"
        let noScope = try await DeviceAdminFixture.token(f.m, "globex", scopes: ["openid", "tenant_context"])
        try await f.m.test { client throws in
            for token in [f.acmeAdmin, f.acmeAgent, f.otherOrgAdmin, f.otherOrgAgent] {
                #expect(try await client.call(.post, uri, token, Self.report).status == .notFound)
            }
            #expect(try await client.call(.post, "/api/devices/dev_missing/posture-snapshots", f.agent, Self.report).status == .notFound)
            #expect(try await client.call(.post, uri, f.member, Self.report).status == .forbidden)
            #expect(try await client.call(.post, uri, noScope, Self.report).status == .forbidden)
            #expect(try await client.call(.post, uri, nil, Self.report).status == .unauthorized)
        }
        #expect(try f.audit("device.posture.report").isEmpty)
    }
}
