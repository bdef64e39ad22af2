import Devices
import Foundation
import Store
import Testing
import TestSupport

@Suite struct PostureSnapshotTests {
    static let good: [String: PostureValue] = [
        "os": .string("macos"), "osVersion": .string("15.4.1"), "patchAgeDays": .integer(12), "diskEncrypted": .bool(true),
        "firewallEnabled": .bool(true), "screenLockEnabled": .bool(false), "edrRunning": .bool(true), "jailbroken": .bool(false),
    ]

    func errors(_ object: [String: PostureValue]) -> [String: String] {
        switch PostureSchema.validate(object) {
        case .success: return [:]
        case .failure(let invalid): return Dictionary(invalid.errors.map { ($0.field, $0.message) }) { $1 }
        }
    }

    @Test func theFixedSchemaAcceptsExactlyItsFields() throws {
        let facts = try PostureSchema.validate(Self.good).get()
        #expect(facts == PostureFacts(
            os: "macos", osVersion: "15.4.1", patchAgeDays: 12, diskEncrypted: true, firewallEnabled: true,
            screenLockEnabled: false, edrRunning: true, jailbroken: false))

        var bad = Self.good
        bad["serialNumber"] = .string("C02XYZ")          // unknown key
        bad["diskEncrypted"] = .integer(1)               // a number is not a boolean
        bad["patchAgeDays"] = .integer(99_999)           // out of range
        bad["os"] = .string("solaris")                   // not a known OS
        bad["osVersion"] = .string("15\n<script>")       // characters outside the schema
        bad.removeValue(forKey: "jailbroken")            // missing
        #expect(errors(bad) == [
            "serialNumber": "is not a known field", "diskEncrypted": "must be true or false, not integer",
            "patchAgeDays": "must be between 0 and 3650", "os": "must be one of android, chromeos, ios, linux, macos, windows",
            "osVersion": "may contain only letters, digits, spaces and . _ - + ( )", "jailbroken": "is required",
        ])
        #expect(errors(Self.good.merging(["patchAgeDays": .integer(-1)]) { $1 })["patchAgeDays"] != nil)
        #expect(errors(Self.good.merging(["osVersion": .string("")]) { $1 })["osVersion"] != nil)
        #expect(errors(Self.good.merging(["osVersion": .string(String(repeating: "1", count: 65))]) { $1 })["osVersion"] != nil)
    }

    @Test func jsonKeepsTypesApart() {
        func fieldErrors(_ json: String) -> [String] {
            switch PostureSchema.validate(json: Array(json.utf8), prefix: "posture.") {
            case .success: return []
            case .failure(let invalid): return invalid.errors.map(\.field)
            }
        }
        let base = #""os":"linux","osVersion":"6.8","firewallEnabled":true,"screenLockEnabled":true,"edrRunning":false,"jailbroken":false"#
        #expect(fieldErrors("{\(base),\"patchAgeDays\":3,\"diskEncrypted\":true}") == [])
        #expect(fieldErrors("{\(base),\"patchAgeDays\":3.5,\"diskEncrypted\":true}") == ["posture.patchAgeDays"])
        #expect(fieldErrors("{\(base),\"patchAgeDays\":\"3\",\"diskEncrypted\":true}") == ["posture.patchAgeDays"])
        #expect(fieldErrors("{\(base),\"patchAgeDays\":3,\"diskEncrypted\":1}") == ["posture.diskEncrypted"])
        #expect(fieldErrors("{\(base),\"patchAgeDays\":3,\"diskEncrypted\":\"true\"}") == ["posture.diskEncrypted"])
        #expect(fieldErrors("{\(base),\"patchAgeDays\":3,\"diskEncrypted\":null}") == ["posture.diskEncrypted"])
        #expect(fieldErrors("{\(base),\"patchAgeDays\":3,\"diskEncrypted\":true,\"extra\":{}}") == ["posture.extra"])
        #expect(fieldErrors("[1]") == ["posture"])
    }

    @Test func theNewestSnapshotBecomesTheDevicesPostureAndItsFleetFacets() throws {
        let directory = TemporaryDirectory("posture")
        let environment = try Environment(path: directory.path)
        let records = DeviceRecords(tables: try DeviceTables(environment: environment))
        let snapshots = PostureSnapshots(records: records)
        let scope = DeviceScope(tenantId: "ten_a", organizationId: "org_a")
        try environment.writeSync { txn in
            try records.insertDevice(Device(id: "dev_1", tenantId: "ten_a", organizationId: "org_a", hardwareIdHash: "h", createdAt: Date()), in: txn)
            try records.insertDevice(Device(id: "dev_b", tenantId: "ten_a", organizationId: "org_b", hardwareIdHash: "h", createdAt: Date()), in: txn)
        }
        var facts = try PostureSchema.validate(Self.good).get()
        let start = Date()
        for step in 0..<(PostureSnapshots.maxKept + 5) {
            facts.patchAgeDays = Int64(step)
            facts.diskEncrypted = step % 2 == 0
            let (snapshot, device) = try environment.writeSync { txn in
                try snapshots.record(facts, scope: scope, deviceId: "dev_1", source: "api", reportedBy: "usr_admin",
                                     now: start.addingTimeInterval(Double(step)), in: txn)
            }
            #expect(device.posture == facts && snapshot.facts == facts)
        }
        let history = try environment.read { try snapshots.history(tenantId: "ten_a", deviceId: "dev_1", in: $0) }
        #expect(history.count == PostureSnapshots.maxKept)
        #expect(history.first?.facts.patchAgeDays == Int64(PostureSnapshots.maxKept + 4))
        #expect(history.last?.facts.patchAgeDays == 5)

        // The fleet sees the newest facts only.
        var filter = FleetFilter()
        filter.diskEncrypted = false   // step 54 is even: encrypted
        let query = FleetQuery(tables: records.tables)
        let unencrypted = try environment.read { try query.page(tenantId: "ten_a", organizationId: "org_a", filter: filter, cursor: nil, in: $0) }
        #expect(unencrypted.devices.isEmpty)
        filter.diskEncrypted = true
        filter.patchAgeDaysOver = 53
        let encrypted = try environment.read { try query.page(tenantId: "ten_a", organizationId: "org_a", filter: filter, cursor: nil, in: $0) }
        #expect(encrypted.devices.map(\.id) == ["dev_1"])

        // Another organization's device is unknown to this scope; nothing is written.
        #expect(throws: DeviceError.unknownDevice("dev_b")) {
            try environment.writeSync { txn in
                try snapshots.record(facts, scope: scope, deviceId: "dev_b", source: "api", reportedBy: "usr_admin", in: txn)
            }
        }
        #expect(try environment.read { try snapshots.history(tenantId: "ten_a", deviceId: "dev_b", in: $0) }.isEmpty)
    }
}
