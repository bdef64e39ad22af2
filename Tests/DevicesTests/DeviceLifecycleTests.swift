import Crypto
import Foundation
import Store
import Testing
import TestSupport
@testable import Devices

/// The activation state machine, seat accounting under concurrency, heartbeats and leases,
/// over a real LMDB environment.
@Suite struct DeviceLifecycleTests {
    struct Fixture {
        let directory: TemporaryDirectory
        let environment: Environment
        let tables: DeviceTables
        let records: DeviceRecords
        let activations: Activations

        init(seats: Int64 = 10) throws {
            directory = TemporaryDirectory("devices")
            environment = try Environment(path: directory.path)
            tables = try DeviceTables(environment: environment)
            records = DeviceRecords(tables: tables)
            activations = Activations(records: records, seats: FixedSeatCapacity(["acme.crm": seats]))
        }

        func request(_ hardware: String, key: P256.Signing.PrivateKey, org: String = "org1", product: String = "acme.crm") throws -> ActivationRequest {
            let raw = key.publicKey.rawRepresentation
            let jwk = ["kty": "EC", "crv": "P-256", "x": Base64URL.encode(raw.prefix(32)), "y": Base64URL.encode(raw.suffix(32))]
            return ActivationRequest(
                organizationId: org, tenantId: "ten1", requestedBy: "usr1", productKey: product, hardwareId: hardware,
                platform: "linux", displayName: nil, key: try DevicePublicKey(jwk: jwk))
        }

        func activate(_ hardware: String, key: P256.Signing.PrivateKey = .init(), auto: Bool = false) async throws -> LicenseActivation {
            let request = try request(hardware, key: key)
            let activations = self.activations
            return try await environment.write { try activations.activate(request, autoApprove: auto, in: $0) }.activation
        }

        var scope: DeviceScope { DeviceScope(tenantId: "ten1", organizationId: "org1") }

        func used() throws -> Int {
            try environment.read { try DeviceStore.usedSeats(tenantId: "ten1", productKey: "acme.crm", tables: tables, in: $0) }
        }

        func audit() throws -> [AuditEvent] { try environment.read { try $0.auditEvents(tenant: "ten1", limit: 10_000) } }
    }

    @Test func activationTransitionTable() {
        let allowed: [LicenseActivation.State: Set<LicenseActivation.State>] = [
            .pendingApproval: [.active, .denied, .revoked], .active: [.revoked, .transferred],
            .denied: [], .revoked: [], .transferred: [],
        ]
        for from in LicenseActivation.State.allCases {
            for to in LicenseActivation.State.allCases {
                #expect(from.canMove(to: to) == allowed[from]!.contains(to), "\(from) → \(to)")
            }
        }
    }

    /// Every operation from every state: allowed ones move, refused ones throw and change nothing.
    @Test func everyOperationFromEveryState() async throws {
        let f = try Fixture(seats: 1000)
        enum Op: CaseIterable { case approve, deny, revoke, transfer }
        func reach(_ state: LicenseActivation.State, _ n: Int) async throws -> LicenseActivation {
            let a = try await f.activate("hw-\(state.rawValue)-\(n)")
            let scope = f.scope
            let activations = f.activations
            switch state {
            case .pendingApproval: return a
            case .active: return try await f.environment.write { try activations.decide(scope, id: a.id, approve: true, actor: "adm", reason: "ok", in: $0) }
            case .denied: return try await f.environment.write { try activations.decide(scope, id: a.id, approve: false, actor: "adm", reason: "no", in: $0) }
            case .revoked: return try await f.environment.write { try activations.revoke(scope, id: a.id, actor: "adm", reason: "gone", in: $0) }
            case .transferred:
                let active = try await reach(.active, n + 100)
                let target = try await reach(.revoked, n + 200)
                return try await f.environment.write {
                    try activations.transfer(scope, id: active.id, toInstallation: target.installationId, actor: "adm", reason: "move", in: $0)
                }.ended
            }
        }
        var n = 0
        for state in LicenseActivation.State.allCases {
            for op in Op.allCases {
                n += 1
                let a = try await reach(state, n)
                #expect(a.state == state)
                let target = try await reach(.revoked, n + 1000)
                let scope = f.scope
                let activations = f.activations
                let expected: LicenseActivation.State
                switch op {
                case .approve: expected = .active
                case .deny: expected = .denied
                case .revoke: expected = .revoked
                case .transfer: expected = .transferred
                }
                let usedBefore = try f.used()
                do {
                    let after = try await f.environment.write { txn -> LicenseActivation in
                        switch op {
                        case .approve: return try activations.decide(scope, id: a.id, approve: true, actor: "adm", reason: "r", in: txn)
                        case .deny: return try activations.decide(scope, id: a.id, approve: false, actor: "adm", reason: "r", in: txn)
                        case .revoke: return try activations.revoke(scope, id: a.id, actor: "adm", reason: "r", in: txn)
                        case .transfer:
                            return try activations.transfer(scope, id: a.id, toInstallation: target.installationId, actor: "adm", reason: "r", in: txn).ended
                        }
                    }
                    #expect(state.canMove(to: expected), "\(state) \(op) should be refused")
                    #expect(after.state == expected)
                    let delta = (expected.holdsSeat ? 1 : 0) - (state.holdsSeat ? 1 : 0) + (op == .transfer ? 1 : 0)
                    #expect(try f.used() == usedBefore + delta)
                } catch let error as DeviceError {
                    #expect(!state.canMove(to: expected), "\(state) \(op) should be allowed: \(error)")
                    guard case .activationState = error else { Issue.record("unexpected \(error)"); continue }
                    let stored = try f.environment.read { try DeviceStore.activation(tenantId: "ten1", id: a.id, tables: f.tables, in: $0) }
                    #expect(stored?.state == state)
                    #expect(try f.used() == usedBefore)
                }
            }
        }
    }

    @Test func concurrentActivationsNeverExceedTheSeats() async throws {
        let f = try Fixture(seats: 3)
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<40 {
                group.addTask { (try? await f.activate("machine-\(i)", auto: i % 2 == 0)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 3)
        #expect(try f.used() == 3)
        await #expect(throws: DeviceError.noFreeSeat(productKey: "acme.crm", seats: 3)) { _ = try await f.activate("one-more") }
    }

    @Test func concurrentTransfersMoveOneSeatOnce() async throws {
        let f = try Fixture(seats: 2)
        let scope = f.scope
        let activations = f.activations
        let a = try await f.activate("source", auto: true)
        // Ten installations that once held a seat and no longer do.
        var targets: [String] = []
        for i in 0..<10 {
            // Free a seat to activate, then give it back.
            let extra = try await f.environment.write { txn in
                try activations.activate(try f.request("target-\(i)", key: .init()), autoApprove: true, in: txn)
            }
            targets.append(extra.activation.installationId)
            _ = try await f.environment.write { try activations.revoke(scope, id: extra.activation.id, actor: "adm", reason: "r", in: $0) }
        }
        #expect(targets.count == 10)
        _ = try await f.activate("other", auto: true)
        #expect(try f.used() == 2)
        let wins = await withTaskGroup(of: Bool.self) { group in
            for target in targets {
                group.addTask {
                    (try? await f.environment.write {
                        try activations.transfer(scope, id: a.id, toInstallation: target, actor: "adm", reason: "move", in: $0)
                    }) != nil
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(wins == 1)
        #expect(try f.used() == 2)
        let source = try #require(try f.environment.read { try DeviceStore.activation(tenantId: "ten1", id: a.id, tables: f.tables, in: $0) })
        #expect(source.state == .transferred && source.transferredTo != nil)
    }

    @Test func targetedErrorsAndIsolation() async throws {
        let f = try Fixture(seats: 5)
        let a = try await f.activate("hw-1", auto: true)
        let other = DeviceScope(tenantId: "ten1", organizationId: "org2")
        let foreign = DeviceScope(tenantId: "ten2", organizationId: nil)
        let activations = f.activations
        for scope in [other, foreign] {
            await #expect(throws: DeviceError.unknownActivation(a.id)) {
                _ = try await f.environment.write { try activations.revoke(scope, id: a.id, actor: "x", reason: "r", in: $0) }
            }
        }
        // Same installation, same key: the existing activation; another key: 409.
        let key = P256.Signing.PrivateKey()
        let b = try await f.activate("hw-2", key: key)
        #expect(try await f.activate("hw-2", key: key).id == b.id)
        await #expect(throws: DeviceError.alreadyActivated(activationId: b.id)) { _ = try await f.activate("hw-2") }
        // A key of another device.
        await #expect(throws: DeviceError.keyInUse) { _ = try await f.activate("hw-3", key: key) }
        // No subscription.
        let request = try f.request("hw-4", key: .init(), product: "acme.none")
        await #expect(throws: DeviceError.noSubscription(productKey: "acme.none")) {
            _ = try await f.environment.write { try activations.activate(request, autoApprove: false, in: $0) }
        }
        // Raw hardware ids are not stored.
        let device = try #require(try f.environment.read { try DeviceStore.device(tenantId: "ten1", id: a.deviceId, tables: f.tables, in: $0) })
        #expect(device.hardwareIdHash != "hw-1" && device.hardwareIdHash.count == 64)
    }

    // MARK: Heartbeats

    static func jws(_ payload: [String: Any], key: P256.Signing.PrivateKey, kid: String) throws -> String {
        let header = Base64URL.encode(Array(try JSONSerialization.data(withJSONObject: ["alg": "ES256", "kid": kid])))
        let body = Base64URL.encode(Array(try JSONSerialization.data(withJSONObject: payload)))
        let signature = try key.signature(for: Array("\(header).\(body)".utf8))
        return "\(header).\(body).\(Base64URL.encode(signature.rawRepresentation))"
    }

    @Test func heartbeatReplayStalenessAndSignature() async throws {
        let f = try Fixture()
        let key = P256.Signing.PrivateKey()
        let a = try await f.activate("hb", key: key, auto: true)
        let verifier = HeartbeatVerifier(records: f.records)
        let scope = f.scope
        let now = Date()
        func beat(_ jws: String, at time: Date = now) async throws -> HeartbeatVerifier.Heartbeat {
            try await f.environment.write { try verifier.accept(scope, activationId: a.id, jws: jws, actor: "usr1", now: time, in: $0) }
        }
        let posture: [String: Any] = [
            "os": "linux", "osVersion": "6.8", "patchAgeDays": 3, "diskEncrypted": true, "firewallEnabled": true,
            "screenLockEnabled": true, "edrRunning": false, "jailbroken": false,
        ]
        let first = try Self.jws(["nonce": "nonce-0001", "timestamp": Int(now.timeIntervalSince1970), "posture": posture], key: key, kid: a.keyThumbprint)
        let accepted = try await beat(first)
        #expect(accepted.activation.lastHeartbeatAt == now)
        #expect(accepted.device.posture?.osVersion == "6.8")
        // Kept as history like a posture-route report, with its audit event.
        let history = try f.environment.read {
            try PostureSnapshots(records: f.records).history(tenantId: scope.tenantId, deviceId: a.deviceId, in: $0)
        }
        #expect(history.map(\.source) == ["heartbeat"] && history.first?.facts.patchAgeDays == 3)
        // Posture outside the fixed schema: a field error, and nothing written (the nonce stays unused).
        var bad = posture
        bad["os"] = "beos"
        bad["serialNumber"] = "C02XYZ"
        let refused = try Self.jws(["nonce": "nonce-bad", "timestamp": Int(now.timeIntervalSince1970), "posture": bad], key: key, kid: a.keyThumbprint)
        do {
            _ = try await beat(refused)
            Issue.record("posture outside the schema was accepted")
        } catch let invalid as PostureInvalid {
            #expect(Set(invalid.errors.map(\.field)) == ["posture.os", "posture.serialNumber"])
        }
        // The same JWS again: replay.
        await #expect(throws: DeviceError.self) { _ = try await beat(first) }
        do { _ = try await beat(first) } catch let error as DeviceError {
            #expect(error == .badProof("the heartbeat nonce was already used (replay)"))
        }
        // Stale both ways.
        for skew in [-301.0, 301.0] {
            let stale = try Self.jws(["nonce": "nonce-\(skew)", "timestamp": Int(now.timeIntervalSince1970 + skew)], key: key, kid: a.keyThumbprint)
            await #expect(throws: DeviceError.self) { _ = try await beat(stale) }
        }
        // Within the skew: fine.
        let near = try Self.jws(["nonce": "nonce-near", "timestamp": Int(now.timeIntervalSince1970) - 290], key: key, kid: a.keyThumbprint)
        _ = try await beat(near)
        // Another key, a wrong kid, a tampered payload.
        let forged = try Self.jws(["nonce": "nonce-forged", "timestamp": Int(now.timeIntervalSince1970)], key: .init(), kid: a.keyThumbprint)
        await #expect(throws: DeviceError.self) { _ = try await beat(forged) }
        let wrongKid = try Self.jws(["nonce": "nonce-kid", "timestamp": Int(now.timeIntervalSince1970)], key: key, kid: "other")
        await #expect(throws: DeviceError.self) { _ = try await beat(wrongKid) }
        let parts = first.split(separator: ".")
        let tampered = "\(parts[0]).\(Base64URL.encode(Array(#"{"nonce":"nonce-tamper","timestamp":0}"#.utf8))).\(parts[2])"
        await #expect(throws: DeviceError.self) { _ = try await beat(tampered) }
        // After the nonce lifetime the nonce is forgotten (and the timestamp then is stale anyway).
        let later = now.addingTimeInterval(HeartbeatVerifier.nonceLifetime + 1)
        let fresh = try Self.jws(["nonce": "nonce-0001", "timestamp": Int(later.timeIntervalSince1970)], key: key, kid: a.keyThumbprint)
        _ = try await beat(fresh, at: later)
        // A revoked activation takes no heartbeats.
        let activations = f.activations
        _ = try await f.environment.write { try activations.revoke(scope, id: a.id, actor: "adm", reason: "r", in: $0) }
        let afterRevoke = try Self.jws(["nonce": "nonce-late", "timestamp": Int(later.timeIntervalSince1970)], key: key, kid: a.keyThumbprint)
        await #expect(throws: DeviceError.activationState(id: a.id, state: .revoked, wanted: "heartbeat")) { _ = try await beat(afterRevoke, at: later) }
    }

    // MARK: Leases

    @Test func leaseCounterOnlyGoesUpAndRollbackIsAudited() async throws {
        let f = try Fixture()
        let a = try await f.activate("lease", auto: true)
        let scope = f.scope
        let records = f.records
        func lease(_ presented: Int64?) async throws -> OfflineLeases.Outcome {
            try await f.environment.write {
                try OfflineLeases.next(scope, activationId: a.id, presented: presented, issuer: "https://x/t/acme", actor: "usr1", records: records, in: $0)
            }
        }
        guard case .issued(let one) = try await lease(nil) else { Issue.record("no lease"); return }
        #expect(one.counter == 1 && one.sub == a.id && one.product == "acme.crm" && one.exp - one.iat == 7 * 24 * 3600)
        guard case .issued(let two) = try await lease(1) else { Issue.record("no renewal"); return }
        #expect(two.counter == 2)
        guard case .rollback(let presented, let latest) = try await lease(1) else { Issue.record("rollback accepted"); return }
        #expect(presented == 1 && latest == 2)
        guard case .rollback = try await lease(7) else { Issue.record("future counter accepted"); return }
        let stored = try #require(try f.environment.read { try DeviceStore.activation(tenantId: "ten1", id: a.id, tables: f.tables, in: $0) })
        #expect(stored.leaseCounter == 2)
        let rollbacks = try f.audit().filter { $0.action == "device.lease.rollback" }
        #expect(rollbacks.count == 2 && rollbacks.allSatisfy { $0.outcome == .denied && $0.target == a.id })
        guard case .issued(let three) = try await lease(2) else { Issue.record("no renewal"); return }
        #expect(three.counter == 3)
    }

    @Test func riskTransitionsAreRecordedAndRefused() async throws {
        let f = try Fixture()
        let a = try await f.activate("risk")
        let records = f.records
        let scope = f.scope
        for (from, to) in DeviceRiskState.allCases.flatMap({ from in DeviceRiskState.allCases.map { (from, $0) } }) {
            // Bring the device to `from` along allowed edges.
            let path: [DeviceRiskState: [DeviceRiskState]] = [
                .unknown: [], .trusted: [.trusted], .suspicious: [.suspicious], .compromised: [.compromised], .blocked: [.blocked],
            ]
            let current = try f.environment.read { try DeviceStore.device(tenantId: "ten1", id: a.deviceId, tables: f.tables, in: $0) }!.riskState
            if current != .unknown {
                _ = try await f.environment.write { txn in
                    if current != .blocked { _ = try RiskStates.set(scope, deviceId: a.deviceId, to: .blocked, actor: "adm", reason: "reset", records: records, in: txn) }
                    return try RiskStates.set(scope, deviceId: a.deviceId, to: .unknown, actor: "adm", reason: "reset", records: records, in: txn)
                }
            }
            for step in path[from]! {
                _ = try await f.environment.write { try RiskStates.set(scope, deviceId: a.deviceId, to: step, actor: "adm", reason: "setup", records: records, in: $0) }
            }
            do {
                let device = try await f.environment.write {
                    try RiskStates.set(scope, deviceId: a.deviceId, to: to, actor: "adm", reason: "test \(from)→\(to)", records: records, in: $0)
                }
                #expect(from.canMove(to: to), "\(from) → \(to) should be refused")
                #expect(device.riskState == to && device.riskChangedBy == "adm" && device.riskReason == "test \(from)→\(to)")
            } catch let error as DeviceError {
                #expect(!from.canMove(to: to), "\(from) → \(to) should be allowed")
                #expect(error == .riskTransition(from: from, to: to))
            }
        }
        #expect(try f.audit().contains { $0.action == "device.risk.update" && $0.reason?.contains("test unknown→trusted") == true })
    }
}
