import Devices
import Foundation
import Store
import Testing
import TestSupport

/// Fleet filters, cursor pagination and counts, checked against a brute-force filter of
/// the same generated devices; on 100k devices, that a filtered query reads only index
/// rows of matching devices.
@Suite struct FleetQueryTests {
    static let products = ["acme.crm", "acme.erp", "globex.vpn"]
    static let epoch = Date(timeIntervalSince1970: 1_750_000_000)

    /// What the generator made of one device, to filter by brute force.
    struct Made {
        var device: Device
        var activations: [LicenseActivation]
    }

    struct Fleet {
        let directory: TemporaryDirectory
        let environment: Environment
        let records: DeviceRecords
        var made: [String: Made] = [:]

        init(mapBytes: Int = 64 << 20) throws {
            directory = TemporaryDirectory("fleet")
            var options = Environment.Options()
            options.initialMapSize = mapBytes
            environment = try Environment(path: directory.path, options: options)
            records = DeviceRecords(tables: try DeviceTables(environment: environment))
        }

        var query: FleetQuery { FleetQuery(tables: records.tables) }

        /// Devices of organization `org_a` (and a few of `org_b`, which must never show),
        /// written in batches of `batch` per write transaction.
        mutating func generate(_ count: Int, seed: UInt64, batch: Int = 2000, rare: Int = 0) throws {
            var random = SplitMix(seed: seed)
            var pending: [Made] = []
            func flush(_ pending: [Made]) throws {
                let records = self.records
                try environment.writeSync { txn in
                    for made in pending {
                        try records.insertDevice(made.device, in: txn)
                        for activation in made.activations { try records.insertActivation(activation, in: txn) }
                    }
                }
            }
            for index in 0..<count {
                let made = Self.makeDevice(index: index, random: &random, compromised: index < rare, organization: index % 50 == 49 ? "org_b" : "org_a")
                pending.append(made)
                self.made[made.device.id] = made
                if pending.count == batch {
                    try flush(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            try flush(pending)
        }

        static func makeDevice(index: Int, random: inout SplitMix, compromised: Bool, organization: String) -> Made {
            // Ids in an order unrelated to generation, as RandomID makes them.
            let id = RandomID.make(prefix: "dev")
            var device = Device(
                id: id, tenantId: "ten_a", organizationId: organization, hardwareIdHash: "hw\(index)", createdAt: epoch)
            let risks: [DeviceRiskState] = [.unknown, .trusted, .trusted, .suspicious, .blocked]
            device.riskState = compromised ? .compromised : risks[Int(random.next() % UInt64(risks.count))]
            if random.next() % 10 != 0 {
                device.lastSeenAt = epoch.addingTimeInterval(Double(random.next() % (90 * 86400)))
            }
            if random.next() % 8 != 0 {
                device.posture = PostureFacts(
                    os: ["macos", "windows", "linux"][Int(random.next() % 3)], osVersion: "1.\(random.next() % 5)",
                    patchAgeDays: Int64(random.next() % 120), diskEncrypted: random.next() % 4 != 0,
                    firewallEnabled: random.next() % 3 != 0, screenLockEnabled: random.next() % 2 == 0,
                    edrRunning: random.next() % 5 != 0, jailbroken: random.next() % 97 == 0)
                device.postureAt = epoch
            }
            var activations: [LicenseActivation] = []
            for product in products where random.next() % 3 == 0 {
                let states = LicenseActivation.State.allCases
                activations.append(LicenseActivation(
                    id: RandomID.make(prefix: "act"), tenantId: "ten_a", organizationId: organization, deviceId: id,
                    installationId: RandomID.make(prefix: "ins"), productKey: product,
                    state: states[Int(random.next() % UInt64(states.count))], keyThumbprint: "k", credentialId: "c",
                    requestedBy: "usr", createdAt: epoch))
            }
            return Made(device: device, activations: activations)
        }

        /// Every page of the query, with the stats of each.
        func pages(_ filter: FleetFilter, limit: Int, org: String = "org_a") throws -> (ids: [String], stats: [FleetQueryStats], counts: FleetCounts) {
            var ids: [String] = []
            var stats: [FleetQueryStats] = []
            var cursor: String?
            var counts: FleetCounts?
            repeat {
                let page = try environment.read { txn in
                    try query.page(tenantId: "ten_a", organizationId: org, filter: filter, cursor: cursor, limit: limit, in: txn)
                }
                ids += page.devices.map(\.id)
                stats.append(page.stats)
                counts = page.counts
                cursor = page.nextCursor
                #expect(page.devices.count <= limit)
                if cursor != nil { #expect(page.devices.count == limit) }
            } while cursor != nil
            return (ids, stats, counts!)
        }

        func expected(_ filter: FleetFilter, org: String = "org_a") -> Set<String> {
            Set(made.values.filter { Self.matches($0, filter) && $0.device.organizationId == org }.map(\.device.id))
        }

        static func matches(_ made: Made, _ filter: FleetFilter) -> Bool {
            let device = made.device
            if let risk = filter.riskState, device.riskState != risk { return false }
            switch (filter.activationState, filter.product) {
            case let (state?, product?): if !made.activations.contains(where: { $0.state == state && $0.productKey == product }) { return false }
            case let (state?, nil): if !made.activations.contains(where: { $0.state == state }) { return false }
            case let (nil, product?): if !made.activations.contains(where: { $0.productKey == product }) { return false }
            case (nil, nil): break
            }
            if filter.lastSeenBefore != nil || filter.lastSeenAfter != nil {
                guard let seen = device.lastSeenAt else { return false }
                if let before = filter.lastSeenBefore, !(seen < before) { return false }
                if let after = filter.lastSeenAfter, !(seen >= after) { return false }
            }
            let posture = device.posture
            if filter.os != nil || filter.diskEncrypted != nil || filter.firewallEnabled != nil || filter.screenLockEnabled != nil
                || filter.edrRunning != nil || filter.jailbroken != nil || filter.patchAgeDaysOver != nil {
                guard let posture else { return false }
                if let os = filter.os, posture.os != os { return false }
                if let value = filter.diskEncrypted, posture.diskEncrypted != value { return false }
                if let value = filter.firewallEnabled, posture.firewallEnabled != value { return false }
                if let value = filter.screenLockEnabled, posture.screenLockEnabled != value { return false }
                if let value = filter.edrRunning, posture.edrRunning != value { return false }
                if let value = filter.jailbroken, posture.jailbroken != value { return false }
                if let over = filter.patchAgeDaysOver, !(posture.patchAgeDays > over) { return false }
            }
            return true
        }

        func expectedCounts(org: String = "org_a") -> FleetCounts {
            let mine = made.values.filter { $0.device.organizationId == org }
            var risk: [DeviceRiskState: Int] = [:]
            for state in DeviceRiskState.allCases { risk[state] = mine.filter { $0.device.riskState == state }.count }
            var activation: [LicenseActivation.State: Int] = [:]
            for state in LicenseActivation.State.allCases {
                activation[state] = mine.filter { $0.activations.contains { $0.state == state } }.count
            }
            return FleetCounts(total: mine.count, byRiskState: risk, byActivationState: activation)
        }

        /// A random filter of one to three conditions.
        static func randomFilter(_ random: inout SplitMix) -> FleetFilter {
            var filter = FleetFilter()
            for _ in 0...(random.next() % 3) {
                switch random.next() % 11 {
                case 0: filter.riskState = DeviceRiskState.allCases[Int(random.next() % 5)]
                case 1: filter.activationState = LicenseActivation.State.allCases[Int(random.next() % 5)]
                case 2: filter.product = products[Int(random.next() % 3)]
                case 3: filter.lastSeenBefore = epoch.addingTimeInterval(Double(random.next() % (90 * 86400)))
                case 4: filter.lastSeenAfter = epoch.addingTimeInterval(Double(random.next() % (90 * 86400)))
                case 5: filter.os = ["macos", "windows", "linux", "ios"][Int(random.next() % 4)]
                case 6: filter.diskEncrypted = random.next() % 2 == 0
                case 7: filter.firewallEnabled = random.next() % 2 == 0
                case 8: filter.edrRunning = random.next() % 2 == 0
                case 9: filter.jailbroken = random.next() % 2 == 0
                default: filter.patchAgeDaysOver = Int64(random.next() % 130)
                }
            }
            return filter
        }
    }

    @Test func filtersPagesAndCountsAgreeWithABruteForceFilter() throws {
        var fleet = try Fleet()
        try fleet.generate(1500, seed: 7, batch: 400)
        #expect(try fleet.pages(FleetFilter(), limit: FleetQuery.maxLimit).counts == fleet.expectedCounts())
        var random = SplitMix(seed: 11)
        for round in 0..<60 {
            let filter = Fleet.randomFilter(&random)
            let limit = [1, 7, 50, 500][round % 4]
            let (ids, _, _) = try fleet.pages(filter, limit: limit)
            #expect(ids.count == Set(ids).count, "a device listed twice for \(filter)")
            #expect(Set(ids) == fleet.expected(filter), "\(filter)")
        }
        // The other organization sees its own devices only.
        let other = try fleet.pages(FleetFilter(), limit: 100, org: "org_b")
        #expect(Set(other.ids) == fleet.expected(FleetFilter(), org: "org_b"))
        #expect(other.counts == fleet.expectedCounts(org: "org_b"))
        #expect(try fleet.pages(FleetFilter(), limit: 100, org: "org_c").ids.isEmpty)
    }

    @Test func changesMoveTheIndexesAndCounts() throws {
        var fleet = try Fleet()
        try fleet.generate(300, seed: 3, batch: 300)
        var random = SplitMix(seed: 5)
        let records = fleet.records
        // Change risk, last seen, posture and activation states of a third of the devices.
        var changed: [String: Made] = [:]
        for (id, made) in fleet.made where random.next() % 3 == 0 {
            var made = made
            let risk = DeviceRiskState.allCases[Int(random.next() % 5)]
            let seen = FleetQueryTests.epoch.addingTimeInterval(Double(random.next() % 86400))
            let posture = random.next() % 2 == 0 ? nil : PostureFacts(
                os: "linux", osVersion: "6", patchAgeDays: 200, diskEncrypted: false, firewallEnabled: false,
                screenLockEnabled: false, edrRunning: false, jailbroken: true)
            let (_, after) = try fleet.environment.writeSync { txn in
                try records.updateDevice(tenantId: "ten_a", id: id, in: txn) {
                    $0.riskState = risk
                    $0.lastSeenAt = seen
                    $0.posture = posture
                }
            }
            made.device = after
            for index in made.activations.indices where random.next() % 2 == 0 {
                let state = LicenseActivation.State.allCases[Int(random.next() % 5)]
                let activation = made.activations[index]
                let (_, updated) = try fleet.environment.writeSync { txn in
                    try records.updateActivation(tenantId: "ten_a", id: activation.id, in: txn) { $0.state = state }
                }
                made.activations[index] = updated
            }
            changed[id] = made
        }
        fleet.made.merge(changed) { $1 }
        #expect(try fleet.pages(FleetFilter(), limit: FleetQuery.maxLimit).counts == fleet.expectedCounts())
        for _ in 0..<40 {
            let filter = Fleet.randomFilter(&random)
            #expect(Set(try fleet.pages(filter, limit: 13).ids) == fleet.expected(filter), "\(filter)")
        }
    }

    @Test func badCursorsAreRefused() throws {
        let fleet = try Fleet()
        for cursor in ["", "!!", "Zm9v", String(repeating: "a", count: 400)] {
            #expect(throws: FleetQueryError.badCursor) {
                try fleet.environment.read { txn in
                    try fleet.query.page(tenantId: "ten_a", organizationId: "org_a", filter: FleetFilter(), cursor: cursor, in: txn)
                }
            }
        }
    }

    /// 100k devices: every device exactly once across pages, counts right, and a query for a
    /// rare state reads only that state's index rows and the devices it returns.
    @Test func hundredThousandDevices() throws {
        var fleet = try Fleet(mapBytes: 1 << 30)
        try fleet.generate(100_000, seed: 42, batch: 5000, rare: 12)
        let all = fleet.made.values.filter { $0.device.organizationId == "org_a" }.count

        let everything = try fleet.pages(FleetFilter(), limit: FleetQuery.maxLimit)
        #expect(everything.ids.count == all)
        #expect(Set(everything.ids).count == all)
        #expect(Set(everything.ids) == fleet.expected(FleetFilter()))
        #expect(everything.counts == fleet.expectedCounts())
        // A page reads its own rows (plus one to know there is a next page), never the fleet.
        #expect(everything.stats.allSatisfy { $0.indexRowsRead <= FleetQuery.maxLimit + 1 && $0.devicesRead <= FleetQuery.maxLimit })

        var rare = FleetFilter()
        rare.riskState = .compromised
        let compromised = fleet.expected(rare)
        #expect(compromised.count >= 10 && compromised.count <= 12)
        let found = try fleet.pages(rare, limit: 100)
        #expect(Set(found.ids) == compromised)
        #expect(found.stats.count == 1)
        // One row per match; nothing else of 100k devices was touched.
        #expect(found.stats[0].indexRowsRead == compromised.count)
        #expect(found.stats[0].devicesRead == compromised.count)

        // Rare state intersected with a common posture fact: leapfrogging seeks the common
        // facet at each rare candidate, so rows stay within a small multiple of the rare set.
        rare.diskEncrypted = true
        let narrowed = try fleet.pages(rare, limit: 100)
        #expect(Set(narrowed.ids) == fleet.expected(rare))
        #expect(narrowed.stats[0].indexRowsRead <= 2 * compromised.count + 2)
        #expect(narrowed.stats[0].devicesRead == fleet.expected(rare).count)

        // Combined filters over common facets, paged.
        var combined = FleetFilter()
        combined.product = "acme.erp"
        combined.activationState = .active
        combined.diskEncrypted = false
        combined.patchAgeDaysOver = 60
        let pages = try fleet.pages(combined, limit: 250)
        #expect(pages.ids.count == Set(pages.ids).count)
        #expect(Set(pages.ids) == fleet.expected(combined))

        var recent = FleetFilter()
        recent.lastSeenAfter = FleetQueryTests.epoch.addingTimeInterval(89 * 86400)
        recent.riskState = .trusted
        let recentPages = try fleet.pages(recent, limit: 500)
        #expect(Set(recentPages.ids) == fleet.expected(recent))
        // The range reads the last day's rows only (about 1/90 of the fleet), not every device.
        #expect(recentPages.stats.allSatisfy { $0.indexRowsRead < all / 20 })
    }
}
