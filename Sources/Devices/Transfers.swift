import Foundation
import Store

extension Activations {
    /// Moves an active activation's seat to another installation of the same product in the
    /// same organization, in one write transaction: the old activation ends `transferred`
    /// (pointing at the new one), a new `active` activation starts on the target under the
    /// device key last presented for that installation (also when its activation was refused
    /// for want of a free seat). The target must not hold a seat, so
    /// the count of seat holders is unchanged; two transfers of one activation cannot both
    /// win (the second finds it `transferred`).
    public func transfer(_ scope: DeviceScope, id: String, toInstallation targetId: String, actor: String, reason: String,
                         now: Date = Date(), in txn: WriteTransaction) throws -> (ended: LicenseActivation, started: LicenseActivation) {
        let source = try scope.activation(id, tables: tables, in: txn)
        guard source.state.canMove(to: .transferred) else {
            throw DeviceError.activationState(id: id, state: source.state, wanted: "transfer")
        }
        guard let target = try txn.getJSON(DeviceInstallation.self, tables.installations, Key(.string(scope.tenantId), .string(targetId))),
              target.organizationId == source.organizationId
        else { throw DeviceError.invalidTransfer("no installation '\(targetId.prefix(100))' in the activation's organization") }
        guard target.id != source.installationId else { throw DeviceError.invalidTransfer("the seat already sits on this installation") }
        guard target.productKey == source.productKey else {
            throw DeviceError.invalidTransfer("the installation is of product '\(target.productKey)', not '\(source.productKey)'")
        }
        let last = try target.activationId.flatMap { try DeviceStore.activation(tenantId: scope.tenantId, id: $0, tables: tables, in: txn) }
        if let last, last.state.holdsSeat {
            throw DeviceError.invalidTransfer("the installation already holds a seat (\(last.id))")
        }
        // Installations recorded before `credentialId` existed know their key only through
        // their last activation.
        guard let keyId = target.credentialId ?? last?.credentialId else {
            throw DeviceError.invalidTransfer("no device key was ever presented for the installation")
        }
        guard let device = try DeviceStore.device(tenantId: scope.tenantId, id: target.deviceId, tables: tables, in: txn) else {
            throw DeviceError.unknownDevice(target.deviceId)
        }
        if device.riskState.isDenied { throw DeviceError.deviceDenied(deviceId: device.id, riskState: device.riskState) }
        guard let credential = try txn.getJSON(
            DeviceCredential.self, tables.credentials, Key(.string(scope.tenantId), .string(keyId))),
            credential.status == .active
        else { throw DeviceError.invalidTransfer("the key the installation was activated with is no longer active") }
        guard let capacity = try seats.deviceSeats(tenantId: scope.tenantId, productKey: source.productKey, in: txn) else {
            throw DeviceError.noSubscription(productKey: source.productKey)
        }

        var started = LicenseActivation(
            id: RandomID.make(prefix: "act"), tenantId: scope.tenantId, organizationId: source.organizationId, deviceId: target.deviceId,
            installationId: target.id, productKey: source.productKey, state: .active, keyThumbprint: credential.thumbprint,
            credentialId: credential.id, requestedBy: actor, createdAt: now)
        started.decidedBy = actor
        started.decidedAt = now
        started.decisionReason = "transferred from \(source.id): \(reason)"
        let (_, ended) = try records.updateActivation(tenantId: scope.tenantId, id: id, in: txn) {
            $0.state = .transferred
            $0.endedBy = actor
            $0.endedAt = now
            $0.endReason = reason
            $0.transferredTo = started.id
        }
        try records.insertActivation(started, in: txn)
        // The seat moved, so the count is what it was; a subscription shrunk meanwhile still
        // must not be exceeded by the move.
        let used = try DeviceStore.usedSeats(tenantId: scope.tenantId, productKey: source.productKey, tables: tables, in: txn)
        guard Int64(used) <= capacity else { throw DeviceError.noFreeSeat(productKey: source.productKey, seats: capacity) }
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: scope.tenantId, actor: actor, action: "device.activation.transfer", target: id,
            reason: "to \(started.id) on installation \(target.id): \(reason)"))
        return (ended, started)
    }
}
