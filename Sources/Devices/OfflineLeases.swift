import Foundation
import JWTKit
import Store

/// The claims of an offline lease: a JWT (`typ` `arbiter-lease+jwt`) signed with the
/// tenant's current signing key, so the device verifies it offline against the tenant's
/// JWKS. `counter` goes up by one with every lease of the activation; a device keeps the
/// newest and a server refuses a renewal that presents an older one (a restored backup or a
/// cloned disk rolling the lease back).
public struct OfflineLeaseClaims: JWTPayload, Equatable {
    public var iss: String
    public var sub: String
    public var activation_id: String
    public var installation_id: String
    public var device_id: String
    public var product: String
    public var iat: Int64
    public var exp: Int64
    public var counter: Int64

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

public enum OfflineLeases {
    public static let lifetime: TimeInterval = 7 * 24 * 3600
    public static let type = "arbiter-lease+jwt"

    public enum Outcome: Sendable {
        case issued(OfflineLeaseClaims)
        /// The renewal presented a counter other than the newest issued; audited, nothing else changed.
        case rollback(presented: Int64, latest: Int64)
    }

    /// Takes the next counter of an active activation (inside the caller's write
    /// transaction, with its audit event). The caller signs the claims after the commit:
    /// a counter taken but never delivered only leaves a gap, never a reuse.
    public static func next(_ scope: DeviceScope, activationId: String, presented: Int64?, issuer: String, actor: String,
                            records: DeviceRecords, now: Date = Date(), in txn: WriteTransaction) throws -> Outcome {
        let tables = records.tables
        let activation = try scope.activation(activationId, tables: tables, in: txn)
        guard activation.state == .active else {
            throw DeviceError.activationState(id: activationId, state: activation.state, wanted: "offline lease")
        }
        if let device = try DeviceStore.device(tenantId: scope.tenantId, id: activation.deviceId, tables: tables, in: txn),
           device.riskState.isDenied {
            throw DeviceError.deviceDenied(deviceId: device.id, riskState: device.riskState)
        }
        if let presented, presented != activation.leaseCounter {
            // Older is a rollback; newer than any issued is a forged counter. Both are refused.
            try txn.appendAudit(AuditEvent(
                time: now, tenantId: scope.tenantId, actor: actor, action: "device.lease.rollback", target: activationId,
                outcome: .denied, reason: "presented lease counter \(presented), newest issued \(activation.leaseCounter)"))
            return .rollback(presented: presented, latest: activation.leaseCounter)
        }
        let counter = activation.leaseCounter + 1
        let issuedAt = Int64(now.timeIntervalSince1970)
        let expires = issuedAt + Int64(lifetime)
        try records.updateActivation(tenantId: scope.tenantId, id: activationId, in: txn) {
            $0.leaseCounter = counter
            $0.leaseExpiresAt = Date(timeIntervalSince1970: TimeInterval(expires))
        }
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: scope.tenantId, actor: actor, action: "device.lease.issue", target: activationId,
            reason: "counter \(counter), expires \(expires)"))
        return .issued(OfflineLeaseClaims(
            iss: issuer, sub: activationId, activation_id: activationId, installation_id: activation.installationId,
            device_id: activation.deviceId, product: activation.productKey, iat: issuedAt, exp: expires, counter: counter))
    }
}
