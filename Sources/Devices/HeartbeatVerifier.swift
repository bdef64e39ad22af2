import Foundation
import Store

/// A device agent's heartbeat: a compact JWS (ES256) signed by the activation's device key
/// (header `kid` = the key's thumbprint) over `{"nonce", "timestamp", "posture"?}`.
/// A signature more than `maxSkew` from now, or a nonce this activation used within
/// `nonceLifetime`, is refused (401), so a captured heartbeat cannot be replayed to keep a
/// stolen or retired device looking alive.
public struct HeartbeatVerifier: Sendable {
    public static let maxSkew: TimeInterval = 300
    /// Longer than twice `maxSkew`, so a nonce is remembered for as long as its timestamp
    /// could still pass the staleness check.
    public static let nonceLifetime: TimeInterval = 600
    static let nonceLength = 8...128

    public let records: DeviceRecords
    var tables: DeviceTables { records.tables }

    public init(records: DeviceRecords) { self.records = records }

    public struct Heartbeat: Sendable {
        public var activation: LicenseActivation
        public var device: Device
        public var posture: PostureFacts?
    }

    /// Verifies and records one heartbeat: last seen on the activation and the device, and
    /// the posture (a `PostureSnapshot` + `Device.posture`) when it carries one.
    public func accept(_ scope: DeviceScope, activationId: String, jws text: String, actor: String, now: Date = Date(),
                       in txn: WriteTransaction) throws -> Heartbeat {
        let activation = try scope.activation(activationId, tables: tables, in: txn)
        let jws = try CompactJWS(text)
        guard activation.state == .active else {
            throw DeviceError.activationState(id: activationId, state: activation.state, wanted: "heartbeat")
        }
        guard jws.header["kid"] == activation.keyThumbprint else {
            throw DeviceError.badProof("the JWS kid must be the thumbprint of the activation's device key")
        }
        guard let credential = try txn.getJSON(
            DeviceCredential.self, tables.credentials, Key(.string(scope.tenantId), .string(activation.credentialId))),
            credential.status == .active, let jwk = credential.publicJWK
        else { throw DeviceError.badProof("the activation's device key is no longer active") }
        let key = try DevicePublicKey(storedJWK: jwk)
        guard jws.verifies(with: key.key) else { throw DeviceError.badProof("the signature does not verify under the device key (ES256)") }

        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(jws.payload)) else {
            throw DeviceError.badProof("the JWS payload must be {\"nonce\": string, \"timestamp\": seconds, \"posture\"?: {os, osVersion, patchAgeDays, diskEncrypted, firewallEnabled, screenLockEnabled, edrRunning, jailbroken}}")
        }
        let nonce = payload.nonce
        guard Self.nonceLength.contains(nonce.utf8.count) else {
            throw DeviceError.badProof("nonce must be a string of 8 to 128 characters")
        }
        guard abs(now.timeIntervalSince1970 - Double(payload.timestamp)) <= Self.maxSkew else {
            throw DeviceError.badProof("the heartbeat is stale: its timestamp is more than 300 s from the server's clock")
        }
        // The same fixed schema as the posture route: unknown keys, wrong types and values
        // out of range are refused (400) before anything is written.
        var posture: PostureFacts?
        if let report = payload.posture {
            switch PostureSchema.validate(report, prefix: "posture.") {
            case .success(let facts): posture = facts
            case .failure(let invalid): throw invalid
            }
        }

        try rememberNonce(nonce, tenantId: scope.tenantId, activationId: activationId, now: now, in: txn)
        let device = try DeviceStore.device(tenantId: scope.tenantId, id: activation.deviceId, tables: tables, in: txn)
        if let device, device.riskState.isDenied {
            throw DeviceError.deviceDenied(deviceId: device.id, riskState: device.riskState)
        }
        let (_, updated) = try records.updateActivation(tenantId: scope.tenantId, id: activationId, in: txn) { $0.lastHeartbeatAt = now }
        var (_, seen) = try records.updateDevice(tenantId: scope.tenantId, id: activation.deviceId, in: txn) { device in
            device.lastSeenAt = now
        }
        if let posture {
            // Snapshot history, `Device.posture` and its audit event, as for the posture route.
            seen = try PostureSnapshots(records: records).record(
                posture, scope: scope, deviceId: activation.deviceId, source: "heartbeat", reportedBy: actor, now: now,
                in: txn).device
        }
        return Heartbeat(activation: updated, device: seen, posture: posture)
    }

    /// Refuses a nonce seen within its lifetime; records it; drops a few expired ones.
    func rememberNonce(_ nonce: String, tenantId: String, activationId: String, now: Date, in txn: WriteTransaction) throws {
        let key = Key(.string(tenantId), .string(activationId), .string(nonce))
        let nowSeconds = UInt64(max(0, now.timeIntervalSince1970))
        if let stored = try txn.get(tables.heartbeatNonces, key), Self.decode(stored) > nowSeconds {
            throw DeviceError.badProof("the heartbeat nonce was already used (replay)")
        }
        var expired: [Key] = []
        try txn.scan(tables.heartbeatNonces, prefix: Key(.string(tenantId), .string(activationId))) { k, v in
            if Self.decode(Array(v)) <= nowSeconds { expired.append(Key(encoded: k)) }
            return expired.count < 32
        }
        for old in expired { _ = try txn.delete(tables.heartbeatNonces, old) }
        let expiry = nowSeconds + UInt64(Self.nonceLifetime)
        try txn.put(tables.heartbeatNonces, key, withUnsafeBytes(of: expiry.bigEndian) { Array($0) })
    }

    static func decode(_ bytes: [UInt8]) -> UInt64 {
        bytes.count == 8 ? bytes.reduce(0) { $0 << 8 | UInt64($1) } : 0
    }

    struct Payload: Decodable {
        var nonce: String
        var timestamp: Int64
        var posture: [String: PostureValue]?
    }
}
