import Foundation
import Store

/// Administrator changes of a device's risk state: allowed transitions only
/// (`DeviceRiskState.allowedNext`), each recorded on the device (who, when, why) and in the
/// audit log, and projected into the graph in the same transaction.
public enum RiskStates {
    public static func set(_ scope: DeviceScope, deviceId: String, to next: DeviceRiskState, actor: String, reason: String,
                           records: DeviceRecords, now: Date = Date(), in txn: WriteTransaction) throws -> Device {
        let current = try scope.device(deviceId, tables: records.tables, in: txn)
        guard current.riskState.canMove(to: next) else { throw DeviceError.riskTransition(from: current.riskState, to: next) }
        let (_, after) = try records.updateDevice(tenantId: scope.tenantId, id: deviceId, in: txn) {
            $0.riskState = next
            $0.riskChangedBy = actor
            $0.riskChangedAt = now
            $0.riskReason = reason
        }
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: scope.tenantId, actor: actor, action: "device.risk.update", target: deviceId,
            reason: "\(current.riskState.rawValue) → \(next.rawValue): \(reason)"))
        return after
    }
}
