import Foundation
import Store

/// Posture reports: each is kept as a snapshot (history, newest `maxKept` per device) and
/// the newest becomes `Device.posture` — what checks see as `context.device.posture` and
/// what the fleet's posture facets index — all in the caller's write transaction.
public struct PostureSnapshots: Sendable {
    /// Snapshots kept per device; older ones are dropped as new ones arrive.
    public static let maxKept = 50

    public let records: DeviceRecords
    var tables: DeviceTables { records.tables }

    public init(records: DeviceRecords) { self.records = records }

    /// Records a validated report for a device in `scope`. `source` is `api` or `heartbeat`.
    public func record(
        _ facts: PostureFacts, scope: DeviceScope, deviceId: String, source: String, reportedBy: String,
        now: Date = Date(), in txn: WriteTransaction
    ) throws -> (snapshot: PostureSnapshot, device: Device) {
        let device = try scope.device(deviceId, tables: tables, in: txn)
        let snapshot = PostureSnapshot(
            id: Self.snapshotID(now), tenantId: device.tenantId, deviceId: device.id, facts: facts, source: source,
            reportedBy: reportedBy, receivedAt: now)
        let prefix = Key(.string(device.tenantId), .string(device.id))
        try txn.putJSON(tables.postureSnapshots, prefix.appending(.string(snapshot.id)), snapshot)
        var keys: [Key] = []
        try txn.scan(tables.postureSnapshots, prefix: prefix) { key, _ in
            keys.append(Key(encoded: key))
            return true
        }
        for key in keys.dropLast(Self.maxKept) { try txn.delete(tables.postureSnapshots, key) }

        let (_, after) = try records.updateDevice(tenantId: device.tenantId, id: device.id, in: txn) { device in
            // An older report (clock skew between heartbeats and API calls) never hides a newer one.
            if device.postureAt.map({ $0 <= now }) ?? true {
                device.posture = facts
                device.postureAt = now
            }
        }
        try txn.appendAudit(AuditEvent(
            time: now, tenantId: device.tenantId, actor: reportedBy, action: "device.posture.report", target: device.id,
            reason: "\(source): \(Self.summary(facts))"))
        return (snapshot, after)
    }

    /// The device's snapshots, newest first.
    public func history(tenantId: String, deviceId: String, limit: Int = maxKept, in txn: some TransactionReading) throws -> [PostureSnapshot] {
        try txn.entries(tables.postureSnapshots, prefix: Key(.string(tenantId), .string(deviceId)))
            .suffix(limit).reversed()
            .map { try StoredJSON.decode(PostureSnapshot.self, from: $0.value) }
    }

    /// `pos_` + 16 hex digits of microseconds + a random tail: ids sort by time.
    static func snapshotID(_ date: Date) -> String {
        let micros = UInt64(max(0, date.timeIntervalSince1970 * 1_000_000))
        let hex = String(micros, radix: 16)
        let random = RandomID.make(prefix: "").dropFirst()
        return "pos_" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + "_" + random.prefix(10)
    }

    static func summary(_ facts: PostureFacts) -> String {
        "\(facts.os) \(facts.osVersion), patch age \(facts.patchAgeDays)d, disk \(facts.diskEncrypted ? "encrypted" : "not encrypted"), "
            + "firewall \(facts.firewallEnabled ? "on" : "off"), screen lock \(facts.screenLockEnabled ? "on" : "off"), "
            + "EDR \(facts.edrRunning ? "running" : "not running")\(facts.jailbroken ? ", jailbroken" : "")"
    }
}
